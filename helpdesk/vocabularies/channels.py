"""How a request reached the helpdesk, and how the answer went back to the asking professional."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class Channel(Vocabulary):
    PHONE = "phone", _l("Phone")
    EMAIL = "email", _l("E-mail")
    WALK_IN = "walk_in", _l("Walk-in")
    VIDEO = "video", _l("Video call")
    OTHER = "other", _l("Other")
