"""Keeping the directory in step with an export: insert, update what changed, archive what disappeared.

Organisations are keyed by (source, source id). A sync inserts new ones, updates one only when its content
hash changed, archives (never deletes) those the export no longer lists and restores them when they
reappear. Organisations of source ``local`` and everything operators wrote (notes, corrections) live
outside its reach. It only flushes: the caller commits the whole import as one transaction, or rolls it back.

An import is a pipeline that never turns back: ``fetch`` (to a file) -> read (``readers``) -> normalise and
plan (``plan_records``: no database, the rows kept in a temporary file) -> apply (``apply_plan``, the only
step that writes). The slow steps need no transaction, so the caller can keep the write one short.
The helpdesk's local overlays are not mixed into the source's values: after ``apply_plan`` the caller puts
them back on top, in the same transaction (``helpdesk.stewardship.overlays.reapply_overlays``), which tells
a rewritten organisation by its ``content_hash``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle  # nosec B403 - only for the plan's own temporary file
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from directory_import.fetch import FetchReport, fetch, is_url
from directory_import.models import LOCAL_SOURCE, ImportRun, Organisation, SourceState, utcnow
from directory_import.normalize import NORMALIZE_VERSION, RejectedRow, clean_line, normalize_record
from directory_import.readers import (
    OrganisationRecord,
    ReaderItem,
    ReadLimits,
    RejectedRecord,
    SourceError,
    TooManyRejected,
    detect_format,
    package_name,
    read_source,
)
from directory_import.readers.base import params

DEFAULT_SOURCE_KEY = "bruxelles-social"
BATCH_SIZE = 1000
_IN_CHUNK = 500


class NothingImported(SourceError):
    """The source was read but not one organisation in it could be imported; the report says why."""

    def __init__(self, message: str, report: ImportReport):
        super().__init__(message, "nothing_usable")
        self.report = report


@dataclass(frozen=True)
class WarningRecord:
    """A value dropped from an imported row (the row itself imported)."""

    line: int
    message: str
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "message": self.message, "code": self.code, "params": dict(self.params)}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    source_key: str = ""
    format: str = ""
    dry_run: bool = False
    not_modified: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    restored: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)
    warnings: list[WarningRecord] = field(default_factory=list)  # the first ones (see ``warnings_total``)
    changed_ids: list[int] = field(default_factory=list)
    warnings_total: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.archived + self.restored

    def to_dict(self) -> dict[str, Any]:
        """The report as ``helpdesk directory import --json`` prints it."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "archived": self.archived,
            "restored": self.restored,
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected],
            "warnings": [{"line": w.line, "message": w.message} for w in self.warnings],
        }

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, {self.archived} archived, "
            f"{self.restored} restored, {len(self.rejected)} rejected, "
            f"{max(self.warnings_total, len(self.warnings))} warnings"
        )


_HASHED_FIELDS = tuple(f.name for f in dataclasses.fields(OrganisationRecord) if f.name != "line")


def content_hash(record: OrganisationRecord) -> str:
    """A stable fingerprint of a record as the source gave it (every field but its line, unknown fields
    included) and of the normaliser's version: equal fingerprints give equal organisations, so an unchanged
    row is recognised without being normalised again."""
    state = repr(tuple(getattr(record, name) for name in _HASHED_FIELDS))
    return hashlib.sha256(f"{NORMALIZE_VERSION}\n{state}".encode()).hexdigest()


