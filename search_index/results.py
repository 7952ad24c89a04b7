"""What a search returns: ranked hits with highlighted snippets, facet counts, paging, as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from directory_import.models import name_in
from search_index.needs import NeedMatch


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
    via_needs: tuple[str, ...] = ()  # found through these needs, not through the words typed

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
    needs: tuple[NeedMatch, ...] = ()  # the needs the text names (whether or not they found anything)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1
