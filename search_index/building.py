"""Query building: what a person typed -> Whoosh queries over every field, in each field's language.

Words are folded and cut; phrases the synonym table knows are recognised first and expanded; each word
becomes one query over every field that holds it (names weigh most); the last word also completes as a
prefix, and unknown words are corrected with a lower weight (``corrections``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from whoosh import query as wq

from search_index.analysis import (
    MIN_PART,
    STOP_WORDS,
    dutch_analyzer,
    fold,
    french_analyzer,
    plain_analyzer,
    split_compound,
)
from search_index.corrections import IndexVocabulary
from search_index.schema import FILTERS
from search_index.synonyms import SynonymTable

FIELD_BOOSTS = {
    "acronym": 6.0,
    "name_fr": 4.0,
    "name_nl": 4.0,
    "other_fr": 3.0,
    "other_nl": 3.0,
    "tags_fr": 2.0,
    "tags_nl": 2.0,
    "place": 1.5,
    "desc_fr": 1.0,
    "desc_nl": 1.0,
}
SYNONYM_WEIGHT = 0.6
# A Dutch compound typed whole whose parts lie in different fields of a record, or are named by synonyms
# ("daklozenopvang": "opvang" in the name, "sans-abri" in the public): below a match of the compound itself.
COMPOUND_PARTS_WEIGHT = 0.6
TIEBREAK = 0.1
SHORT_WORD = 3
PREFIX_WEIGHT = 0.6
FUZZY_WEIGHT = 0.35
PREFIX_CANDIDATES = 5
FUZZY_CANDIDATES = 4
MAX_QUERY_WORDS = 12

ANALYZERS = {"fr": french_analyzer(), "nl": dutch_analyzer(), "plain": plain_analyzer()}
FIELD_LANG = {
    "name_fr": "fr",
    "desc_fr": "fr",
    "tags_fr": "fr",
    "other_fr": "fr",
    "name_nl": "nl",
    "desc_nl": "nl",
    "tags_nl": "nl",
    "other_nl": "nl",
    "acronym": "plain",
    "place": "plain",
}


@lru_cache(maxsize=50000)
def analyse(lang: str, word: str) -> tuple[str, ...]:
    return tuple(t.text for t in ANALYZERS[lang](word, mode="query"))


def field_terms(field_name: str, word: str, weight: float, vocabulary: IndexVocabulary) -> list[wq.Query]:
    # Short words are acronyms ("vih", "ivg", "sdf"): not stemmed, so they are not mistaken for others.
    terms = analyse("plain" if len(word) <= SHORT_WORD else FIELD_LANG[field_name], word)
    if not terms:
        return []
    present = vocabulary.field_terms(field_name)
    boost = FIELD_BOOSTS[field_name] * weight
    found = []
    if terms[0] in present:
        found.append(wq.Term(field_name, terms[0], boost=boost))
    if len(terms) > 1 and all(t in present for t in terms[1:]):
        # A Dutch compound typed whole: its parts match too.
        found.append(wq.And([wq.Term(field_name, t, boost=boost * 0.7) for t in terms[1:]]))
    return found


def word_query(word: str, weight: float, vocabulary: IndexVocabulary) -> wq.Query | None:
    """The word in every field, in each field's language; None when no field holds it (so that queries
    stay small: a term that is not in the index is never asked for)."""
    subqueries = [q for name in FIELD_BOOSTS for q in field_terms(name, word, weight, vocabulary)]
    if not subqueries:
        return None
    return subqueries[0] if len(subqueries) == 1 else wq.Or(subqueries)


def phrase_query(phrase: tuple[str, ...], weight: float, vocabulary: IndexVocabulary) -> wq.Query | None:
    """Every meaningful word of the phrase (in any field); None if one of them is nowhere."""
    meaningful = [w for w in phrase if w not in STOP_WORDS] or list(phrase)
    parts = []
    for word in meaningful:
        q = word_query(word, weight, vocabulary)
        if q is None:
            return None
        parts.append(q)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def field_phrase_query(
    phrase: tuple[str, ...], weight: float, vocabulary: IndexVocabulary
) -> wq.Query | None:
    """Every meaningful word of the phrase in one same field: a synonym names one concept, so
    "centre public d'action sociale" must not be pieced together from a name, a public and a category."""
    meaningful = [w for w in phrase if w not in STOP_WORDS] or list(phrase)
    if len(meaningful) == 1:
        return word_query(meaningful[0], weight, vocabulary)
    per_field = []
    for name in FIELD_BOOSTS:
        parts = []
        for word in meaningful:
            found = field_terms(name, word, weight, vocabulary)
            if not found:
                break
            parts.append(found[0] if len(found) == 1 else wq.Or(found))
        else:
            per_field.append(wq.And(parts))
    if not per_field:
        return None
    return per_field[0] if len(per_field) == 1 else wq.Or(per_field)


def with_synonyms(
    phrase: tuple[str, ...], synonyms: SynonymTable, weight: float, vocabulary: IndexVocabulary
) -> wq.Query | None:
    options = [phrase_query(phrase, weight, vocabulary)]
    options += [
        field_phrase_query(alt, weight * SYNONYM_WEIGHT, vocabulary) for alt in synonyms.alternatives(phrase)
    ]
    return best_of(options)


def best_of(options: list[wq.Query | None]) -> wq.Query | None:
    """The best-scoring reading of one thing asked (typed word, synonym, completion, correction): the
    readings do not add up, so an organisation matching many synonyms does not outrank one matching the
    very word typed."""
    options = [q for q in options if q is not None]
    if not options:
        return None
    return options[0] if len(options) == 1 else wq.DisjunctionMax(options, tiebreak=TIEBREAK)


@dataclass
class Unit:
    """One thing the person asked for: a word, a hyphenated word, or a phrase the synonym table knows."""

    phrase: tuple[str, ...]
    is_last_word: bool = False
    parts: tuple[str, ...] = ()  # the pieces of a hyphenated word ("saint-gilles" -> saint, gilles)
    group: int | None = None  # which typed word it comes from (None: a synonym phrase)

    @property
    def word(self) -> str | None:
        return self.phrase[0] if len(self.phrase) == 1 else None


HYPHENATED_RE = re.compile(r"\w+(?:-\w+)*")


def units_of(text: str, synonyms: SynonymTable) -> list[Unit]:
    tokens: list[str] = []
    group_of: list[int] = []  # which typed (maybe hyphenated) word each token comes from
    for group, typed in enumerate(HYPHENATED_RE.findall(fold(text))):
        for piece in typed.split("-"):
            tokens.append(piece)
            group_of.append(group)
    tokens, group_of = tokens[:MAX_QUERY_WORDS], group_of[:MAX_QUERY_WORDS]
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        for size in range(min(synonyms.longest, len(tokens) - i), 1, -1):
            phrase = tuple(tokens[i : i + size])
            if phrase in synonyms:
                units.append(Unit(phrase))
                i += size
                break
        else:
            units.append(Unit((tokens[i],), group=group_of[i]))
            i += 1
    # A hyphenated word no synonym knows is one unit: its joined form (indexed as such) or its pieces.
    merged: list[Unit] = []
    for unit in units:
        previous = merged[-1] if merged else None
        if unit.group is not None and previous is not None and previous.group == unit.group:
            pieces = (previous.parts or previous.phrase) + unit.phrase
            merged[-1] = Unit(("".join(pieces),), parts=pieces, group=unit.group)
            continue
        merged.append(unit)
    meaningful = [u for u in merged if u.parts or not (u.word and u.word in STOP_WORDS)]
    units = meaningful or merged
    if units and units[-1].word and text and not text[-1].isspace():
        units[-1].is_last_word = True
    return units


def unit_query(
    unit: Unit, synonyms: SynonymTable, vocabulary: IndexVocabulary, *, fuzzy: bool
) -> wq.Query | None:
    options = [with_synonyms(unit.phrase, synonyms, 1.0, vocabulary)]
    if unit.parts:
        options.append(phrase_query(unit.parts, 1.0, vocabulary))
    word = unit.word
    parts = split_compound(word) if word and len(word) >= 2 * MIN_PART else ()
    if len(parts) > 1:
        # Each part with its synonyms, in whatever fields: "daklozenopvang" finds "Nachtopvang" whose
        # public is "sans-abri" ("daklozen" names it).
        part_queries = [with_synonyms((part,), synonyms, COMPOUND_PARTS_WEIGHT, vocabulary) for part in parts]
        if all(q is not None for q in part_queries):
            options.append(wq.And(part_queries))
    if word and unit.is_last_word and len(word) >= 2 and not word.isdigit():
        for completion in vocabulary.completions(word, PREFIX_CANDIDATES):
            options.append(phrase_query((completion,), PREFIX_WEIGHT, vocabulary))
    if word and fuzzy and word not in vocabulary.known:
        for correction, distance in vocabulary.corrections(word, FUZZY_CANDIDATES):
            options.append(with_synonyms((correction,), synonyms, FUZZY_WEIGHT / distance, vocabulary))
    return best_of(options)


def active_filters(filters: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    """The filters that narrow something: facet name -> accepted values (one of them is enough)."""
    active = {}
    for name, values in (filters or {}).items():
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}")
        values = [str(v) for v in ([values] if isinstance(values, str) else values) if str(v)]
        if values:
            active[name] = values
    return active


def filters_query(active: Mapping[str, list[str]]) -> wq.Query | None:
    if not active:
        return None
    clauses = [wq.Or([wq.Term(name, v) for v in values]) for name, values in active.items()]
    return wq.ConstantScoreQuery(wq.And(clauses), 0.0)
