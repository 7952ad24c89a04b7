"""What a request's context means in the directory's terms: its themes and situation as directory
categories, its situation and age band as publics; and the categories and publics an organisation has,
whatever words its source uses for them.

The tables are reviewed like code: ``tests/test_suggestions.py`` checks that every theme, category and
public named here exists (``helpdesk.followup.themes``, ``directory_import.vocabulary``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from directory_import.normalize import fold
from directory_import.vocabulary import CATEGORIES, PUBLICS, PUBLICS_NL_TO_FR

# Request theme -> directory categories that answer it, with a weight (1: the main answer).
THEME_CATEGORIES: dict[str, dict[str, float]] = {
    "mental_health": {"ssm": 1.0, "mm": 0.3},
    "addiction": {"assuetudes": 1.0, "ssm": 0.3},
    "housing": {"logement": 1.0, "sansabri": 1.0, "cpas": 0.3},
    "food": {"aidealim": 1.0, "cpas": 0.3},
    "after_prison": {"justice": 1.0, "cas": 0.2},
    "perinatal": {"perinatal": 1.0, "planning": 0.4},
    "end_of_life": {"palliatif": 1.0, "domicile": 0.3},
    "home_care": {"domicile": 1.0, "seniors": 0.3, "palliatif": 0.2},
    "financial_access": {"cpas": 1.0, "mm": 0.6, "dettes": 0.5, "cas": 0.3},
    "disability": {"handicap": 1.0, "domicile": 0.3},
    "transport": {"domicile": 0.3, "handicap": 0.3, "seniors": 0.3},
    "rights": {"cas": 1.0, "cpas": 0.6, "migrants": 0.3, "dettes": 0.3},
    "migration": {"migrants": 1.0, "cas": 0.3},
    "older_people": {"seniors": 1.0, "domicile": 0.6},
    "youth": {"jeunesse": 1.0, "planning": 0.3},
    "violence": {"violences": 1.0, "planning": 0.3},
}

# Situation flag -> categories that serve people in that situation (weight 1: made for them).
FLAG_CATEGORIES: dict[str, dict[str, float]] = {
    "no_fixed_address": {"sansabri": 1.0},
    "no_health_insurance": {"mm": 0.6, "cpas": 0.6},
    "no_legal_residence": {"migrants": 1.0, "cpas": 0.3},
    "isolated": {"cas": 0.3, "seniors": 0.3},
    "disability": {"handicap": 1.0},
    "language_barrier": {"migrants": 0.3},
    "children": {"jeunesse": 0.3, "perinatal": 0.3},
    "income_support": {"cpas": 0.6, "aidealim": 0.3},
}

# Situation flag -> publics (French labels of ``vocabulary.PUBLICS``) an organisation may say it serves.
FLAG_PUBLICS: dict[str, tuple[str, ...]] = {
    "no_fixed_address": ("personnes sans abri",),
    "no_legal_residence": ("personnes migrantes",),
    "language_barrier": ("personnes migrantes",),
    "disability": ("personnes handicapées",),
    "children": ("familles", "enfants"),
}

# Publics meant for an age: an organisation that names only these does not serve other ages.
AGE_PUBLICS: dict[str, tuple[str, ...]] = {
    "0-11": ("enfants",),
    "12-17": ("jeunes", "enfants"),
    "18-24": ("jeunes",),
    "25-44": (),
    "45-64": (),
    "65-79": ("personnes âgées",),
    "80+": ("personnes âgées",),
}
AGE_SPECIFIC_PUBLICS = frozenset({"enfants", "jeunes", "personnes âgées"})

# Words of a category label -> the vocabulary code, for sources whose categories have their own ids and
# wording ("Services de santé mentale", "Centra voor geestelijke gezondheidszorg").
_CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    (r"sante mentale|geestelijke gezondheid|\bssm\b|\bcgg\b|psychiatr", "ssm"),
    (r"maisons? medicales?|wijkgezondheid|medecine generale|huisarts", "mm"),
    (r"action sociale globale|algemeen welzijn|\bcaw\b", "cas"),
    (r"\bcpas\b|\bocmw\b|action sociale|maatschappelijk welzijn", "cpas"),
    (r"sans abri|sansabri|thuislo|daklo|hebergement d urgence|nachtopvang", "sansabri"),
    (r"logement|huisvesting|\bwonen\b|verhuurkantoor", "logement"),
    (r"aide alimentaire|alimentation|voedsel|epicerie sociale|colis", "aidealim"),
    (r"assuetude|toxicoman|verslaving|drogue|\bdrug|addiction|alcool", "assuetudes"),
    (r"perinat|naissance|geboorte|grossesse|zwanger|kind en gezin", "perinatal"),
    (r"palliati", "palliatif"),
    (r"justic|detenu|prison|gedetineerd|gevangen", "justice"),
    (r"a domicile|thuiszorg|thuishulp|aide familiale|gezinszorg|thuisverpleging", "domicile"),
    (r"jeunesse|\bjeugd|\bjeunes\b|jongeren", "jeunesse"),
    (r"personnes agees|\bseniors?\b|\bouderen|\bainees?\b", "seniors"),
    (r"planning|gezinsplanning|seksuele gezondheid", "planning"),
    (r"handicap", "handicap"),
    (r"migra|exile|refugie|vluchteling|demandeurs? d asile|asielzoeker", "migrants"),
    (r"dette|schuld|surendettement", "dettes"),
    (r"insertion socio|emploi|tewerkstelling|\bwerk\b|inschakeling", "emploi"),
    (r"violence|geweld", "violences"),
)
_CATEGORY_RULES = tuple((re.compile(pattern), code) for pattern, code in _CATEGORY_WORDS)
_CATEGORY_LABELS: dict[str, str] = {
    fold(label): code for code, labels in CATEGORIES.items() for label in labels if label
}


@lru_cache(maxsize=4096)
def _category_code(code: str, label_fr: str, label_nl: str) -> str:
    if code in CATEGORIES:
        return code
    for label in (label_fr, label_nl):
        folded = fold(label)
        if folded in _CATEGORY_LABELS:
            return _CATEGORY_LABELS[folded]
    for label in (label_fr, label_nl):
        folded = fold(label)
        for pattern, known in _CATEGORY_RULES:
            if folded and pattern.search(folded):
                return known
    return ""


def category_codes(categories: Iterable[object]) -> dict[str, dict[str, str]]:
    """The vocabulary codes (``vocabulary.CATEGORIES``) of an organisation's categories, each with the
    labels the organisation's own record gives it: ``{"ssm": {"fr": ..., "nl": ...}}``."""
    found: dict[str, dict[str, str]] = {}
    for item in categories or ():
        if isinstance(item, dict):
            code = str(item.get("code") or "")
            fr = str(item.get("label_fr") or item.get("labelFr") or item.get("fr") or "")
            nl = str(item.get("label_nl") or item.get("labelNl") or item.get("nl") or "")
        else:
            code, fr, nl = "", str(item), ""
        known = _category_code(code.lower(), fr, nl)
        if known and known not in found:
            default_fr, default_nl = CATEGORIES[known]
            found[known] = {"fr": fr or default_fr, "nl": nl or default_nl}
    return found


