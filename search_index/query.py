"""Searching the index: what a person types -> ranked organisations, facet counts, a spelling suggestion.

How a query is understood:

1. The text is folded (case, accents) and cut into words; sector phrases ("maison médicale", "fin de vie")
   are recognised first and expanded with their synonyms in both languages.
2. Each word must match somewhere (any field, any language): names weigh most, then categories and
   publics, places, descriptions. French fields see French stems, Dutch fields Dutch stems and compound
   parts; the last word also matches as a prefix while the person is typing.
3. When exact words find few organisations, words are corrected (edit distance 1 or 2 by length, against
   the index's own vocabulary) with a lower weight, so an exact match always ranks above a corrected one;
   a "did you mean" suggestion is returned.
4. The person's territory raises results nearby by a small factor, which reorders near-equals only and
   never removes a result.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import collectors
from whoosh import query as wq

from directory_import.models import name_in
from directory_import.territory import BASIN_NEIGHBOURS
from search_index.analysis import STOP_WORDS, dutch_analyzer, fold, french_analyzer, plain_analyzer
from search_index.schema import FACETS, FILTERS
from search_index.store import SearchIndex
from search_index.synonyms import DEFAULT_SYNONYMS, SynonymTable

logger = logging.getLogger(__name__)

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
TIEBREAK = 0.1
SHORT_WORD = 3
PREFIX_WEIGHT = 0.6
FUZZY_WEIGHT = 0.35
FEW = 3  # fewer exact hits than this: try corrected words, offer a suggestion
PREFIX_CANDIDATES = 5
FUZZY_CANDIDATES = 4
SAME_BASIN_FACTOR = 1.10
NEIGHBOUR_FACTOR = 1.03
RERANK_WINDOW = 40
MAX_QUERY_WORDS = 12
SNIPPET_CHARS = 180

_ANALYZERS = {"fr": french_analyzer(), "nl": dutch_analyzer(), "plain": plain_analyzer()}
_FIELD_LANG = {
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
HIGHLIGHT_FIELDS = ("name_fr", "name_nl", "acronym", "desc_fr", "desc_nl")


# --- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snippet:
    """A piece of stored text cut into fragments, each marked as matching or not."""

    field: str
    fragments: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.fragments)

    def html(self) -> str:
        """Escaped text with matches in ``<mark>``: safe to insert in a page whatever the data holds."""
        return "".join(f"<mark>{escape(t)}</mark>" if hit else escape(t) for t, hit in self.fragments)


@dataclass(frozen=True)
class SearchHit:
    id: int
    score: float
    source: str
    source_id: str
    name_fr: str
    name_nl: str
    acronym: str
    postcode: str
    basin: str
    highlights: dict[str, Snippet] = field(default_factory=dict)

    def name_in(self, language: str) -> str:
        """Its name for a reader of ``language``, by the rule of ``Organisation.name_in``."""
        return name_in(language, (self.name_fr, self.name_nl), last=self.source_id)


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    label_fr: str = ""
    label_nl: str = ""

    def label(self, locale: str) -> str:
        first, second = (self.label_nl, self.label_fr) if locale == "nl" else (self.label_fr, self.label_nl)
        return first or second or self.value


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    page: int = 1
    limit: int = 10
    corrected: bool = False  # some words were matched with typo tolerance
    degraded: bool = False  # answered without the index (plain SQL), see helpdesk
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1


# --- query building --------------------------------------------------------------------------------
@lru_cache(maxsize=50000)
def _analyse(lang: str, word: str) -> tuple[str, ...]:
    return tuple(t.text for t in _ANALYZERS[lang](word, mode="query"))


def _field_terms(field_name: str, word: str, weight: float, vocabulary: _Vocabulary) -> list[wq.Query]:
    # Short words are acronyms ("vih", "ivg", "sdf"): not stemmed, so they are not mistaken for others.
    terms = _analyse("plain" if len(word) <= SHORT_WORD else _FIELD_LANG[field_name], word)
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


def _word_query(word: str, weight: float, vocabulary: _Vocabulary) -> wq.Query | None:
    """The word in every field, in each field's language; None when no field holds it (so that queries
    stay small: a term that is not in the index is never asked for)."""
    subqueries = [q for name in FIELD_BOOSTS for q in _field_terms(name, word, weight, vocabulary)]
    if not subqueries:
        return None
    return subqueries[0] if len(subqueries) == 1 else wq.Or(subqueries)


def _phrase_query(phrase: tuple[str, ...], weight: float, vocabulary: _Vocabulary) -> wq.Query | None:
    """Every meaningful word of the phrase (in any field); None if one of them is nowhere."""
    meaningful = [w for w in phrase if w not in STOP_WORDS] or list(phrase)
    parts = []
    for word in meaningful:
        q = _word_query(word, weight, vocabulary)
        if q is None:
            return None
        parts.append(q)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _field_phrase_query(phrase: tuple[str, ...], weight: float, vocabulary: _Vocabulary) -> wq.Query | None:
    """Every meaningful word of the phrase in one same field: a synonym names one concept, so
    "centre public d'action sociale" must not be pieced together from a name, a public and a category."""
    meaningful = [w for w in phrase if w not in STOP_WORDS] or list(phrase)
    if len(meaningful) == 1:
        return _word_query(meaningful[0], weight, vocabulary)
    per_field = []
    for name in FIELD_BOOSTS:
        parts = []
        for word in meaningful:
            found = _field_terms(name, word, weight, vocabulary)
            if not found:
                break
            parts.append(found[0] if len(found) == 1 else wq.Or(found))
        else:
            per_field.append(wq.And(parts))
    if not per_field:
        return None
    return per_field[0] if len(per_field) == 1 else wq.Or(per_field)


def _with_synonyms(
    phrase: tuple[str, ...], synonyms: SynonymTable, weight: float, vocabulary: _Vocabulary
) -> wq.Query | None:
    options = [_phrase_query(phrase, weight, vocabulary)]
    options += [
        _field_phrase_query(alt, weight * SYNONYM_WEIGHT, vocabulary) for alt in synonyms.alternatives(phrase)
    ]
    return _best_of(options)


def _best_of(options: list[wq.Query | None]) -> wq.Query | None:
    """The best-scoring reading of one thing asked (typed word, synonym, completion, correction): the
    readings do not add up, so an organisation matching many synonyms does not outrank one matching the
    very word typed."""
    options = [q for q in options if q is not None]
    if not options:
        return None
    return options[0] if len(options) == 1 else wq.DisjunctionMax(options, tiebreak=TIEBREAK)


@dataclass
class _Unit:
    """One thing the person asked for: a word, a hyphenated word, or a phrase the synonym table knows."""

    phrase: tuple[str, ...]
    is_last_word: bool = False
    parts: tuple[str, ...] = ()  # the pieces of a hyphenated word ("saint-gilles" -> saint, gilles)
    group: int | None = None  # which typed word it comes from (None: a synonym phrase)

    @property
    def word(self) -> str | None:
        return self.phrase[0] if len(self.phrase) == 1 else None


HYPHENATED_RE = re.compile(r"\w+(?:-\w+)*")


def _units(text: str, synonyms: SynonymTable) -> list[_Unit]:
    tokens: list[str] = []
    group_of: list[int] = []  # which typed (maybe hyphenated) word each token comes from
    for group, typed in enumerate(HYPHENATED_RE.findall(fold(text))):
        for piece in typed.split("-"):
            tokens.append(piece)
            group_of.append(group)
    tokens, group_of = tokens[:MAX_QUERY_WORDS], group_of[:MAX_QUERY_WORDS]
    units: list[_Unit] = []
    i = 0
    while i < len(tokens):
        for size in range(min(synonyms.longest, len(tokens) - i), 1, -1):
            phrase = tuple(tokens[i : i + size])
            if phrase in synonyms:
                units.append(_Unit(phrase))
                i += size
                break
        else:
            units.append(_Unit((tokens[i],), group=group_of[i]))
            i += 1
    # A hyphenated word no synonym knows is one unit: its joined form (indexed as such) or its pieces.
    merged: list[_Unit] = []
    for unit in units:
        previous = merged[-1] if merged else None
        if unit.group is not None and previous is not None and previous.group == unit.group:
            pieces = (previous.parts or previous.phrase) + unit.phrase
            merged[-1] = _Unit(("".join(pieces),), parts=pieces, group=unit.group)
            continue
        merged.append(unit)
    meaningful = [u for u in merged if u.parts or not (u.word and u.word in STOP_WORDS)]
    units = meaningful or merged
    if units and units[-1].word and text and not text[-1].isspace():
        units[-1].is_last_word = True
    return units


class _Vocabulary:
    """The folded words of the index (``all_plain``) with their document frequencies, for prefixes and typos."""

    def __init__(self, searcher) -> None:
        terms, freqs = [], []
        reader = searcher.reader()
        for term, info in reader.iter_field("all_plain"):
            terms.append(term.decode("utf-8") if isinstance(term, bytes) else term)
            freqs.append(info.doc_frequency())
        self.terms, self.freqs = terms, freqs
        self.known = set(terms)
        self._reader = reader
        self._fields: dict[str, frozenset[str]] = {}

    def field_terms(self, field_name: str) -> frozenset[str]:
        """Every term of one field (loaded once per searcher): unknown terms are left out of queries."""
        found = self._fields.get(field_name)
        if found is None:
            found = frozenset(
                t.decode("utf-8") if isinstance(t, bytes) else t for t in self._reader.lexicon(field_name)
            )
            self._fields[field_name] = found
        return found

    def completions(self, prefix: str, limit: int) -> list[str]:
        start = bisect.bisect_left(self.terms, prefix)
        end = bisect.bisect_left(self.terms, prefix + "\uffff")
        span = range(start, min(end, start + 2000))
        best = sorted(span, key=lambda i: -self.freqs[i])[:limit]
        return [self.terms[i] for i in best if self.terms[i] != prefix]

    def corrections(self, word: str, limit: int) -> list[tuple[str, int]]:
        maxdist = max_edits(word)
        if maxdist == 0:
            return []
        found = process.extract(word, self.terms, scorer=OSA.distance, score_cutoff=maxdist, limit=limit * 4)
        ranked = sorted(
            ((term, int(dist), -self.freqs[i]) for term, dist, i in found if term != word),
            key=lambda item: (item[1], item[2]),
        )
        return [(term, dist) for term, dist, _ in ranked[:limit]]


def max_edits(word: str) -> int:
    """Typos tolerated in a word: none up to 3 letters, 1 up to 6, 2 beyond."""
    if len(word) <= 3 or word.isdigit():
        return 0
    return 1 if len(word) <= 6 else 2


def _vocabulary(index: SearchIndex, searcher) -> _Vocabulary:
    cache = index.reader_cache()
    vocabulary = cache.get("vocabulary")
    if vocabulary is None:
        vocabulary = cache["vocabulary"] = _Vocabulary(searcher)
    return vocabulary


def _unit_query(
    unit: _Unit, synonyms: SynonymTable, vocabulary: _Vocabulary, *, fuzzy: bool
) -> wq.Query | None:
    options = [_with_synonyms(unit.phrase, synonyms, 1.0, vocabulary)]
    if unit.parts:
        options.append(_phrase_query(unit.parts, 1.0, vocabulary))
    word = unit.word
    if word and unit.is_last_word and len(word) >= 2 and not word.isdigit():
        for completion in vocabulary.completions(word, PREFIX_CANDIDATES):
            options.append(_phrase_query((completion,), PREFIX_WEIGHT, vocabulary))
    if word and fuzzy and word not in vocabulary.known:
        for correction, distance in vocabulary.corrections(word, FUZZY_CANDIDATES):
            options.append(_with_synonyms((correction,), synonyms, FUZZY_WEIGHT / distance, vocabulary))
    return _best_of(options)


def _active_filters(filters: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    """The filters that narrow something: facet name -> accepted values (one of them is enough)."""
    active = {}
    for name, values in (filters or {}).items():
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}")
        values = [str(v) for v in ([values] if isinstance(values, str) else values) if str(v)]
        if values:
            active[name] = values
    return active


def _filter_query(active: Mapping[str, list[str]]) -> wq.Query | None:
    if not active:
        return None
    clauses = [wq.Or([wq.Term(name, v) for v in values]) for name, values in active.items()]
    return wq.ConstantScoreQuery(wq.And(clauses), 0.0)


def _suggestion(units: list[_Unit], vocabulary: _Vocabulary) -> str | None:
    changed, out = False, []
    for unit in units:
        word = unit.word
        if (
            word
            and word not in vocabulary.known
            and not unit.is_last_word
            or (
                word
                and unit.is_last_word
                and word not in vocabulary.known
                and not vocabulary.completions(word, 1)
            )
        ):
            corrections = vocabulary.corrections(word, 1)
            if corrections:
                out.append(corrections[0][0])
                changed = True
                continue
        out.append(" ".join(unit.phrase))
    return " ".join(out) if changed else None


class _TopAndAllCollector(collectors.TopCollector):
    """The top N by score *and* the set of every match, in one pass (Whoosh's own collector re-runs the
    query to count, which doubles the cost of every search that shows a total and facets)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit, usequality=False)
        self.ids: set[int] = set()

    def _collect(self, global_docnum, score):
        self.ids.add(global_docnum)
        return super()._collect(global_docnum, score)

    def all_ids(self):
        return self.ids

    def count(self):
        return len(self.ids)


