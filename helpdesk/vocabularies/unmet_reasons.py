"""Why a need found no adequate answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class UnmetReason(Vocabulary):
    NO_SERVICE = "no_service", _l("No such service")
    WAITING_LIST = "waiting_list", _l("Waiting list or full")
    ELIGIBILITY = "eligibility", _l("Eligibility criteria")
    LANGUAGE = "language", _l("Language")
    COST = "cost", _l("Cost")
    DISTANCE = "distance", _l("Distance or transport")
    ADMINISTRATIVE = "administrative", _l("Administrative status")
    OTHER = "other", _l("Other")
