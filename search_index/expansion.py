"""The needs a text names, as Whoosh queries: the organisations of the categories and publics that answer them,
and those whose record holds the words such services write, scored by the thesaurus weights.

A category is found by its code in the index, or, for a source that numbers its categories (social.brussels),
by its French or Dutch label: the thesaurus names the project's codes (``directory_import.vocabulary``).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping

from whoosh import matching
from whoosh import query as wq

from directory_import.vocabulary import CATEGORIES
from search_index.analysis import STOP_WORDS, fold, words
from search_index.building import Unit, field_phrase_query, field_terms, unit_query
from search_index.corrections import IndexVocabulary
from search_index.needs import NeedMatch, word_keys
from search_index.synonyms import SynonymTable
from search_index.writer import slug

NEED_SCALE = 2.0  # a need's full weight, in score points (a rest word adds its own text score)
TERM_WEIGHT = 0.3  # a service's own word ("psychologique") counts less than its category
OTHER_WORD_SCORE = 0.1  # each other word typed that a record holds: orders the answers of equal weight


class BestOf(wq.WrappingQuery):
    """Each document scores the best score of the ways it matches ((query, score) pairs); the ways do not
    add up. (Whoosh's ``DisjunctionMax`` over constant-score matchers gives the best score to every match.)"""

    def __init__(self, ways: list[tuple[wq.Query, float]]) -> None:
        super().__init__(wq.Or([q for q, _ in ways]))
        self.ways = ways

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__ and self.ways == other.ways

    def __hash__(self):
        return hash(tuple((q, s) for q, s in self.ways))

    def _rewrap(self, child):
        return self

    def matcher(self, searcher, context=None):
        from whoosh.searching import SearchContext

        best: dict[int, float] = {}
        for q, score in self.ways:
            m = q.matcher(searcher, context or SearchContext())
            if isinstance(m, matching.NullMatcherClass):
                continue
            for docnum in m.all_ids():
                if best.get(docnum, -1.0) < score:
                    best[docnum] = score
        if not best:
            return matching.NullMatcher()
        ids = sorted(best)
        return matching.ListMatcher(array("I", ids), weights=array("f", [best[i] for i in ids]))


# Words that name each of the project's categories in other sources' labels ("Aide aux sans-abri",
# "Accueil des migrants"): a source's category whose label holds all the words of one of them is that category.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "mm": ("maison medicale", "wijkgezondheidscentrum", "centre de sante", "medecine generale", "huisarts"),
    "ssm": ("sante mentale", "geestelijke gezondheid", "geestelijke gezondheidszorg", "guidance"),
    "cpas": ("cpas", "ocmw", "centre public d'action sociale"),
    "logement": ("logement", "huisvesting", "wonen"),
    "aidealim": ("alimentaire", "voedselhulp", "voedsel"),
    "assuetudes": ("assuetudes", "verslaving", "verslavingszorg", "toxicomanie", "drogues", "addictions"),
    "perinatal": ("perinatalite", "perinatal", "perinatale", "naissance", "geboorte"),
    "palliatif": ("palliatifs", "palliatieve", "palliatief"),
    "justice": ("justiciables", "detenus", "justitieel", "justitiehulp", "gedetineerden"),
    "sansabri": (
        "sans-abri",
        "sans abri",
        "sans-abrisme",
        "thuisloosheid",
        "thuislozen",
        "thuislozenzorg",
        "daklozen",
    ),
    "domicile": ("domicile", "thuiszorg"),
    "jeunesse": ("jeunesse", "jeugd", "jeugdhulp"),
    "seniors": ("personnes agees", "ouderen", "ouderenzorg", "seniors", "aines"),
    "cas": ("action sociale globale", "algemeen welzijnswerk"),
    "planning": ("planning familial", "gezinsplanning"),
    "handicap": ("handicap", "beperking"),
    "migrants": ("migrants", "migrantes", "exilees", "migranten", "vluchtelingen", "refugies"),
    "dettes": ("dettes", "schuldbemiddeling", "surendettement"),
    "emploi": ("socioprofessionnelle", "tewerkstelling", "emploi"),
    "violences": (
        "violences conjugales",
        "partnergeweld",
        "intrafamiliaal geweld",
        "violences intrafamiliales",
    ),
}


def _label_keys(text: str) -> list[frozenset[str]]:
    return [word_keys(w) for w in words(text.replace("-", " ")) if w not in STOP_WORDS]


def _names_category(label: str, project_code: str) -> bool:
    tokens = _label_keys(label)
    for phrase in CATEGORY_WORDS.get(project_code, ()):
        wanted = _label_keys(phrase)
        if wanted and all(any(w & t for t in tokens) for w in wanted):
            return True
    return False


_resolved: dict[tuple[str, int, int, int], list[str]] = {}


def category_codes(code: str, labels: Mapping[str, Mapping[str, str]], known: frozenset[str]) -> list[str]:
    """The index's category values for one of the project's codes: the code itself, any code whose label is
    the project's label for it, and any whose label holds the words that name it (``CATEGORY_WORDS``).
    Remembered per generation of the index (its labels and vocabulary objects)."""
    key = (code, id(labels), len(labels), id(known))
    found = _resolved.get(key)
    if found is None:
        if len(_resolved) > 5000:
            _resolved.clear()
        found = _resolved[key] = _category_codes(code, labels, known)
    return found


