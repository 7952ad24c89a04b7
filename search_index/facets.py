"""Facet counts: how many matches per category, public, basin, commune and language, a chosen facet still
counting its other values."""

from __future__ import annotations

from collections.abc import Mapping

from search_index.results import FacetCount
from search_index.schema import FACETS, FILTERS
from search_index.store import SearchIndex


def facet_counts(
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