class _Batches:
    """Inserts and updates sent to the database a thousand at a time (executemany)."""

    def __init__(self, session: Session, report: ImportReport):
        self.session = session
        self.report = report
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.inserted = 0

    def insert(self, values: dict[str, Any]) -> None:
        self.inserts.append(values)
        if len(self.inserts) >= BATCH_SIZE:
            self.flush_inserts()

    def update(self, values: dict[str, Any]) -> None:
        self.updates.append(values)
        if len(self.updates) >= BATCH_SIZE:
            self.flush_updates()

    def flush_inserts(self) -> None:
        # A plain executemany (no RETURNING): psycopg pipelines it, where a RETURNING batch is one huge
        # statement it must parse. The new ids are read once at the end (see ``_new_ids``).
        if self.inserts:
            self.session.execute(insert(Organisation), self.inserts)
            self.inserted += len(self.inserts)
            self.inserts = []

    def flush_updates(self) -> None:
        if self.updates:
            self.session.execute(update(Organisation), self.updates)
            self.report.changed_ids.extend(row["id"] for row in self.updates)
            self.updates = []

    def flush(self) -> None:
        self.flush_inserts()
        self.flush_updates()


Known = tuple[int, str, bool, bool]  # (id, content hash, archived, merged into another)


def read_known(session: Session, source_key: str) -> dict[str, Known]:
    """What the database holds of ``source_key``: source id to (id, content hash, archived, merged). A read."""
    return {
        row.source_id: (row.id, row.content_hash, row.archived, row.merged_into_id is not None)
        for row in session.execute(
            select(
                Organisation.id,
                Organisation.source_id,
                Organisation.content_hash,
                Organisation.archived,
                Organisation.merged_into_id,
            ).where(Organisation.source == source_key)
        )
    }


@dataclass(frozen=True)
class _Planned:
    """One usable row of the export: its record, fingerprint and, when it differed from what the database
    held at planning time, its normalised values (None: it was unchanged then, so it was not normalised)."""

    record: OrganisationRecord
    fingerprint: str
    values: dict[str, Any] | None


class ImportPlan:
    """What an import would do, computed without writing (and without a database): the report against the
    database as it was read, and the usable rows, kept in a temporary file rather than in memory so a big
    export does not have to fit. ``apply_plan`` writes it; ``close`` lets the file go."""

    def __init__(self, source_key: str, fmt: str, report: ImportReport) -> None:
        self.source_key = source_key
        self.format = fmt
        self.report = report
        self.seen: dict[str, int] = {}
        self.count = 0
        self._spool = tempfile.TemporaryFile(prefix="directory-plan-")

    def add(self, planned: _Planned) -> None:
        pickle.dump(planned, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def rows(self) -> Iterator[_Planned]:
        self._spool.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._spool)  # nosec B301 - our own temporary file, written just before

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> ImportPlan:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def plan_records(
    items: Iterable[ReaderItem],
    *,
    source_key: str,
    known: dict[str, Known],
    report: ImportReport | None = None,
    limits: ReadLimits | None = None,
) -> ImportPlan:
    """Read and normalise the reader's stream against ``known`` (see ``read_known``); no database.

    Returns the ``ImportPlan``, whose report is what the import would do if the database has not changed
    meanwhile (a dry run stops here). Rows rejected here: no id, no name, an id seen earlier in the same
    export. A rejected row whose id is known leaves that organisation as it is (it is not archived). Raises
    ``NothingImported`` when no row was usable, and ``TooManyRejected`` (its ``report`` holding the first
    rejected rows) when more rows than ``limits.max_rejected`` were rejected, by the reader and here together.
    The first ``limits.max_rejected`` warnings are kept, the others only counted.
    """
    limits = limits or ReadLimits()
    if source_key == LOCAL_SOURCE or not source_key:
        raise SourceError(
            f"{source_key!r} cannot be the key of an imported source", "bad_source_key", key=source_key
        )
    report = report or ImportReport(source_key=source_key)
    report.source_key = source_key
    plan = ImportPlan(source_key, report.format, report)
    try:
        _plan_into(plan, items, known, limits)
    except TooManyRejected as error:
        plan.close()
        error.report = ImportReport(
            source_key=source_key, format=report.format, dry_run=report.dry_run, rejected=list(error.examples)
        )
        raise
    except BaseException:
        plan.close()
        raise
    return plan


