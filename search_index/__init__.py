"""The directory's full-text index: bilingual, typo-tolerant, faceted search over Whoosh.

The database is the truth and this index is derived from it. Nothing outside this package imports
``whoosh``: callers use ``SearchIndex``, ``rebuild``, ``update_organisations`` and ``search`` (given a
``NeedsThesaurus``, it also finds what answers the needs a text names).
"""

from search_index.needs import NeedEntry, NeedMatch, NeedsThesaurus, read_needs_csv
from search_index.query import FacetCount, SearchHit, SearchResult, Snippet, search
from search_index.store import IndexBusy, IndexStatus, IndexUnavailable, SearchIndex
from search_index.synonyms import DEFAULT_SYNONYMS, SynonymTable, parse_synonym_line
from search_index.writer import CatchUpTooLarge, catch_up, document_for, rebuild, update_organisations

__all__ = [
    "CatchUpTooLarge",
    "DEFAULT_SYNONYMS",
    "FacetCount",
    "IndexBusy",
    "IndexStatus",
    "IndexUnavailable",
    "NeedEntry",
    "NeedMatch",
    "NeedsThesaurus",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "Snippet",
    "SynonymTable",
    "document_for",
    "parse_synonym_line",
    "read_needs_csv",
    "catch_up",
    "rebuild",
    "search",
    "update_organisations",
]
