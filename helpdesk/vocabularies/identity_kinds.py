"""What the identity guard finds in a text (``helpdesk.followup.identity``), as the user is told it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class IdentityKind(Vocabulary):
    NATIONAL_NUMBER = "national_number", _l("a national register number")
    BIS_NUMBER = "bis_number", _l("a BIS number")
    BIRTH_DATE = "birth_date", _l("a date of birth")
    NATIONAL_NUMBER_LIKE = "national_number_like", _l("something that looks like a national register number")
    BIRTH_DATE_LIKE = "birth_date_like", _l("a date that looks like a date of birth")
    CIVIL_NAME = "civil_name", _l("a person's name")
    EMAIL = "email", _l("an e-mail address")
    PHONE = "phone", _l("a phone number")