def _category_codes(code: str, labels: Mapping[str, Mapping[str, str]], known: frozenset[str]) -> list[str]:
    found = [code] if code in known else []
    names = CATEGORIES.get(code)
    if names:
        wanted = {fold(n) for n in names if n}
        for other, label in labels.items():
            if other == code or other not in known:
                continue
            texts = (label.get("fr", ""), label.get("nl", ""))
            if {fold(t) for t in texts} & wanted or any(_names_category(t, code) for t in texts if t):
                found.append(other)
    return found


def _tags_phrase(label: str, vocabulary: IndexVocabulary) -> wq.Query | None:
    """A category label in the tags fields (every word in one same field)."""
    tokens = [w for w in words(label) if w not in STOP_WORDS]
    per_field = []
    for name in ("tags_fr", "tags_nl"):
        parts = []
        for word in tokens:
            found = field_terms(name, word, 1.0, vocabulary)
            if not found:
                break
            parts.append(found[0])
        else:
            if parts:
                per_field.append(wq.And(parts) if len(parts) > 1 else parts[0])
    if not per_field:
        return None
    return per_field[0] if len(per_field) == 1 else wq.Or(per_field)


def need_ways(
    match: NeedMatch, vocabulary: IndexVocabulary, labels: Mapping[str, Mapping[str, dict]]
) -> list[tuple[wq.Query, float]]:
    """The ways an organisation answers one need, each with its score (from the thesaurus weights and the
    match quality); empty when nothing in the index answers it."""
    entry, quality = match.entry, match.quality
    known_categories = vocabulary.field_terms("category")
    known_publics = vocabulary.field_terms("public")
    category_labels = labels.get("category", {})
    ways: list[tuple[wq.Query, float]] = []
    for code, weight in entry.categories.items():
        if weight <= 0:
            continue
        score = NEED_SCALE * weight * quality
        values = category_codes(code, category_labels, known_categories)
        for value in values:
            ways.append((wq.Term("category", value), score))
        if not values and code in CATEGORIES:
            # Nothing carries the category as such: its names among the category and public labels.
            for label in dict.fromkeys(CATEGORIES[code] + CATEGORY_WORDS.get(code, ())):
                phrase = _tags_phrase(label, vocabulary)
                if phrase is not None:
                    ways.append((phrase, score * 0.9))
    for public, weight in entry.publics.items():
        value = slug(public)
        if weight > 0 and value in known_publics:
            ways.append((wq.Term("public", value), NEED_SCALE * weight * quality * 0.8))
    for term in entry.terms:
        q = field_phrase_query(tuple(words(term)), 1.0, vocabulary)
        if q is not None:
            ways.append((q, NEED_SCALE * TERM_WEIGHT * quality))
    return ways


def _unit_tokens(unit: Unit) -> tuple[str, ...]:
    return unit.parts or unit.phrase


def covers_all(matches: list[NeedMatch], units: list[Unit]) -> bool:
    """Whether the needs found explain every thing typed (then no "did you mean" is offered)."""
    covered = {w for m in matches for w in m.words}
    return all(set(_unit_tokens(u)) <= covered for u in units)


def needs_query(
    matches: list[NeedMatch],
    units: list[Unit],
    vocabulary: IndexVocabulary,
    labels: Mapping[str, Mapping[str, dict]],
    *,
    conjunction: bool = True,
) -> wq.Query | None:
    """The organisations answering the needs of ``matches`` (every need, or any when not ``conjunction``),
    in the places typed besides ("dépression anderlecht"); each other word typed raises those whose record
    holds it a little (never above a better-weighted answer). None when nothing answers."""
    groups: dict[tuple[str, ...], list[tuple[wq.Query, float]]] = {}
    for match in matches:
        ways = need_ways(match, vocabulary, labels)
        if ways:
            groups.setdefault(match.words, []).extend(ways)
    if not groups:
        return None
    needs: list[wq.Query] = [BestOf(ways) for ways in groups.values()]
    combined = needs[0] if len(needs) == 1 else (wq.And(needs) if conjunction else wq.Or(needs))
    covered = {w for m in matches for w in m.words}
    places = vocabulary.field_terms("place")
    required, optional = [combined], []
    for unit in units:
        tokens = _unit_tokens(unit)
        if set(tokens) <= covered:
            continue
        if all(t in places for t in tokens):
            q = unit_query(unit, SynonymTable(), vocabulary, fuzzy=False)
            if q is not None:
                required.append(BestOf([(q, 0.0)]))  # a place narrows, it does not rank
                continue
        q = unit_query(unit, SynonymTable(), vocabulary, fuzzy=True)
        if q is not None:
            optional.append(BestOf([(q, OTHER_WORD_SCORE)]))
    query = required[0] if len(required) == 1 else wq.And(required)
    if optional:
        query = wq.AndMaybe(query, optional[0] if len(optional) == 1 else wq.Or(optional))
    return query