_PUBLIC_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{re.escape(fold(label))}\b"), fr)
    for fr, nl in PUBLICS.items()
    for label in {fr, nl}
    if label
) + (
    (re.compile(r"\bsans abri\b|\bsdf\b|\bthuislozen\b"), "personnes sans abri"),
    (re.compile(r"\bmigrants?\b|\bexiles?\b|\brefugies?\b|\bvluchtelingen\b"), "personnes migrantes"),
    (re.compile(r"\bhandicape(e)?s?\b"), "personnes handicapées"),
    (re.compile(r"\bseniors\b|\bpersonnes agees\b|\bainees?\b"), "personnes âgées"),
    (re.compile(r"\badolescents?\b|\bjongeren\b"), "jeunes"),
)


@lru_cache(maxsize=4096)
def _publics_in_text(text: str) -> frozenset[str]:
    folded = fold(text)
    return frozenset(fr for pattern, fr in _PUBLIC_PATTERNS if folded and pattern.search(folded))


def public_names(publics: Iterable[object], *texts: str) -> frozenset[str]:
    """The publics (French labels of ``vocabulary.PUBLICS``) an organisation names: its structured publics
    and the known publics its free texts ("Adultes, personnes âgées") mention."""
    found: set[str] = set()
    for item in publics or ():
        if isinstance(item, dict):
            fr, nl = str(item.get("fr") or ""), str(item.get("nl") or "")
        else:
            fr, nl = str(item), ""
        key = fr.strip().lower()
        if key in PUBLICS:
            found.add(key)
        elif nl.strip().lower() in PUBLICS_NL_TO_FR:
            found.add(PUBLICS_NL_TO_FR[nl.strip().lower()])
        else:
            found |= _publics_in_text(f"{fr} {nl}")
    for text in texts:
        if text:
            found |= _publics_in_text(text)
    return frozenset(found)


def public_label(public_fr: str, locale: str) -> str:
    """A public's label in ``locale`` (French when the reader's language has none)."""
    if locale == "nl":
        return PUBLICS.get(public_fr, public_fr)
    return public_fr