def _search(searcher, q, window: int):
    collector = collectors.TermsCollector(_TopAndAllCollector(window), settype=set)
    searcher.search_with_collector(q, collector)
    return collector.results()


# --- searching -------------------------------------------------------------------------------------
def search(
    index: SearchIndex,
    text: str,
    filters: Mapping[str, Iterable[str]] | None = None,
    limit: int = 10,
    page: int = 1,
    *,
    synonyms: SynonymTable | Iterable[str] | None = None,
    territory: str | None = None,
    with_facets: bool = True,
) -> SearchResult:
    """Search the live index.

    ``filters`` maps facet names (category, public, basin, commune, language) to accepted values;
    ``synonyms`` is a ``SynonymTable`` or extra lines ("a, b, c") added to ``DEFAULT_SYNONYMS``;
    ``territory`` (a basin code) raises nearby results a little. An empty text lists everything that
    matches the filters. Raises ``IndexUnavailable`` when there is no usable index, ``ValueError`` for an
    unknown filter.
    """
    started = time.perf_counter()
    table = synonyms if isinstance(synonyms, SynonymTable) else synonym_table(tuple(synonyms or ()))
    limit = max(1, min(int(limit), 100))
    page = max(1, int(page))
    active = _active_filters(filters)
    for attempt in range(3):
        try:
            searcher = index.searcher()
            result = _run(index, searcher, text, active, limit, page, table, territory, with_facets)
            break
        except (OSError, EOFError) as error:
            # A file vanished between opening and reading (a concurrent commit): reopen and retry.
            if attempt == 2:
                raise
            logger.info("search index: retrying after %r", error)
            index.reset_searcher()
    result.took_ms = (time.perf_counter() - started) * 1000
    return result


