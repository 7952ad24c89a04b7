"""The needs thesaurus of the helpdesk: seeded from the file the product ships (``search_index/data/needs.csv``),
edited by admins and regional coordinators, read by every search (flush, never commit).

Seeding is idempotent and respects the admins' work: a shipped entry is refreshed from the file only while
nobody has edited it, and an entry an admin deleted stays deleted (a tombstone row).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_import.vocabulary import CATEGORIES, PUBLICS
from helpdesk.orientation.models import Need
from search_index.analysis import fold
from search_index.needs import NeedEntry, NeedMatch, NeedsThesaurus, shipped_needs, split_list


class NeedError(ValueError):
    """A need that cannot be saved; ``code`` says why (``code_taken``, ``no_phrase``, ``unknown_category``...)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def shipped_entries() -> tuple[NeedEntry, ...]:
    """The entries of the repository's file (``search_index/data/needs.csv``)."""
    return shipped_needs()


def entry_of(need: Need) -> NeedEntry:
    return NeedEntry(
        code=need.code,
        label_en=need.label_en,
        fr=tuple(line.strip() for line in need.phrases_fr.splitlines() if line.strip()),
        nl=tuple(line.strip() for line in need.phrases_nl.splitlines() if line.strip()),
        categories={str(k): float(v) for k, v in (need.categories or {}).items()},
        publics={str(k): float(v) for k, v in (need.publics or {}).items()},
        themes={str(k): float(v) for k, v in (need.themes or {}).items()},
        terms=split_list(need.terms),
    )


def _fill(need: Need, entry: NeedEntry) -> None:
    need.label_en = entry.label_en
    need.phrases_fr = "\n".join(entry.fr)
    need.phrases_nl = "\n".join(entry.nl)
    need.categories = dict(entry.categories)
    need.publics = dict(entry.publics)
    need.themes = dict(entry.themes)
    need.terms = "|".join(entry.terms)


def seed_needs(session: Session, entries: Iterable[NeedEntry] | None = None) -> dict[str, int]:
    """Bring the shipped entries into the database: add the missing ones, refresh those nobody edited,
    leave edited and deleted ones alone. Returns counts (``added``, ``updated``, ``kept``)."""
    existing = {n.code: n for n in session.scalars(select(Need))}
    counts = {"added": 0, "updated": 0, "kept": 0}
    for entry in entries if entries is not None else shipped_entries():
        need = existing.get(entry.code)
        if need is None:
            need = Need(code=entry.code, shipped=True, updated_by="seed")
            _fill(need, entry)
            session.add(need)
            counts["added"] += 1
        elif need.edited or need.deleted or not need.shipped:
            counts["kept"] += 1
        elif entry_of(need) != entry:
            _fill(need, entry)
            need.updated_by = "seed"
            counts["updated"] += 1
    session.flush()
    return counts


# --- editing ---------------------------------------------------------------------------------------
def parse_lines(text: str) -> tuple[str, ...]:
    """Phrases one a line (or separated by ``|``), blanks dropped, duplicates (ignoring accents) once."""
    seen: dict[str, str] = {}
    for line in (text or "").replace("|", "\n").splitlines():
        line = " ".join(line.split())
        if line and fold(line) not in seen:
            seen[fold(line)] = line
    return tuple(seen.values())


def check_weights(kind: str, weights: dict[str, float], themes: Iterable[str] = ()) -> None:
    """Raise ``NeedError`` (``unknown_category``, ``unknown_public``, ``unknown_theme``) for a code that the
    project's vocabularies do not hold (``themes``: the request themes of the database, besides the sector's)."""
    if kind == "categories":
        known, code = set(CATEGORIES), "unknown_category"
    elif kind == "publics":
        known, code = {fold(p) for p in PUBLICS}, "unknown_public"
    else:
        from helpdesk.followup.themes import SECTOR_THEMES  # the request area's vocabulary, read only here

        known, code = {theme for theme, *_ in SECTOR_THEMES} | set(themes), "unknown_theme"
    unknown = [c for c in weights if (fold(c) if kind == "publics" else c) not in known]
    if unknown:
        raise NeedError(code, ", ".join(unknown))


def save_need(session: Session, need: Need | None, entry: NeedEntry, *, author: str) -> Need:
    """Create (``need`` None) or change a need from ``entry``; marks a shipped entry as edited so that a
    re-seed keeps the admin's version. Raises ``NeedError``."""
    if not entry.fr and not entry.nl:
        raise NeedError("no_phrase")
    if not entry.categories and not entry.publics:
        raise NeedError("no_answer")
    from helpdesk.followup.models import Theme

    themes = set(session.scalars(select(Theme.code)))
    for kind in ("categories", "publics", "themes"):
        check_weights(kind, dict(getattr(entry, kind)), themes)
    if need is None:
        taken = session.scalar(select(Need).where(Need.code == entry.code))
        if taken is not None and not taken.deleted:
            raise NeedError("code_taken")
        need = taken or Need(code=entry.code, shipped=False)
        if taken is None:
            session.add(need)
        need.deleted = False
    need.edited = True
    need.updated_by = author
    _fill(need, entry)
    session.flush()
    return need


def delete_need(session: Session, need: Need, *, author: str) -> None:
    """Remove a need from searches; a shipped one stays as a tombstone so that no re-seed brings it back."""
    if need.shipped:
        need.deleted = True
        need.edited = True
        need.updated_by = author
    else:
        session.delete(need)
    session.flush()


def listed_needs(session: Session) -> list[Need]:
    return list(session.scalars(select(Need).where(Need.deleted.is_(False)).order_by(Need.code)))


# --- reading, for searches -------------------------------------------------------------------------
_cache_lock = threading.Lock()
_cache: dict[tuple, NeedsThesaurus] = {}


def needs_thesaurus(session: Session) -> NeedsThesaurus:
    """The thesaurus searches use: the database's entries (the shipped file's while the table is empty),
    rebuilt only when a row changed (one small query per search tells)."""
    count, latest = session.execute(select(func.count(Need.id), func.max(Need.updated_at))).one()
    key = (str(getattr(session.get_bind(), "url", "")), count, str(latest))
    with _cache_lock:
        found = _cache.get(key)
    if found is not None:
        return found
    if count:
        entries = [entry_of(n) for n in session.scalars(select(Need).where(Need.deleted.is_(False)))]
    else:
        entries = list(shipped_entries())
    thesaurus = NeedsThesaurus(entries)
    with _cache_lock:
        if len(_cache) > 16:
            _cache.clear()
        _cache[key] = thesaurus
    return thesaurus


def match_needs(session: Session, text: str, max_words: int = 400) -> list[NeedMatch]:
    """The needs ``text`` names (accents, stems and small typos tolerated), best first, each with its
    weighted categories, publics and request themes. Reads a whole request question (its first
    ``max_words`` meaningful words); a search reads its first 24."""
    return needs_thesaurus(session).match(text, max_words=max_words)
