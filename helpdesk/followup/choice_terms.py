"""The words the recording form's type-ahead multi-selects match (languages, situation, themes): each option's
label in English, French and Dutch, and a few synonyms, without accents, so that an operator finds "Arabe"
with ``ara`` whatever the page's language, and "Sans domicile fixe" with ``sans abri`` or ``daklo``.

The page renders them on the checkboxes (``data-search``); ``static/js/multiselect.js`` matches them.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from helpdesk.folding import fold_text
from helpdesk.followup.themes import all_themes
from helpdesk.vocabularies import Language, SituationFlag

LOCALES = ("en", "fr", "nl")

# Words people use for a situation that its label does not hold, translated like any string: each
# language's words are matched on every page.
SITUATION_SYNONYMS = {
    SituationFlag.NO_FIXED_ADDRESS: _l("homeless, rough sleeper"),
    SituationFlag.NO_HEALTH_INSURANCE: _l("uninsured, health fund"),
    SituationFlag.NO_LEGAL_RESIDENCE: _l("undocumented, without papers"),
    SituationFlag.ISOLATED: _l("alone, loneliness"),
    SituationFlag.INCOME_SUPPORT: _l("social welfare, CPAS, OCMW"),
    SituationFlag.LANGUAGE_BARRIER: _l("interpreter"),
}


def fold_words(text: str) -> str:
    """``text`` without accents, in lower case, hyphens and apostrophes as spaces: how options are matched
    (``multiselect.js`` folds what is typed the same way)."""
    folded = fold_text(text)
    for mark in "-'’,;()/":
        folded = folded.replace(mark, " ")
    return " ".join(folded.split())


def _in_every_language(label) -> list[str]:
    words = []
    for locale in LOCALES:
        with force_locale(locale):
            words.append(str(label))
    return words


def choice_terms(session: Session) -> dict[str, dict[str, str]]:
    """Field name -> code -> the folded words its option is found by."""
    languages = {m.value: fold_words(" ".join(_in_every_language(m.label))) for m in Language}
    situation = {}
    for flag in SituationFlag:
        words = _in_every_language(flag.label)
        if flag in SITUATION_SYNONYMS:
            words += _in_every_language(SITUATION_SYNONYMS[flag])
        situation[flag.value] = fold_words(" ".join(words))
    themes = {t.code: fold_words(" ".join((t.label_en, t.label_fr, t.label_nl))) for t in all_themes(session)}
    return {"languages": languages, "situation_flags": situation, "themes": themes}
