"""How urgent a request is. ``NORMAL`` comes first: it is what a form proposes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class Urgency(Vocabulary):
    NORMAL = "normal", _l("Normal")
    LOW = "low", _l("Low")
    HIGH = "high", _l("High")
    URGENT = "urgent", _l("Urgent")
