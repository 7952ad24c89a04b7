"""Organisations into documents: the full rebuild and the update of the organisations that changed.

Archived organisations are never indexed, so they leave the results as soon as their update is applied.

Each generation keeps a watermark (``watermark.json``): the latest ``organisations.updated_at`` it has seen
and, for each stamp within ``CATCH_UP_MARGIN`` before it, how many rows it indexed with that stamp.
``catch_up`` re-indexes the rows of new or grown stamps, so a machine whose index did not receive a change
(made by another machine, or by a process without the app) catches up from the database alone. The margin
covers clocks that differ between machines and a transaction that commits after rows with later stamps:
such rows are found as long as their stamp is within the margin.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_import.models import Organisation
from directory_import.territory import TERRITORY_NAMES, locality_for_postcode
from search_index.analysis import fold
from search_index.store import LABELS, SearchIndex

logger = logging.getLogger(__name__)

BATCH = 1000
INTERPRETING = "interpreting"  # a value of the language facet: the organisation offers interpreting
WATERMARK = "watermark.json"
CATCH_UP_MARGIN = timedelta(minutes=15)


@dataclass
class Watermark:
    """What a generation has seen of ``organisations.updated_at`` (naive UTC, as the column stores it).

    Rows are counted by stamp: an import stamps all its rows with one time, an edit its row with its own,
    so the few groups of the last ``margin`` say whether anything new arrived without listing every row.
    A group that is new, or larger than recorded, holds rows this index has not seen.
    """

    at: datetime | None = None  # the latest stamp seen
    groups: dict[str, int] = field(default_factory=dict)  # stamp -> rows indexed with it, within the margin

    def advanced(self, groups: Mapping[datetime, int], margin: timedelta = CATCH_UP_MARGIN) -> Watermark:
        merged, at = dict(self.groups), self.at
        for stamp, count in groups.items():
            stamp = _naive_utc(stamp)
            key = stamp.isoformat()
            merged[key] = max(merged.get(key, 0), count)  # never above the truth: at worst, work done twice
            at = stamp if at is None or stamp > at else at
        if at is None:
            return Watermark()
        floor = (at - margin).isoformat()
        return Watermark(at, {k: c for k, c in merged.items() if k > floor})


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value


def read_watermark(folder: Path) -> Watermark | None:
    """A generation folder's watermark; None when it has none (built before watermarks) or is unreadable."""
    try:
        data = json.loads((folder / WATERMARK).read_text(encoding="utf-8"))
        at = datetime.fromisoformat(data["at"]) if data.get("at") else None
        return Watermark(at, {str(k): int(v) for k, v in data["groups"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_watermark(folder: Path, watermark: Watermark) -> None:
    tmp = folder / (WATERMARK + ".tmp")
    data = {
        "at": watermark.at.isoformat() if watermark.at else None,
        "groups": dict(sorted(watermark.groups.items())),
    }
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(folder / WATERMARK)


def _stamp_groups(session: Session, since: datetime | None, margin: timedelta) -> dict[datetime, int]:
    """How many organisations (archived or not) carry each stamp later than ``since - margin``."""
    stmt = select(Organisation.updated_at, func.count()).group_by(Organisation.updated_at)
    if since is not None:
        stmt = stmt.where(Organisation.updated_at > since - margin)
    return {stamp: count for stamp, count in session.execute(stmt) if stamp is not None}


def _ids_stamped(session: Session, stamps: list[datetime]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(stamps), 500):
        chunk = stamps[start : start + 500]
        ids.extend(session.scalars(select(Organisation.id).where(Organisation.updated_at.in_(chunk))))
    return sorted(ids)


def _current_window(session: Session, margin: timedelta) -> Watermark:
    """The watermark of the database as it is now: its latest stamp and the groups within the margin."""
    latest = session.scalar(select(func.max(Organisation.updated_at)))
    if latest is None:
        return Watermark()
    return Watermark().advanced(_stamp_groups(session, _naive_utc(latest), margin), margin)


def slug(text: str) -> str:
    """A facet key from a label: "Personnes âgées" -> "personnes-agees"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _categories(org: Organisation) -> list[tuple[str, str, str]]:
    found = []
    for item in org.categories or []:
        if isinstance(item, dict):
            fr = str(item.get("label_fr") or item.get("labelFr") or item.get("fr") or "")
            nl = str(item.get("label_nl") or item.get("labelNl") or item.get("nl") or "")
            code = str(item.get("code") or slug(fr or nl))
        else:
            fr = nl = str(item)
            code = slug(fr)
        if code:
            found.append((code, fr, nl))
    return found


def _publics(org: Organisation) -> list[tuple[str, str, str]]:
    found = []
    for item in org.publics or []:
        if isinstance(item, dict):
            fr, nl = str(item.get("fr") or ""), str(item.get("nl") or "")
        else:
            fr = nl = str(item)
        code = slug(fr or nl)
        if code:
            found.append((code, fr, nl))
    return found


def _terms(items) -> list[tuple[str, str, str]]:
    found = []
    for item in items or []:
        if isinstance(item, dict) and (item.get("label_fr") or item.get("label_nl")):
            found.append(
                (
                    str(item.get("code") or ""),
                    str(item.get("label_fr") or ""),
                    str(item.get("label_nl") or ""),
                )
            )
    return found


def _other_names(org: Organisation) -> tuple[str, str]:
    """The names other than the official ones and the acronyms, French (or of no stated language) and Dutch."""
    fr, nl = [], []
    for item in org.other_names or []:
        if isinstance(item, dict) and item.get("name") and not item.get("acronym"):
            (nl if item.get("lang") == "nl" else fr).append(str(item["name"]))
    fr.extend(filter(None, [org.official_name_fr]))
    nl.extend(filter(None, [org.official_name_nl]))
    return " ".join(fr), " ".join(nl)


def _commune(org: Organisation) -> tuple[str, str, str]:
    locality = locality_for_postcode(org.postcode)
    if locality is not None:
        c = locality.commune
        return c.code, c.name_fr, c.name_nl
    name = org.commune_fr or org.commune_nl
    return (slug(name), org.commune_fr or name, org.commune_nl or name) if name else ("", "", "")


def document_for(org: Organisation) -> dict[str, Any]:
    """The Whoosh document of one organisation (plain strings; the schema analyses them)."""
    categories, publics = _categories(org), _publics(org)
    commune_code, commune_fr, commune_nl = _commune(org)
    locality = locality_for_postcode(org.postcode)
    basin_names = TERRITORY_NAMES.get(org.basin)
    place = " ".join(
        filter(
            None,
            [
                commune_fr,
                commune_nl,
                org.commune_fr,
                org.commune_nl,
                org.postcode,
                locality.name_fr if locality else "",
                locality.name_nl if locality else "",
                org.street_fr,
                org.street_nl,
            ],
        )
    )
    sectors = _terms(org.sectors)
    tags_fr = " ".join(fr for _, fr, _ in categories + publics + sectors)
    tags_nl = " ".join(nl for _, _, nl in categories + publics + sectors)
    acronyms = ", ".join(org.acronyms())
    other_fr, other_nl = _other_names(org)
    names = " ".join(filter(None, [org.name_fr, org.name_nl, acronyms, other_fr, other_nl]))
    # Activities and the public, as the source words them, describe the organisation too (and are often
    # where the text is when the description is empty).
    desc_fr = "\n".join(filter(None, [org.description_fr, org.activities_fr, org.target_public_fr]))
    desc_nl = "\n".join(filter(None, [org.description_nl, org.activities_nl, org.target_public_nl]))
    everything = " ".join(
        filter(
            None,
            [
                names,
                desc_fr,
                desc_nl,
                tags_fr,
                tags_nl,
                place,
                basin_names.name_fr if basin_names else "",
                basin_names.name_nl if basin_names else "",
            ],
        )
    )
    languages = [str(code).lower() for code in (org.languages or []) if str(code).strip()]
    if org.interpreting:
        languages.append(INTERPRETING)
    return {
        "id": str(org.id),
        "source": org.source or "",
        "source_id": org.source_id or "",
        "name_fr": org.name_fr or "",
        "name_nl": org.name_nl or "",
        "acronym": acronyms,
        "other_fr": other_fr,
        "other_nl": other_nl,
        "desc_fr": desc_fr,
        "desc_nl": desc_nl,
        "tags_fr": tags_fr,
        "tags_nl": tags_nl,
        "place": place,
        "names_plain": names,
        "all_plain": everything,
        "postcode": org.postcode or "",
        "basin": org.basin or "outside",
        "category": ",".join(code for code, _, _ in categories),
        "public": ",".join(code for code, _, _ in publics),
        "commune": commune_code,
        "language": ",".join(languages),
        "serves": ",".join(code for code in (org.served_communes or "").split("|") if code),
    }


def _labels_of(org: Organisation, labels: dict[str, dict]) -> None:
    for code, fr, nl in _categories(org):
        labels.setdefault("category", {})[code] = {"fr": fr or nl, "nl": nl or fr}
    for code, fr, nl in _publics(org):
        labels.setdefault("public", {})[code] = {"fr": fr or nl, "nl": nl or fr}
    code, fr, nl = _commune(org)
    if code:
        labels.setdefault("commune", {})[code] = {"fr": fr or nl, "nl": nl or fr}
    basin = TERRITORY_NAMES.get(org.basin or "")
    if basin is not None:
        labels.setdefault("basin", {})[basin.code] = {"fr": basin.name_fr, "nl": basin.name_nl}


def _write_labels(folder, labels: dict) -> None:
    tmp = folder / (LABELS + ".tmp")
    tmp.write_text(json.dumps(labels, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / LABELS)


def _active(session: Session):
    return (
        select(Organisation)
        .where(Organisation.archived.is_(False))
        .order_by(Organisation.id)
        .execution_options(yield_per=BATCH)
    )


def rebuild(index: SearchIndex, session: Session, *, progress: Callable[[int], None] | None = None) -> int:
    """Build a fresh index of every active organisation in a new folder, then swap it in atomically.

    Holds the write lock throughout, so updates sent meanwhile wait and then land in the new index.
    Returns the number of organisations indexed.
    """
    with index.write_lock():
        # Read before the rows: a change committed in between is then re-indexed by the next catch-up,
        # never missed.
        watermark = _current_window(session, CATCH_UP_MARGIN)
        folder = index.new_generation()
        try:
            count = _fill(index, folder, session.scalars(_active(session)), progress)
            _write_watermark(folder, watermark)
        except BaseException:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            raise
        (folder / "built_at").write_text(datetime.now(UTC).isoformat(timespec="seconds"))
        index.publish(folder)
    logger.info("search index rebuilt: %d organisations in %s", count, folder)
    return count


def _fill(
    index: SearchIndex, folder, organisations: Iterable[Organisation], progress: Callable[[int], None] | None
) -> int:
    ix = index.open_whoosh(folder.name)
    writer = ix.writer(limitmb=128)
    labels: dict[str, dict] = {}
    count = 0
    try:
        for org in organisations:
            writer.add_document(**document_for(org))
            _labels_of(org, labels)
            count += 1
            if progress and count % 500 == 0:
                progress(500)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    _write_labels(folder, labels)
    if progress and count % 500:
        progress(count % 500)
    return count


def update_organisations(
    index: SearchIndex, session: Session, ids: Iterable[int], *, lock_timeout: float | None = None
) -> int:
    """Re-index the organisations ``ids`` from the database: changed ones replaced, archived or deleted
    ones removed. Returns how many documents were written or removed. No-op when there is no index yet
    (the next rebuild will include them); raises ``IndexBusy`` if the lock cannot be had.
    """
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return 0
    with index.write_lock(lock_timeout):
        if not index.exists():
            return 0
        folder = index.generation_path()
        ix = index.open_whoosh(folder.name)
        labels = index.labels()
        labels = json.loads(json.dumps(labels))  # a private copy
        found: dict[int, Organisation] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(chunk)))}
            )
        writer = ix.writer()
        try:
            for org_id in wanted:
                org = found.get(org_id)
                if org is None or org.archived:
                    writer.delete_by_term("id", str(org_id))
                else:
                    writer.update_document(**document_for(org))
                    _labels_of(org, labels)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        _write_labels(folder, labels)
        watermark = read_watermark(folder)
        if watermark is not None:  # the documents written hold these versions of the rows
            stamps = Counter(o.updated_at for o in found.values() if o.updated_at is not None)
            _write_watermark(folder, watermark.advanced(stamps))
    return len(wanted)


class CatchUpTooLarge(Exception):
    """More organisations changed than the caller wants to re-index now: a rebuild is the better way."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} organisations changed since the index's watermark")
        self.count = count


def catch_up(
    index: SearchIndex,
    session: Session,
    *,
    margin: timedelta = CATCH_UP_MARGIN,
    lock_timeout: float | None = None,
    max_changes: int | None = None,
) -> int:
    """Re-index the organisations changed in the database since the live generation's watermark.

    Returns how many were re-indexed; 0 when there is no index yet (the first rebuild will hold them).
    An index built before watermarks existed gets one now, re-indexing the rows of the last ``margin``.
    Raises ``IndexBusy`` if the write lock cannot be had within ``lock_timeout`` (default: the index's),
    ``CatchUpTooLarge`` (changing nothing) when more than ``max_changes`` rows changed.
    """
    if not index.exists():
        return 0
    folder = index.generation_path()
    watermark = read_watermark(folder)
    first = watermark is None  # an index built before watermarks existed
    if watermark is None:
        watermark = _current_window(session, margin)
        stale = [datetime.fromisoformat(stamp) for stamp in watermark.groups]
    else:
        groups = _stamp_groups(session, watermark.at, margin)
        stale = [
            stamp
            for stamp, count in groups.items()
            if count > watermark.groups.get(_naive_utc(stamp).isoformat(), 0)
        ]
    changed = _ids_stamped(session, stale) if stale else []
    if max_changes is not None and len(changed) > max_changes:
        # A writer at work is most likely the process that made these changes, indexing them right now:
        # IndexBusy (try again later) rather than a rebuild racing it.
        with index.write_lock(lock_timeout):
            pass
        raise CatchUpTooLarge(len(changed))
    if first:
        with index.write_lock(lock_timeout):
            _write_watermark(folder, Watermark(watermark.at, {}))
    if changed:
        update_organisations(index, session, changed, lock_timeout=lock_timeout)
        logger.info("search index: caught up with %d organisations changed elsewhere", len(changed))
    return len(changed)
