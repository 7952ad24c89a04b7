"""Typo tolerance: the index's own vocabulary, completions of the word being typed, corrections within an
edit distance that grows with the word's length, and the "did you mean" suggestion."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search_index.store import SearchIndex

if TYPE_CHECKING:
    from search_index.building import Unit


class IndexVocabulary:
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


def index_vocabulary(index: SearchIndex, searcher) -> IndexVocabulary:
    cache = index.reader_cache()
    vocabulary = cache.get("vocabulary")
    if vocabulary is None:
        vocabulary = cache["vocabulary"] = IndexVocabulary(searcher)
    return vocabulary


def spelling_suggestion(units: list[Unit], vocabulary: IndexVocabulary) -> str | None:
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
