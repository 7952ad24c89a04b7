"""Organisations into documents: the full rebuild and the update of the organisations that changed.

Archived organisations are never indexed, so they leave the results as soon as their update is applied.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import.models import Organisation
from directory_import.territory import TERRITORY_NAMES, locality_for_postcode
from search_index.analysis import fold
from search_index.store import LABELS, SearchIndex

logger = logging.getLogger(__name__)

BATCH = 1000


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
    place = " ".join(filter(None, [
        commune_fr, commune_nl, org.commune_fr, org.commune_nl, org.postcode,
        locality.name_fr if locality else "", locality.name_nl if locality else "",
        org.street_fr, org.street_nl,
    ]))
    tags_fr = " ".join(fr for _, fr, _ in categories + publics)
    tags_nl = " ".join(nl for _, _, nl in categories + publics)
    names = " ".join(filter(None, [org.name_fr, org.name_nl, org.acronym]))
    everything = " ".join(filter(None, [
        names, org.description_fr, org.description_nl, tags_fr, tags_nl, place,
        basin_names.name_fr if basin_names else "", basin_names.name_nl if basin_names else "",
    ]))
    languages = [str(code).lower() for code in (org.languages or []) if str(code).strip()]
    return {
        "id": str(org.id),
        "source": org.source or "",
        "source_id": org.source_id or "",
        "name_fr": org.name_fr or "",
        "name_nl": org.name_nl or "",
        "acronym": org.acronym or "",
        "desc_fr": org.description_fr or "",
        "desc_nl": org.description_nl or "",
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


def rebuild(index: SearchIndex, session: Session, *,
            progress: Callable[[int], None] | None = None) -> int:
    """Build a fresh index of every active organisation in a new folder, then swap it in atomically.

    Holds the write lock throughout, so updates sent meanwhile wait and then land in the new index.
    Returns the number of organisations indexed.
    """
    with index.write_lock():
        folder = index.new_generation()
        try:
            count = _fill(index, folder, session.scalars(_active(session)), progress)
        except BaseException:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            raise
        (folder / "built_at").write_text(datetime.now(UTC).isoformat(timespec="seconds"))
        index.publish(folder)
    logger.info("search index rebuilt: %d organisations in %s", count, folder)
    return count


def _fill(index: SearchIndex, folder, organisations: Iterable[Organisation],
          progress: Callable[[int], None] | None) -> int:
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


def update_organisations(index: SearchIndex, session: Session, ids: Iterable[int]) -> int:
    """Re-index the organisations ``ids`` from the database: changed ones replaced, archived or deleted
    ones removed. Returns how many documents were written or removed. No-op when there is no index yet
    (the next rebuild will include them); raises ``IndexBusy`` if the lock cannot be had.
    """
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return 0
    with index.write_lock():
        if not index.exists():
            return 0
        folder = index.generation_path()
        ix = index.open_whoosh(folder.name)
        labels = index.labels()
        labels = json.loads(json.dumps(labels))  # a private copy
        found: dict[int, Organisation] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update({o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(chunk)))})
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
    return len(wanted)
