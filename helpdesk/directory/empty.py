"""Why a search found nothing, and where to look instead: the filters that emptied it, the same search without
them, and the needs and categories its words resemble. Used by the directory page, the API and the request
page's lead search, so that no meaningful search ends on an empty page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from helpdesk.directory.search import search_directory, search_index
from helpdesk.orientation.needs import needs_thesaurus
from search_index import SearchResult
from search_index.needs import NeedEntry, resembling_labels
from search_index.store import IndexUnavailable

RESEMBLING = 5


@dataclass(frozen=True)
class CategoryLabel:
    code: str
    label_fr: str
    label_nl: str

    def label(self, locale: str) -> str:
        first, second = (self.label_nl, self.label_fr) if locale == "nl" else (self.label_fr, self.label_nl)
        return first or second or self.code


@dataclass
class EmptySearch:
    """What to tell a person whose search found nothing.

    ``reason`` is ``filters`` (the words match, the filters leave nothing: ``blocking`` names the filters
    that, removed one at a time, give results, and ``without_filters`` counts the matches without any)
    or ``no_match`` (nothing matches the words). ``needs`` and ``categories`` are what the words resemble;
    ``understood`` the needs the text named although nothing answers them here."""

    reason: str
    without_filters: int = 0
    blocking: list[str] = field(default_factory=list)
    needs: list[NeedEntry] = field(default_factory=list)
    categories: list[CategoryLabel] = field(default_factory=list)
    understood: list[NeedEntry] = field(default_factory=list)


def meaningful(text: str) -> bool:
    """A search worth explaining: some word of two characters or more."""
    return any(len(word) >= 2 for word in text.split())


def explain_empty(
    session: Session,
    text: str,
    filters: Mapping[str, Iterable[str]] | None,
    result: SearchResult,
    *,
    territory: str | None = None,
) -> EmptySearch | None:
    """The explanation of an empty ``result`` of ``search_directory(session, text, filters)``; None when the
    result is not empty or the search says nothing (no words, no filter)."""
    active = {k: [v for v in vs if v] for k, vs in (filters or {}).items()}
    active = {k: vs for k, vs in active.items() if vs}
    if result.total or result.degraded or not (meaningful(text) or active):
        return None
    report = EmptySearch(reason="no_match", understood=[m.entry for m in result.needs])
    if active:
        unfiltered = search_directory(session, text, None, limit=1, territory=territory, with_facets=False)
        report.without_filters = unfiltered.total
        if unfiltered.total:
            report.reason = "filters"
            for name in active:
                rest = {k: v for k, v in active.items() if k != name}
                if search_directory(session, text, rest, limit=1, with_facets=False).total:
                    report.blocking.append(name)
    if meaningful(text):
        understood = {e.code for e in report.understood}
        report.needs = [
            e for e in needs_thesaurus(session).resembling(text, RESEMBLING + 2) if e.code not in understood
        ][:RESEMBLING]
        try:
            labels = search_index().labels().get("category", {})
        except (IndexUnavailable, OSError):
            labels = {}
        report.categories = [
            CategoryLabel(code, labels[code].get("fr", ""), labels[code].get("nl", ""))
            for code in resembling_labels(text, labels, RESEMBLING)
        ]
    return report
