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

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from whoosh import collectors
from whoosh import query as wq
from whoosh.searching import Hit

from search_index.building import active_filters, filters_query, unit_query, units_of
from search_index.corrections import index_vocabulary, spelling_suggestion
from search_index.expansion import covers_all, needs_query
from search_index.facets import facet_counts
from search_index.needs import NeedsThesaurus, shipped_thesaurus
from search_index.ranking import rerank
from search_index.results import FacetCount, SearchHit, SearchResult, Snippet
from search_index.snippets import make_hit
from search_index.store import SearchIndex
from search_index.synonyms import DEFAULT_SYNONYMS, SynonymTable

__all__ = ["FacetCount", "SearchHit", "SearchResult", "Snippet", "search", "synonym_table"]

logger = logging.getLogger(__name__)


class _Shipped:
    """The default of ``search(needs=...)``: the thesaurus the product ships."""


SHIPPED = _Shipped()
FEW = 3  # fewer exact hits than this: try corrected words, offer a suggestion
RERANK_WINDOW = 40


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
    needs: NeedsThesaurus | None | _Shipped = SHIPPED,
    highlights: bool = True,
    order: Callable[[int], float] | None = None,
) -> SearchResult:
    """Search the live index.

    ``filters`` maps facet names (category, public, basin, commune, language) to accepted values;
    ``synonyms`` is a ``SynonymTable`` or extra lines ("a, b, c") added to ``DEFAULT_SYNONYMS``;
    ``territory`` (a basin code) raises nearby results a little; ``needs``, a thesaurus (the shipped one
    unless given, None for none), adds the organisations that answer the needs the text names (below those
    whose record holds the words; their hits name the needs in ``via_needs``). An empty text lists everything
    that matches the filters. ``highlights=False`` leaves the hits without snippets, for callers that do not
    show them (each one costs). ``order`` sorts every match (not only the best) by a key of the
    organisation's id, smallest first, relevance breaking ties: the "near" sort passes a distance. Raises ``IndexUnavailable`` when there is no usable index, ``ValueError`` for an
    unknown filter.
    """
    started = time.perf_counter()
    thesaurus = shipped_thesaurus() if isinstance(needs, _Shipped) else needs
    table = synonyms if isinstance(synonyms, SynonymTable) else synonym_table(tuple(synonyms or ()))
    limit = max(1, min(int(limit), 100))
    page = max(1, int(page))
    active = active_filters(filters)
    for attempt in range(3):
        try:
            searcher = index.searcher()
            result = _run(
                index,
                searcher,
                text,
                active,
                limit,
                page,
                table,
                territory,
                with_facets,
                thesaurus,
                highlights,
                order,
            )
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


def _run(
    index,
    searcher,
    text,
    active,
    limit,
    page,
    table,
    territory,
    with_facets,
    thesaurus,
    highlights=True,
    order=None,
) -> SearchResult:
    filter_query = filters_query(active)
    vocabulary = index_vocabulary(index, searcher)
    units = units_of(text, table)
    # Sorted by something else than relevance, every match is ranked: the page may come from anywhere.
    window = max(1, searcher.doc_count_all()) if order is not None else page * limit + RERANK_WINDOW
    matches = thesaurus.match(text) if thesaurus is not None and units else []

    def build(fuzzy: bool, conjunction: bool) -> wq.Query | None:
        """The query of what was typed; the filters are added when it runs."""
        parts = [unit_query(u, table, vocabulary, fuzzy=fuzzy) for u in units]
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
    conjunctive = True  # every word typed (maybe corrected) is in each result
    exact = None
    if not units:
        q = wq.Every()
        results = _search(searcher, filter_query if filter_query is not None else q, window)
    else:
        q = build(fuzzy=False, conjunction=True)
        results = exact = run(q)
        if results is None or results.scored_length() < FEW:
            fuzzy_q = build(fuzzy=True, conjunction=True)
            every_word = fuzzy_q is not None
            if fuzzy_q is None and len(units) > 1:
                fuzzy_q = build(fuzzy=True, conjunction=False)
            fuzzy_results = run(fuzzy_q)
            if fuzzy_results is not None and fuzzy_results.scored_length() == 0 and len(units) > 1:
                fuzzy_q = build(fuzzy=True, conjunction=False)
                fuzzy_results = run(fuzzy_q)
                every_word = False
            if fuzzy_results is not None and (
                results is None or fuzzy_results.scored_length() > results.scored_length()
            ):
                q, results, corrected = fuzzy_q, fuzzy_results, True
                conjunctive = every_word

    # The needs the text names: what answers them comes after the records holding the words typed, and
    # before those found only by correcting the words.
    need_q, need_results = None, None
    if matches:
        need_q = needs_query(matches, units, vocabulary, index.labels(), conjunction=True)
        need_results = run(need_q)
        if (need_results is None or need_results.scored_length() == 0) and len(
            {m.words for m in matches}
        ) > 1:
            need_q = needs_query(matches, units, vocabulary, index.labels(), conjunction=False)
            need_results = run(need_q)
        if need_results is not None and need_results.scored_length() == 0:
            need_q, need_results = None, None
    need_codes = tuple(m.code for m in matches)
    explained = bool(matches) and covers_all(matches, units)

    if results is None and need_results is None:
        suggestion = None if explained else spelling_suggestion(units, vocabulary)
        return SearchResult(
            [],
            0,
            facet_counts(index, searcher, set()) if with_facets else {},
            suggestion,
            page,
            limit,
            needs=tuple(matches),
        )

    tiers: list[tuple]
    if need_results is None:
        tiers = [(results, ())]
        queries = [q]
    elif corrected:
        # Corrected words are guesses: when every word was found (maybe corrected), the records that also
        # answer the need well come first; the other corrected results come last.
        tiers = [(exact, ())]
        if conjunctive:
            best = max((hit.score or 0.0) for hit in need_results)
            answering = {hit.docnum for hit in need_results if (hit.score or 0.0) >= best / 2}
            tiers.append((results, (), answering))
        tiers += [(need_results, need_codes), (results, ())]
        queries = [q, need_q]
    else:
        tiers = [(results, ()), (need_results, need_codes)]
        queries = [q, need_q]
    ranked: list[tuple[Hit, float, tuple[str, ...]]] = []
    docset: set[int] = set()
    for tier, via, *among in tiers:
        if tier is None:
            continue
        for hit, score in rerank(tier, territory):
            if hit.docnum not in docset and (not among or hit.docnum in among[0]):
                docset.add(hit.docnum)
                ranked.append((hit, score, via))
        if not among:
            docset |= tier.docs()
    if order is not None:
        ranked.sort(key=lambda item: order(int(item[0]["id"])))  # stable: relevance breaks ties
    total = len(docset)
    start = (page - 1) * limit
    hits = [make_hit(hit, score, via, highlights) for hit, score, via in ranked[start : start + limit]]
    facets = {}
    if with_facets:
        # A chosen facet still counts its other values (as if it were not chosen), so a person sees
        # where else to look: the text's matches without the filters, narrowed in memory by the others.
        unfiltered = (
            set().union(*(_search(searcher, x, 1).docs() for x in queries if x is not None))
            if active
            else docset
        )
        facets = facet_counts(index, searcher, docset, unfiltered, active)
    suggestion = (
        spelling_suggestion(units, vocabulary)
        if units and not explained and (total < FEW or corrected)
        else None
    )
    return SearchResult(hits, total, facets, suggestion, page, limit, corrected, needs=tuple(matches))