@lru_cache(maxsize=32)
def synonym_table(extra_lines: tuple[str, ...]) -> SynonymTable:
    """The shipped synonyms plus ``extra_lines`` (cached: the admin's list changes rarely)."""
    return SynonymTable.from_lines(DEFAULT_SYNONYMS + extra_lines)


def _run(index, searcher, text, active, limit, page, table, territory, with_facets) -> SearchResult:
    filter_query = _filter_query(active)
    vocabulary = _vocabulary(index, searcher)
    units = _units(text, table)
    window = page * limit + RERANK_WINDOW

    def build(fuzzy: bool, conjunction: bool) -> wq.Query | None:
        """The query of what was typed; the filters are added when it runs."""
        parts = [_unit_query(u, table, vocabulary, fuzzy=fuzzy) for u in units]
        if conjunction and any(p is None for p in parts):
            return None  # one thing asked for is nowhere in the index
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else (wq.And(parts) if conjunction else wq.Or(parts))

    def run(q: wq.Query | None):
        if q is None:
            return None
        return _search(searcher, wq.And([q, filter_query]) if filter_query is not None else q, window)

    corrected = False
    if not units:
        q = wq.Every()
        results = _search(searcher, filter_query if filter_query is not None else q, window)
    else:
        q = build(fuzzy=False, conjunction=True)
        results = run(q)
        if results is None or results.scored_length() < FEW:
            fuzzy_q = build(fuzzy=True, conjunction=True)
            if fuzzy_q is None and len(units) > 1:
                fuzzy_q = build(fuzzy=True, conjunction=False)
            fuzzy_results = run(fuzzy_q)
            if fuzzy_results is not None and fuzzy_results.scored_length() == 0 and len(units) > 1:
                fuzzy_q = build(fuzzy=True, conjunction=False)
                fuzzy_results = run(fuzzy_q)
            if fuzzy_results is not None and (
                results is None or fuzzy_results.scored_length() > results.scored_length()
            ):
                q, results, corrected = fuzzy_q, fuzzy_results, True
        if results is None:
            suggestion = _suggestion(units, vocabulary)
            return SearchResult(
                [], 0, _facets(index, searcher, set()) if with_facets else {}, suggestion, page, limit
            )

    docset = results.docs()
    total = len(docset)
    ranked = _rerank(results, territory)
    start = (page - 1) * limit
    hits = [_hit(hit, score) for hit, score in ranked[start : start + limit]]
    facets = {}
    if with_facets:
        # A chosen facet still counts its other values (as if it were not chosen), so a person sees
        # where else to look: the text's matches without the filters, narrowed in memory by the others.
        unfiltered = _search(searcher, q, 1).docs() if active else docset
        facets = _facets(index, searcher, docset, unfiltered, active)
    suggestion = _suggestion(units, vocabulary) if units and (total < FEW or corrected) else None
    return SearchResult(hits, total, facets, suggestion, page, limit, corrected)


