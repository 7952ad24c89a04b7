"""The needs thesaurus: the problems professionals describe ("dépression", "schulden", "dormir ce soir"), each
mapped to the directory categories, publics and request themes that answer it, with weights.

A text is matched against every French, Dutch and English phrase of the entries, whatever its accents,
plural or typos: each word of a phrase must match a word of the text in order (stop words aside), exactly,
by its French or Dutch stem, or within a small edit distance for long words. The application keeps the
entries in its database (seeded from a CSV file of the repository) and passes them here as ``NeedEntry``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from whoosh.lang.snowball import DutchStemmer, FrenchStemmer

from search_index.analysis import STOP_WORDS, fold, split_compound, words

SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "needs.csv"
CSV_FIELDS = ("code", "label_en", "fr", "nl", "categories", "publics", "themes", "terms")
TYPO_PENALTY = 0.15  # match quality lost per edit
GAP_PENALTY = 0.1  # per word of the text skipped inside a phrase ("perte totale d'autonomie")
MAX_GAP = 1
STEMMED_FROM = 5
RESEMBLANCE_CUTOFF = 72

_FRENCH, _DUTCH = FrenchStemmer(), DutchStemmer()


@dataclass(frozen=True)
class NeedEntry:
    """One need: its phrases in French and Dutch (the first of each is its label), an English label, and
    what answers it as ``{code: weight}`` (weights from 0 to 1). ``terms`` are words a service answering
    the need writes in its own record ("psychologique", "schuldbemiddeling")."""

    code: str
    label_en: str
    fr: tuple[str, ...] = ()
    nl: tuple[str, ...] = ()
    categories: Mapping[str, float] = field(default_factory=dict)
    publics: Mapping[str, float] = field(default_factory=dict)
    themes: Mapping[str, float] = field(default_factory=dict)
    terms: tuple[str, ...] = ()

    def label(self, locale: str) -> str:
        if locale == "nl" and self.nl:
            return self.nl[0]
        if locale == "fr" and self.fr:
            return self.fr[0]
        return self.label_en or (self.fr[0] if self.fr else self.code)

    @property
    def phrases(self) -> tuple[str, ...]:
        return self.fr + self.nl + ((self.label_en,) if self.label_en else ())


@dataclass(frozen=True)
class NeedMatch:
    """A need found in a text: the entry, the typed words it covers, and how sure (1.0 without typos)."""

    entry: NeedEntry
    words: tuple[str, ...]
    quality: float = 1.0

    @property
    def code(self) -> str:
        return self.entry.code

    def label(self, locale: str) -> str:
        return self.entry.label(locale)

    @property
    def categories(self) -> Mapping[str, float]:
        return self.entry.categories

    @property
    def publics(self) -> Mapping[str, float]:
        return self.entry.publics

    @property
    def themes(self) -> Mapping[str, float]:
        return self.entry.themes


def split_list(value: str) -> tuple[str, ...]:
    """``"a | b|c"`` -> ``("a", "b", "c")`` (blank items dropped)."""
    return tuple(part.strip() for part in (value or "").split("|") if part.strip())


def parse_weights(value: str) -> dict[str, float]:
    """``"ssm:1|mm:0.5|cas"`` -> ``{"ssm": 1.0, "mm": 0.5, "cas": 1.0}``. Raises ``ValueError`` on a weight
    that is not a number between 0 and 1."""
    found: dict[str, float] = {}
    for item in split_list(value):
        code, _, weight = item.partition(":")
        number = float(weight) if weight.strip() else 1.0
        if not 0 <= number <= 1:
            raise ValueError(f"weight out of range in {item!r}")
        if code.strip():
            found[code.strip()] = number
    return found


def format_weights(weights: Mapping[str, float]) -> str:
    return "|".join(f"{code}:{weight:g}" for code, weight in weights.items())


def entry_from_row(row: Mapping[str, str]) -> NeedEntry:
    """A ``NeedEntry`` from a CSV row (columns ``CSV_FIELDS``). Raises ``ValueError`` on a bad row."""
    code = (row.get("code") or "").strip()
    if not code:
        raise ValueError("a need without a code")
    return NeedEntry(
        code=code,
        label_en=(row.get("label_en") or "").strip(),
        fr=split_list(row.get("fr") or ""),
        nl=split_list(row.get("nl") or ""),
        categories=parse_weights(row.get("categories") or ""),
        publics=parse_weights(row.get("publics") or ""),
        themes=parse_weights(row.get("themes") or ""),
        terms=split_list(row.get("terms") or ""),
    )


def read_needs_csv(path: str | Path) -> list[NeedEntry]:
    """The entries of a thesaurus CSV file (UTF-8, header ``CSV_FIELDS``; lines starting with ``#`` are
    comments). Raises ``ValueError`` naming the line of a bad row."""
    entries = []
    with open(path, encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.lstrip().startswith("#"))
        for number, row in enumerate(csv.DictReader(lines), start=2):
            try:
                entries.append(entry_from_row(row))
            except ValueError as error:
                raise ValueError(f"{path}: row {number}: {error}") from error
    return entries


@lru_cache(maxsize=1)
def shipped_needs() -> tuple[NeedEntry, ...]:
    """The entries the product ships (``search_index/data/needs.csv``)."""
    return tuple(read_needs_csv(SHIPPED_FILE))


@lru_cache(maxsize=1)
def shipped_thesaurus() -> NeedsThesaurus:
    """The shipped entries, ready to match: what ``search`` uses unless given the application's own."""
    return NeedsThesaurus(shipped_needs())