def _reject(report: ImportReport, row: RejectedRecord, limits: ReadLimits) -> None:
    report.rejected.append(row)
    if len(report.rejected) > limits.max_rejected:
        raise TooManyRejected(limits.max_rejected, report.rejected[: limits.rejected_examples])


def _plan_into(
    plan: ImportPlan, items: Iterable[ReaderItem], existing: dict[str, Known], limits: ReadLimits
) -> None:
    report, seen = plan.report, plan.seen
    for item in items:
        if isinstance(item, RejectedRecord):
            if item.source_id in existing and item.source_id not in seen:  # unreadable this time: kept
                seen[item.source_id] = item.line
            _reject(report, item, limits)
            continue
        fingerprint = content_hash(item)
        source_id = clean_line(item.source_id)
        known = existing.get(source_id)
        if known is not None and known[1] == fingerprint and not known[2] and source_id not in seen:
            seen[source_id] = item.line  # the fast path: the same row as last time, nothing to normalise
            report.unchanged += 1
            plan.add(_Planned(item, fingerprint, None))
            continue
        try:
            values, warnings = normalize_record(item)
        except RejectedRow as error:
            _reject(report, RejectedRecord(item.line, str(error), error.code, error.params), limits)
            _keep_known(item, existing, seen)
            continue
        source_id = values["source_id"]
        if source_id in seen:
            _reject(
                report,
                RejectedRecord(
                    item.line,
                    f"the id {source_id} appears twice (first on line {seen[source_id]}); this one is skipped",
                    "duplicate_id",
                    params(id=source_id, first_line=seen[source_id]),
                ),
                limits,
            )
            continue
        seen[source_id] = item.line
        report.warnings_total += len(warnings)
        room = limits.max_rejected - len(report.warnings)
        if warnings and room > 0:
            report.warnings.extend(
                WarningRecord(item.line, w.message, w.code, w.params) for w in warnings[:room]
            )
        values["raw"] = json.loads(item.raw)
        values["content_hash"] = fingerprint
        plan.add(_Planned(item, fingerprint, values))
        known = existing.get(source_id)
        if known is None:
            report.added += 1
        elif known[3] or known[1] == fingerprint and not known[2]:
            report.unchanged += 1
        elif known[2]:
            report.restored += 1
        else:
            report.updated += 1
    if not seen:
        raise NothingImported(
            "not one organisation could be read from this source: nothing was imported", report
        )
    report.archived = sum(
        1 for source_id, (_i, _h, archived, _m) in existing.items() if source_id not in seen and not archived
    )


def apply_plan(session: Session, plan: ImportPlan) -> ImportReport:
    """Write ``plan``: the only step of an import that writes; flush, never commit.

    The database is read again first (it may have changed since the plan was made), so the report returned
    says what was really done. Rows unchanged at planning time but changed since are normalised here.
    """
    source_key = plan.source_key
    report = dataclasses.replace(
        plan.report,
        added=0,
        updated=0,
        unchanged=0,
        archived=0,
        restored=0,
        rejected=list(plan.report.rejected),
        warnings=list(plan.report.warnings),
        changed_ids=[],
    )
    session.flush()
    existing = read_known(session, source_key)
    seen = dict(plan.seen)
    batches = _Batches(session, report)
    now = utcnow()
    for planned in plan.rows():
        item, values = planned.record, planned.values
        source_id = clean_line(item.source_id) if values is None else values["source_id"]
        known = existing.get(source_id)
        if values is None:
            if known is not None and known[1] == planned.fingerprint and not known[2]:
                report.unchanged += 1
                continue
            try:  # changed in the database since the plan was made
                values, warnings = normalize_record(item)
            except RejectedRow as error:
                report.rejected.append(RejectedRecord(item.line, str(error), error.code, error.params))
                continue
            report.warnings.extend(WarningRecord(item.line, w.message, w.code, w.params) for w in warnings)
            values["raw"] = json.loads(item.raw)
            values["content_hash"] = planned.fingerprint
        if known is None:
            batches.insert(
                {
                    **values,
                    "source": source_key,
                    "archived": False,
                    "archived_at": None,
                    "merged_into_id": None,
                    "created_at": now,
                    "updated_at": now,
                    "parent_id": None,
                }
            )
            report.added += 1
            continue
        org_id, old_hash, archived, merged = known
        if merged:  # a person merged it into another organisation: it stays where they put it
            report.unchanged += 1
        elif archived:
            batches.update(
                {**values, "id": org_id, "archived": False, "archived_at": None, "updated_at": now}
            )
            report.restored += 1
        elif old_hash != values["content_hash"]:
            batches.update(
                {**values, "id": org_id, "archived": False, "archived_at": None, "updated_at": now}
            )
            report.updated += 1
        else:
            report.unchanged += 1
    batches.flush()
    if batches.inserted:
        report.changed_ids.extend(_new_ids(session, source_key, existing))
    _archive_missing(session, report, existing, seen, now)
    _link_parents(session, report, source_key)
    report.changed_ids = sorted(set(report.changed_ids))
    session.flush()
    return report


