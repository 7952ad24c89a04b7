"""Where a request stands."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class Status(Vocabulary):
    NEW = "new", _l("New")
    IN_PROGRESS = "in_progress", _l("In progress")
    WAITING = "waiting", _l("Waiting")
    ANSWERED = "answered", _l("Answered")
    CLOSED = "closed", _l("Closed")


OPEN_STATUSES = tuple(status for status in Status if status is not Status.CLOSED)
