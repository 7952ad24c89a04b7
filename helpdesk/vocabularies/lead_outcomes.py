"""What became of an organisation proposed to the asking professional (a lead)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class LeadOutcome(Vocabulary):
    PROPOSED = "proposed", _l("Proposed")
    CONTACTED = "contacted", _l("Contacted")
    ACCEPTED = "accepted", _l("Accepted")
    WAITING_LIST = "waiting_list", _l("Waiting list")
    REFUSED = "refused", _l("Refused or full")
    UNREACHABLE = "unreachable", _l("Unreachable")
