"""Hits as results: stored fields, and the matching words of names and descriptions marked in snippets."""

from __future__ import annotations

import re

from search_index.building import FIELD_LANG, analyse
from search_index.results import SearchHit, Snippet

HIGHLIGHT_FIELDS = ("name_fr", "name_nl", "acronym", "desc_fr", "desc_nl")
SNIPPET_CHARS = 180


def make_hit(hit, score: float, via_needs: tuple[str, ...] = (), with_highlights: bool = True) -> SearchHit:
    """A result; ``with_highlights=False`` leaves out the snippets (each one costs)."""
    stored = hit.fields()
    matched: dict[str, set[str]] = {}
    for field_name, term in (
        hit.matched_terms() if with_highlights and hit.results.has_matched_terms() else ()
    ):
        matched.setdefault(field_name, set()).add(term.decode("utf-8") if isinstance(term, bytes) else term)
    highlights = {}
    for field_name in HIGHLIGHT_FIELDS:
        value = stored.get(field_name) or ""
        if value and matched.get(field_name):
            snippet = field_snippet(field_name, value, matched[field_name])
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
        via_needs=via_needs,
    )


def field_snippet(field_name: str, value: str, terms: set[str]) -> Snippet | None:
    lang = FIELD_LANG[field_name]
    fragments: list[tuple[str, bool]] = []
    position, first_match = 0, None
    for m in re.finditer(r"\w+", value):
        is_match = bool(set(analyse(lang, m.group())) & terms)
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