def sync_records(
    session: Session,
    items: Iterable[ReaderItem],
    *,
    source_key: str,
    report: ImportReport | None = None,
    limits: ReadLimits | None = None,
) -> ImportReport:
    """Bring the organisations of ``source_key`` in line with ``items`` in ``session``: ``read_known``,
    ``plan_records`` and ``apply_plan`` in a row; flush, never commit. Returns the ``ImportReport``."""
    known = read_known(session, source_key) if source_key and source_key != LOCAL_SOURCE else {}
    with plan_records(items, source_key=source_key, known=known, report=report, limits=limits) as plan:
        applied = apply_plan(session, plan)
    if report is not None:  # the caller's report object says what was done
        for name in (
            "added",
            "updated",
            "unchanged",
            "archived",
            "restored",
            "rejected",
            "warnings",
            "warnings_total",
            "changed_ids",
        ):
            setattr(report, name, getattr(applied, name))
        return report
    return applied


def _new_ids(session: Session, source_key: str, existing: dict) -> list[int]:
    known = {org_id for org_id, _h, _a, _m in existing.values()}
    return [
        org_id
        for org_id in session.scalars(select(Organisation.id).where(Organisation.source == source_key))
        if org_id not in known
    ]


def _keep_known(item: OrganisationRecord, existing: dict, seen: dict[str, int]) -> None:
    """A known organisation whose row is unreadable this time is left as it is rather than archived."""
    source_id = clean_line(item.source_id)
    if source_id in existing and source_id not in seen:
        seen[source_id] = item.line


