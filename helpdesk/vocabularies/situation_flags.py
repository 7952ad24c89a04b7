"""What a request may say of the beneficiary's situation (never who they are)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class SituationFlag(Vocabulary):
    NO_FIXED_ADDRESS = "no_fixed_address", _l("No fixed address")
    NO_HEALTH_INSURANCE = "no_health_insurance", _l("No health insurance")
    NO_LEGAL_RESIDENCE = "no_legal_residence", _l("No legal residence")
    ISOLATED = "isolated", _l("Socially isolated")
    DISABILITY = "disability", _l("Disability")
    LANGUAGE_BARRIER = "language_barrier", _l("Language barrier")
    CHILDREN = "children", _l("Children in care")
    INCOME_SUPPORT = "income_support", _l("Living on income support")
