"""Candidate duplicate organisations, for a person to merge or dismiss.

Organisations are compared only within blocks that share a postcode or a phone number; names (French and
Dutch, folded for accents and case, acronyms included) are scored with rapidfuzz. A pair someone dismissed
(``DuplicateDismissal``) is never proposed again. A local organisation resembling an imported one is
proposed like any other pair: nothing is merged without a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import.models import DuplicateDismissal, Organisation
from directory_import.normalize import fold

DEFAULT_THRESHOLD = 88.0
MAX_BLOCK = 400  # a postcode shared by more organisations is compared on phone numbers only


@dataclass(frozen=True)
class DuplicateCandidateRecord:
    """Two organisations that may be one, with a score (0-100) and what they share."""

    first_id: int
    second_id: int
    score: float
    same_postcode: bool
    same_phone: bool


@dataclass(frozen=True)
class _Entry:
    id: int
    names: tuple[str, ...]
    postcode: str
    phones: frozenset[str]


def pair_key(first_id: int, second_id: int) -> tuple[int, int]:
    """The order-independent key of a pair (smaller id first), as dismissals store it."""
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


# Articles, prepositions and legal forms say nothing about which organisation a name designates.
SMALL_WORDS = frozenset("a au aux d de du des l la le les et en van het der den vzw asbl ivzw aisbl".split())


def _similarity(a: str, b: str) -> float:
    """Whole-name similarity, held down by the words that differ: 'maison medicale le moulin' and 'maison
    medicale le jardin' share most letters but not what tells them apart."""
    a = " ".join(w for w in a.split() if w not in SMALL_WORDS) or a
    b = " ".join(w for w in b.split() if w not in SMALL_WORDS) or b
    whole = max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a, b))
    words_a, words_b = a.split(), b.split()
    left_a = " ".join(w for w in words_a if w not in words_b)
    left_b = " ".join(w for w in words_b if w not in words_a)
    if left_a and left_b:
        return min(whole, fuzz.ratio(left_a, left_b))
    return whole


def name_score(first: tuple[str, ...], second: tuple[str, ...]) -> float:
    """The best similarity between any name of one and any name of the other (folded names), 0-100."""
    best = 0.0
    for a in first:
        for b in second:
            best = max(best, _similarity(a, b))
            if best >= 100:
                return 100.0
    return best


def _entries(session: Session) -> list[_Entry]:
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.name_fr,
            Organisation.name_nl,
            Organisation.acronym,
            Organisation.postcode,
            Organisation.phones,
        )
        .where(Organisation.archived.is_(False))
        .order_by(Organisation.id)
    )
    entries = []
    for row in rows:
        names = tuple(dict.fromkeys(n for n in (fold(row.name_fr), fold(row.name_nl)) if n))
        if row.acronym and len(fold(row.acronym)) >= 3:
            names += (fold(row.acronym),)
        entries.append(_Entry(row.id, names, row.postcode, frozenset(row.phones or ())))
    return entries


def find_duplicates(
    session: Session, *, threshold: float = DEFAULT_THRESHOLD, limit: int | None = None
) -> list[DuplicateCandidateRecord]:
    """Candidate pairs among active organisations, best score first, dismissed pairs left out.

    A pair qualifies when the names score at least ``threshold`` and the two share a postcode or a phone,
    or when they share a phone and the names score at least ``threshold - 20``.
    """
    entries = _entries(session)
    by_postcode: dict[str, list[_Entry]] = defaultdict(list)
    by_phone: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        if entry.postcode:
            by_postcode[entry.postcode].append(entry)
        for phone in entry.phones:
            by_phone[phone].append(entry)
    dismissed = {
        (row.first_id, row.second_id)
        for row in session.execute(select(DuplicateDismissal.first_id, DuplicateDismissal.second_id))
    }
    found: dict[tuple[int, int], DuplicateCandidateRecord] = {}

    def consider(a: _Entry, b: _Entry) -> None:
        key = pair_key(a.id, b.id)
        if key in found or key in dismissed or not a.names or not b.names:
            return
        same_phone = bool(a.phones & b.phones)
        same_postcode = bool(a.postcode) and a.postcode == b.postcode
        score = name_score(a.names, b.names)
        needed = threshold - 20 if same_phone else threshold
        if score >= needed:
            found[key] = DuplicateCandidateRecord(key[0], key[1], round(score, 1), same_postcode, same_phone)

    for block in list(by_phone.values()) + [b for b in by_postcode.values() if len(b) <= MAX_BLOCK]:
        for a, b in combinations(block, 2):
            consider(a, b)
    for block in (b for b in by_postcode.values() if len(b) > MAX_BLOCK):
        # A crowded postcode: let rapidfuzz's cutoff pick the few names worth a full comparison.
        named = [entry for entry in block if entry.names]
        firsts = [entry.names[0] for entry in named]
        for i, a in enumerate(named):
            rest = firsts[i + 1 :]
            for _name, _score, j in process.extract(
                a.names[0], rest, scorer=fuzz.ratio, score_cutoff=threshold - 10, limit=None
            ):
                consider(a, named[i + 1 + j])
    result = sorted(found.values(), key=lambda c: (-c.score, c.first_id, c.second_id))
    return result[:limit] if limit else result


def dismiss_pair(
    session: Session, first_id: int, second_id: int, *, dismissed_by: str = ""
) -> DuplicateDismissal:
    """Record that two organisations are distinct, so the pair is not proposed again. Flushes."""
    low, high = pair_key(first_id, second_id)
    existing = session.scalar(
        select(DuplicateDismissal).where(
            DuplicateDismissal.first_id == low, DuplicateDismissal.second_id == high
        )
    )
    if existing is not None:
        return existing
    dismissal = DuplicateDismissal(first_id=low, second_id=high, dismissed_by=dismissed_by[:200])
    session.add(dismissal)
    session.flush()
    return dismissal


@dataclass(frozen=True)
class ResemblingRecord:
    """An active organisation that may be the one described (a name, a postcode, phones), with a score."""

    id: int
    score: float
    same_postcode: bool
    same_phone: bool


def resembling(
    session: Session,
    names: tuple[str, ...],
    postcode: str = "",
    phones: tuple[str, ...] = (),
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
) -> list[ResemblingRecord]:
    """The active organisations that ``find_duplicates`` would pair with an organisation of these names,
    postcode and (normalised) phones, best first: names scoring ``threshold`` with the same postcode or a
    shared phone, ``threshold - 20`` with a shared phone, or ``threshold + 7`` anywhere. A read."""
    folded = tuple(dict.fromkeys(n for n in (fold(name) for name in names) if n))
    if not folded:
        return []
    wanted = frozenset(phones)
    found = []
    for entry in _entries(session):
        if not entry.names:
            continue
        same_phone = bool(wanted & entry.phones)
        same_postcode = bool(postcode) and entry.postcode == postcode
        score = name_score(folded, entry.names)
        needed = threshold - 20 if same_phone else threshold if same_postcode else threshold + 7
        if score >= needed:
            found.append(ResemblingRecord(entry.id, round(score, 1), same_postcode, same_phone))
    found.sort(key=lambda r: (-r.score, r.id))
    return found[:limit]
