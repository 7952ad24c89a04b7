"""The languages a beneficiary speaks, as a request records them (ISO 639-1 codes, and ``other``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class Language(Vocabulary):
    FRENCH = "fr", _l("French")
    DUTCH = "nl", _l("Dutch")
    ENGLISH = "en", _l("English")
    ARABIC = "ar", _l("Arabic")
    TURKISH = "tr", _l("Turkish")
    SPANISH = "es", _l("Spanish")
    PORTUGUESE = "pt", _l("Portuguese")
    ROMANIAN = "ro", _l("Romanian")
    POLISH = "pl", _l("Polish")
    RUSSIAN = "ru", _l("Russian")
    OTHER = "other", _l("Another language")
