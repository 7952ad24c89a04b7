"""The kinds of event on a request's timeline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class EventKind(Vocabulary):
    CREATED = "created", _l("Request recorded")
    UPDATED = "updated", _l("Request updated")
    LEAD_ADDED = "lead_added", _l("Lead added")
    LEAD_UPDATED = "lead_updated", _l("Lead updated")
    UNMET_NEED_ADDED = "unmet_need_added", _l("Unmet need recorded")
    CALLBACK_ADDED = "callback_added", _l("Callback planned")
    CALLBACK_DONE = "callback_done", _l("Callback done")
    CALLBACK_MOVED = "callback_moved", _l("Callback moved with the request")
    CALLBACK_CANCELLED = "callback_cancelled", _l("Callback cancelled")
    TRANSFERRED = "transferred", _l("Transferred")
    SHARED = "shared", _l("Shared for advice")
    COMMENT = "comment", _l("Note")
    CLOSED = "closed", _l("Closed")
    REOPENED = "reopened", _l("Reopened")
    EDITED = "edited", _l("Request corrected")
    ORIENTATION_SENT = "orientation_sent", _l("Orientation sent by e-mail")