def tolerated_edits(word: str) -> int:
    """Typos tolerated when a word is matched against the thesaurus: none up to 4 letters, then 1, and 2
    from 8 letters (stricter than the index: a need read wrongly brings a whole category)."""
    if len(word) <= 4 or word.isdigit():
        return 0
    return 1 if len(word) < 8 else 2


@lru_cache(maxsize=20000)
def word_keys(word: str) -> frozenset[str]:
    """A folded word, and from five letters its French and Dutch stems: two words match when they share
    one (short words match only as typed: "aide" is not "aids")."""
    if len(word) < STEMMED_FROM:
        return frozenset({word})
    return frozenset({word, "fr:" + _FRENCH.stem(word), "nl:" + _DUTCH.stem(word)})


def _meaningful(tokens: list[str]) -> tuple[str, ...]:
    kept = tuple(t for t in tokens if t not in STOP_WORDS)
    return kept or tuple(tokens)


class NeedsThesaurus:
    """The entries, indexed for matching a text. Build it once per version of the entries."""

    def __init__(self, entries: Iterable[NeedEntry]) -> None:
        self.entries = [e for e in entries if e.code]
        self.by_code = {e.code: e for e in self.entries}
        self._phrases: dict[tuple[str, ...], list[NeedEntry]] = {}
        # One word with its little words ("à la rue", "où dormir", "franse les"): matched only with them, so
        # that "rue" in an address or "dormir" in "ne plus dormir" is not read as the need.
        self._anchored: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {}
        for entry in self.entries:
            for phrase in entry.phrases:
                every = words(phrase)
                tokens = _meaningful(every)
                if len(tokens) == 1 and len(every) > 1:
                    at = every.index(tokens[0])
                    key = ("\0", *every)
                    self._anchored.setdefault(tokens[0], []).append(
                        (tuple(every[:at]), tuple(every[at + 1 :]), key)
                    )
                    tokens = key
                if tokens:
                    bucket = self._phrases.setdefault(tokens, [])
                    if entry not in bucket:
                        bucket.append(entry)
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for tokens in self._phrases:
            if tokens[0] != "\0":
                self._by_first.setdefault(tokens[0], []).append(tokens)
        self._words = sorted(
            {w for tokens in self._phrases for w in tokens if tokens[0] != "\0"} | set(self._anchored)
        )
        self._by_key: dict[str, set[str]] = {}
        for w in self._words:
            for word_key in word_keys(w):
                self._by_key.setdefault(word_key, set()).add(w)
        self._labels = [(fold(p), e) for e in self.entries for p in e.phrases]

    @classmethod
    def from_entries(cls, entries: Iterable[NeedEntry]) -> NeedsThesaurus:
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def _candidates(self, token: str) -> dict[str, int]:
        """Thesaurus words a typed word may be, with the edits it takes (0: same word or same stem)."""
        found = {w: 0 for key in word_keys(token) for w in self._by_key.get(key, ())}
        if found:
            return found
        parts = split_compound(token)  # a Dutch compound: its head ("cocaineverslaving" -> verslaving)
        if parts and parts[-1] != token:
            found = {w: 0 for key in word_keys(parts[-1]) for w in self._by_key.get(key, ())}
            if found:
                return found
        edits = tolerated_edits(token)
        if edits:
            for w, distance, _ in process.extract(
                token, self._words, scorer=OSA.distance, score_cutoff=edits, limit=8
            ):
                if tolerated_edits(w) >= distance:
                    found[w] = int(distance)
        return found

    @staticmethod
    def _align(
        phrase: tuple[str, ...], candidates: list[dict[str, int]], start: int
    ) -> tuple[int, float] | None:
        """Where ``phrase`` (its first word at ``start``) ends in the text, and the quality it loses to typos
        and skipped words; None when it is not there."""
        position, penalty = start + 1, 0.0
        for word in phrase[1:]:
            for gap in range(MAX_GAP + 1):
                at = position + gap
                if at < len(candidates) and word in candidates[at]:
                    penalty += TYPO_PENALTY * candidates[at][word] + GAP_PENALTY * gap
                    position = at + 1
                    break
            else:
                return None
        return position, penalty

    def match(self, text: str, max_words: int = 24) -> list[NeedMatch]:
        """The needs ``text`` names (its first ``max_words`` meaningful words), best matches first, each
        word used by one phrase at most, longer phrases first; a phrase shared by several entries gives
        each of them."""
        every = words(text.replace("-", " "))
        raw_at = [i for i, t in enumerate(every) if t not in STOP_WORDS][:max_words]
        tokens = [every[i] for i in raw_at]
        if not tokens or not self.entries:
            return []
        candidates = [self._candidates(t) for t in tokens]
        spans: list[tuple[int, int, float, tuple[str, ...]]] = []
        for position, options in enumerate(candidates):
            r = raw_at[position]
            for word, edits in options.items():
                for before, after, key in self._anchored.get(word, ()):
                    if tuple(every[max(0, r - len(before)) : r]) == before and (
                        tuple(every[r + 1 : r + 1 + len(after)]) == after
                    ):
                        spans.append((position, position + 1, max(0.3, 1.0 - TYPO_PENALTY * edits), key))
        for start, options in enumerate(candidates):
            for first, first_edits in options.items():
                for phrase in self._by_first.get(first, ()):
                    aligned = self._align(phrase, candidates, start)
                    if aligned is not None:
                        stop, penalty = aligned
                        spans.append(
                            (start, stop, max(0.3, 1.0 - TYPO_PENALTY * first_edits - penalty), phrase)
                        )
        spans.sort(key=lambda s: (-(1 if s[3][0] == "\0" else len(s[3])), -s[2], s[0]))
        used: set[int] = set()
        best: dict[str, NeedMatch] = {}
        taken: list[tuple[int, int, float]] = []
        for start, end, quality, phrase in spans:
            positions = set(range(start, end))
            same_span = any(s == start and e == end and q == quality for s, e, q in taken)
            if positions & used and not same_span:
                continue
            used |= positions
            taken.append((start, end, quality))
            for entry in self._phrases[phrase]:
                if entry.code not in best or best[entry.code].quality < quality:
                    best[entry.code] = NeedMatch(entry, tuple(tokens[start:end]), quality)
        return sorted(best.values(), key=lambda m: (-m.quality, -len(m.words), m.code))

    def resembling(self, text: str, limit: int = 5) -> list[NeedEntry]:
        """Entries whose phrases look like ``text`` (for a search that found nothing), most alike first."""
        folded = " ".join(words(text))
        if not folded or not self._labels:
            return []
        found = process.extract(
            folded,
            [label for label, _ in self._labels],
            scorer=fuzz.WRatio,
            score_cutoff=RESEMBLANCE_CUTOFF,
            limit=limit * 6,
        )
        out: dict[str, NeedEntry] = {}
        for _, _, position in found:
            entry = self._labels[position][1]
            out.setdefault(entry.code, entry)
        return list(out.values())[:limit]


def resembling_labels(text: str, labels: Mapping[str, Mapping[str, str]], limit: int = 5) -> list[str]:
    """Codes whose French or Dutch label looks like ``text`` (``labels``: code -> {"fr": ..., "nl": ...})."""
    folded = " ".join(words(text))
    if not folded:
        return []
    choices: list[tuple[str, str]] = []
    for code, names in labels.items():
        for name in {names.get("fr", ""), names.get("nl", "")}:
            if name:
                choices.append((fold(name), code))
    found = process.extract(
        folded, [c for c, _ in choices], scorer=fuzz.WRatio, score_cutoff=RESEMBLANCE_CUTOFF, limit=limit * 3
    )
    out: dict[str, None] = {}
    for _, _, position in found:
        out.setdefault(choices[position][1], None)
    return list(out)[:limit]
