"""A hand-over of a request to another territory, or a request for its advice that moves nothing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class TransferKind(Vocabulary):
    TRANSFER = "transfer", _l("Hand-over")
    SHARE = "share", _l("Shared for advice")