def _rerank(results, territory: str | None) -> list[tuple[object, float]]:
    ranked = []
    neighbours = BASIN_NEIGHBOURS.get(territory or "", frozenset())
    for hit in results:
        score = hit.score or 0.0
        basin = hit.get("basin")
        if territory and basin == territory:
            score *= SAME_BASIN_FACTOR
        elif basin in neighbours:
            score *= NEIGHBOUR_FACTOR
        ranked.append((hit, score))
    ranked.sort(key=lambda item: -item[1])  # stable: equal scores keep Whoosh's order
    return ranked


def _hit(hit, score: float) -> SearchHit:
    stored = hit.fields()
    matched: dict[str, set[str]] = {}
    for field_name, term in hit.matched_terms() if hit.results.has_matched_terms() else ():
        matched.setdefault(field_name, set()).add(term.decode("utf-8") if isinstance(term, bytes) else term)
    highlights = {}
    for field_name in HIGHLIGHT_FIELDS:
        value = stored.get(field_name) or ""
        if value and matched.get(field_name):
            snippet = _snippet(field_name, value, matched[field_name])
            if snippet is not None:
                highlights[field_name] = snippet
    return SearchHit(
        id=int(stored["id"]),
        score=round(float(score), 4),
        source=stored.get("source", ""),
        source_id=stored.get("source_id", ""),
        name_fr=stored.get("name_fr", ""),
        name_nl=stored.get("name_nl", ""),
        acronym=stored.get("acronym", ""),
        postcode=stored.get("postcode", ""),
        basin=stored.get("basin", ""),
        highlights=highlights,
    )