def _archive_missing(session: Session, report: ImportReport, existing: dict, seen: dict, now) -> None:
    gone = [
        org_id
        for source_id, (org_id, _h, archived, _m) in existing.items()
        if source_id not in seen and not archived
    ]
    for start in range(0, len(gone), _IN_CHUNK):
        chunk = gone[start : start + _IN_CHUNK]
        session.execute(
            update(Organisation)
            .where(Organisation.id.in_(chunk))
            .values(archived=True, archived_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    report.archived += len(gone)
    report.changed_ids.extend(gone)


def _link_parents(session: Session, report: ImportReport, source_key: str) -> None:
    """Point ``parent_id`` at the organisation of the same source whose id is ``parent_source_id``."""
    parent = aliased(Organisation)
    parent_id = (
        select(parent.id)
        .where(parent.source == source_key, parent.source_id == Organisation.parent_source_id)
        .scalar_subquery()
    )
    changed = session.scalars(
        update(Organisation)
        .where(Organisation.source == source_key, Organisation.parent_id.is_distinct_from(parent_id))
        .values(parent_id=parent_id)
        .returning(Organisation.id)
        .execution_options(synchronize_session=False)
    ).all()
    report.changed_ids.extend(changed)


def default_source_key(path: str | Path, fmt: str) -> str:
    """The key organisations of an export carry when none is given: the HSDS package name, else
    ``bruxelles-social``."""
    if fmt == "hsds":
        return package_name(path) or "hsds"
    return DEFAULT_SOURCE_KEY


_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def check_source_key(key: str) -> str:
    if key == LOCAL_SOURCE or not _KEY_RE.match(key):
        raise SourceError(
            f"{key!r} cannot be a source key (lower-case letters, digits, '-', '.', '_'; not 'local')",
            "bad_source_key",
            key=key,
        )
    return key


def plan_path(
    path: str | Path,
    known_of: Callable[[str], dict[str, Known]],
    *,
    source_key: str = "",
    fmt: str = "auto",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    transform: Callable[[Iterator[ReaderItem]], Iterable[ReaderItem]] | None = None,
    limits: ReadLimits | None = None,
) -> ImportPlan:
    """Read the export at ``path`` and plan its import: the format recognised, the source key checked,
    ``known_of(key)`` called once for what the database holds of that source (the caller decides how to read
    it: on SQLite, outside a write transaction). Raises ``SourceError`` (or ``NothingImported``)."""
    resolved = detect_format(path) if fmt == "auto" else fmt
    key = check_source_key(source_key or default_source_key(path, resolved))
    report = ImportReport(source_key=key, format=resolved, dry_run=dry_run)
    known = known_of(key)
    items = read_source(path, resolved, progress, limits)
    return plan_records(
        transform(items) if transform else items, source_key=key, known=known, report=report, limits=limits
    )


def import_path(
    session: Session,
    path: str | Path,
    *,
    source: str = "",
    source_key: str = "",
    fmt: str = "auto",
    dry_run: bool = False,
    started_by: str = "",
    progress: Callable[[int], None] | None = None,
    transform: Callable[[Iterator[ReaderItem]], Iterable[ReaderItem]] | None = None,
    limits: ReadLimits | None = None,
) -> tuple[ImportRun, ImportReport]:
    """Import the export at ``path`` (``source`` is how the run names it: the URL or the file given), every
    step in ``session``: plan, then (unless ``dry_run``) apply, the export read within ``limits`` (see
    ``ReadLimits``; past them ``TooManyRejected`` or a ``SourceError``).

    Adds an ``ImportRun`` recording the outcome and flushes; the caller commits. A dry run writes only the
    run record. Raises ``SourceError`` (or ``NothingImported``) when nothing can be imported; the caller then
    rolls back. ``transform``, when given, sees the reader's stream first (labels from a vocabulary, rows a
    crawl could not fetch).
    """
    started_at = utcnow()
    with plan_path(
        path,
        lambda key: read_known(session, key),
        source_key=source_key,
        fmt=fmt,
        dry_run=dry_run,
        progress=progress,
        transform=transform,
        limits=limits,
    ) as plan:
        report = plan.report if dry_run else apply_plan(session, plan)
    run = record_run(
        session, report, source=source or str(path), started_by=started_by, started_at=started_at
    )
    return run, report


def record_run(
    session: Session,
    report: ImportReport,
    *,
    source: str,
    started_by: str,
    started_at=None,
    status: str = "",
    error: str = "",
    error_code: str = "",
    error_params: dict | None = None,
) -> ImportRun:
    """Add the ``ImportRun`` of ``report`` (status ``applied``, ``dry-run``, ``unchanged`` or ``failed``)."""
    if not status:
        status = "dry-run" if report.dry_run else ("unchanged" if report.changed == 0 else "applied")
    run = ImportRun(
        source=source[:1000],
        source_key=report.source_key,
        format=report.format,
        started_by=started_by[:200],
        started_at=started_at or utcnow(),
        finished_at=utcnow(),
        dry_run=report.dry_run,
        status=status,
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        archived=report.archived,
        restored=report.restored,
        rejected_count=len(report.rejected),
        rejected=[r.as_dict() for r in report.rejected],
        warnings=[w.as_dict() for w in report.warnings],
        error=error,
        error_code=error_code,
        error_params=error_params or {},
    )
    session.add(run)
    session.flush()
    return run


def known_validators(session: Session, source: str, source_key: str = "") -> tuple[str, str]:
    """The ETag and Last-Modified to send back for ``source`` (empty when another key imported it). A read."""
    state = session.scalar(select(SourceState).where(SourceState.source == source))
    if state is None or (source_key and source_key != state.source_key):
        return "", ""
    return state.etag, state.last_modified


def not_modified_report(
    session: Session, source: str, *, source_key: str = "", fmt: str = "auto", dry_run: bool = False
) -> ImportReport:
    """The report of a source whose server answered 304: every active organisation of it unchanged; the
    source's state is marked checked (unless ``dry_run``). Flushes."""
    state = session.scalar(select(SourceState).where(SourceState.source == source))
    key = source_key or (state.source_key if state is not None else "")
    report = ImportReport(source_key=key, format=fmt, dry_run=dry_run, not_modified=True)
    report.unchanged = (
        session.scalar(
            select(func.count())
            .select_from(Organisation)
            .where(Organisation.source == key, Organisation.archived.is_(False))
        )
        or 0
    )
    if state is not None and not dry_run:
        state.checked_at = utcnow()
        session.flush()
    return report


def remember_validators(session: Session, source: str, download: FetchReport, source_key: str) -> None:
    """Keep the ETag and Last-Modified of a download that was imported, for the next conditional request."""
    state = session.scalar(select(SourceState).where(SourceState.source == source))
    if state is None:
        state = SourceState(source=source[:1000])
        session.add(state)
    state.etag = download.etag[:300]
    state.last_modified = download.last_modified[:100]
    state.source_key = source_key
    state.checked_at = utcnow()
    session.flush()


def import_source(
    session: Session,
    source: str,
    *,
    source_key: str = "",
    fmt: str = "auto",
    dry_run: bool = False,
    started_by: str = "",
    download_dir: str | Path | None = None,
    timeout: float = 30,
    max_bytes: int = 200 * 1024 * 1024,
    retries: int = 3,
    backoff: float = 1.0,
    allowed_hosts: Collection[str] = (),
    progress: Callable[[int], None] | None = None,
    transform: Callable[[Iterator[ReaderItem]], Iterable[ReaderItem]] | None = None,
    limits: ReadLimits | None = None,
) -> tuple[ImportRun, ImportReport]:
    """Import a path or an http(s) URL in ``session`` (see ``fetch`` for the download's guard and deadline).
    For a URL the validators of the last import are sent back; when the server answers 304 the run reports
    every organisation of the source unchanged, after one request. Raises ``SourceError`` or ``FetchError``;
    flushes, never commits."""
    if not is_url(source):
        return import_path(
            session,
            source,
            source=source,
            source_key=source_key,
            fmt=fmt,
            dry_run=dry_run,
            started_by=started_by,
            progress=progress,
            transform=transform,
            limits=limits,
        )
    etag, last_modified = known_validators(session, source, source_key)
    download: FetchReport = fetch(
        source,
        download_dir,
        etag=etag,
        last_modified=last_modified,
        timeout=timeout,
        max_bytes=max_bytes,
        retries=retries,
        backoff=backoff,
        allowed_hosts=allowed_hosts,
    )
    if download.not_modified:
        report = not_modified_report(session, source, source_key=source_key, fmt=fmt, dry_run=dry_run)
        run = record_run(
            session,
            report,
            source=source,
            started_by=started_by,
            status="dry-run" if dry_run else "unchanged",
        )
        return run, report
    try:
        run, report = import_path(
            session,
            download.path,
            source=source,
            source_key=source_key,
            fmt=fmt,
            dry_run=dry_run,
            started_by=started_by,
            progress=progress,
            transform=transform,
            limits=limits,
        )
    finally:
        download.path.unlink(missing_ok=True)
    if not dry_run:
        remember_validators(session, source, download, report.source_key)
    return run, report
