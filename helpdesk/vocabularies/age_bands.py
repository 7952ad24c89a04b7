"""The beneficiary's age band (never a date of birth)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class AgeBand(Vocabulary):
    CHILD = "0-11", _l("0 to 11 years")
    TEEN = "12-17", _l("12 to 17 years")
    YOUNG_ADULT = "18-24", _l("18 to 24 years")
    ADULT = "25-44", _l("25 to 44 years")
    MIDDLE_AGED = "45-64", _l("45 to 64 years")
    OLDER = "65-79", _l("65 to 79 years")
    OLDEST = "80+", _l("80 years or more")
