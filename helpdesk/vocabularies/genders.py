"""The beneficiary's gender, when said."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class Gender(Vocabulary):
    WOMAN = "woman", _l("Woman")
    MAN = "man", _l("Man")
    OTHER = "other", _l("Other gender")