def _snippet(field_name: str, value: str, terms: set[str]) -> Snippet | None:
    lang = _FIELD_LANG[field_name]
    fragments: list[tuple[str, bool]] = []
    position, first_match = 0, None
    for m in re.finditer(r"\w+", value):
        is_match = bool(set(_analyse(lang, m.group())) & terms)
        if not is_match:
            continue
        if first_match is None:
            first_match = m.start()
        fragments.append((value[position : m.start()], False))
        fragments.append((m.group(), True))
        position = m.end()
    if first_match is None:
        return None
    fragments.append((value[position:], False))
    if field_name.startswith("desc") and len(value) > SNIPPET_CHARS:
        fragments = _window(fragments, first_match)
    return Snippet(field_name, tuple((t, hit) for t, hit in fragments if t))


def _window(fragments: list[tuple[str, bool]], first_match: int) -> list[tuple[str, bool]]:
    """Cut a long text to about SNIPPET_CHARS around its first match, with ellipses."""
    begin = max(0, first_match - SNIPPET_CHARS // 3)
    end = begin + SNIPPET_CHARS
    out, offset = [], 0
    for text, hit in fragments:
        lo, hi = offset, offset + len(text)
        offset = hi
        if hi <= begin or lo >= end:
            continue
        piece = text[max(0, begin - lo) : len(text) - max(0, hi - end)]
        out.append((piece, hit))
    if begin > 0:
        out.insert(0, ("…", False))
    if end < offset:
        out.append(("…", False))
    return out


def _facets(
    index: SearchIndex,
    searcher,
    docset: set[int],
    unfiltered: set[int] | None = None,
    active: Mapping[str, list[str]] | None = None,
) -> dict[str, list[FacetCount]]:
    """Counts per facet value among ``docset``; a facet in ``active`` is counted among ``unfiltered``
    narrowed by the other active facets only."""
    active = active or {}
    cache = index.reader_cache()
    postings = cache.get("facet_postings")
    if postings is None:
        reader = searcher.reader()
        postings = {}
        for name in FILTERS:
            values = {}
            for term in reader.lexicon(name):
                value = term.decode("utf-8") if isinstance(term, bytes) else term
                matcher = reader.postings(name, value)
                values[value] = frozenset(matcher.all_ids())
            postings[name] = values
        cache["facet_postings"] = postings
    labels = index.labels()
    accepted = {
        name: frozenset().union(*(postings.get(name, {}).get(v, frozenset()) for v in values))
        for name, values in active.items()
    }
    facets: dict[str, list[FacetCount]] = {}
    for name, values in postings.items():
        if name not in FACETS:  # a filter only (``serves``): narrows the counts, is not counted itself
            continue
        among = docset
        if name in active and unfiltered is not None:
            among = set(unfiltered)
            for other, ids in accepted.items():
                if other != name:
                    among &= ids
        counts = []
        for value, ids in values.items():
            count = len(among & ids) if len(among) < len(ids) else len(ids & among)
            if count:
                label = labels.get(name, {}).get(value, {})
                counts.append(FacetCount(value, count, label.get("fr", ""), label.get("nl", "")))
        counts.sort(key=lambda f: (-f.count, f.value))
        facets[name] = counts
    return facets
