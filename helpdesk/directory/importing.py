"""Running a directory import from the helpdesk (CLI, scheduled sync, import jobs): configuration in, the
slow steps outside any transaction, one short write transaction, the run recorded whatever happens, and
``directory_changed`` sent once the import is committed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory_import.fetch import FetchError, fetch, is_url
from directory_import.models import ImportRun, utcnow
from directory_import.readers import ReadLimits, SourceError
from directory_import.socialbrussels_api import CrawlPolicy, import_api
from directory_import.source_vocabularies import (
    VocabularyReport,
    load_vocabularies,
    vocabulary_labels,
    with_labels,
)
from directory_import.sync import (
    ImportReport,
    apply_plan,
    known_validators,
    not_modified_report,
    plan_path,
    read_known,
    record_run,
    remember_validators,
)
from helpdesk.db import read_session
from helpdesk.directory.signals import directory_changed
from helpdesk.stewardship.overlays import reapply_overlays

logger = logging.getLogger(__name__)

IMPORT_LOCK_KEY = 7_340_001  # pg_advisory_xact_lock key of directory imports


class ImportFailed(Exception):
    """Nothing was imported. ``run`` is the recorded failed run (its ``error_code`` and ``error_params`` say
    why, for a message in the reader's language), ``report`` what was learnt before failing."""

    def __init__(self, message: str, run: ImportRun, report: ImportReport | None):
        super().__init__(message)
        self.run = run
        self.report = report


def imports_dir() -> Path:
    """Where uploaded and downloaded exports wait for confirmation (inside the instance folder)."""
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_limits() -> ReadLimits:
    """The ``IMPORT_MAX_*`` settings as the readers take them."""
    cfg = current_app.config
    return ReadLimits(
        max_depth=int(cfg["IMPORT_MAX_DEPTH"]),
        max_field_chars=int(cfg["IMPORT_MAX_FIELD_CHARS"]),
        max_record_bytes=int(cfg["IMPORT_MAX_RECORD_BYTES"]),
        max_rejected=int(cfg["IMPORT_MAX_REJECTED"]),
        max_uncompressed_bytes=int(cfg["IMPORT_MAX_UNCOMPRESSED_BYTES"]),
        max_compression_ratio=int(cfg["IMPORT_MAX_COMPRESSION_RATIO"]),
    )


def api_cache_dir(url: str) -> Path:
    """Where the records of an API source are kept between syncs (validators, bodies, an unfinished crawl)."""
    path = imports_dir() / f"api-{hashlib.sha256(url.encode()).hexdigest()[:16]}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def crawl_policy() -> CrawlPolicy:
    """The politeness settings of API sources (``SOCIALBRUSSELS_*``)."""
    cfg = current_app.config
    deadline = cfg["SOCIALBRUSSELS_DEADLINE_SECONDS"]
    return CrawlPolicy(
        concurrency=int(cfg["SOCIALBRUSSELS_CONCURRENCY"]),
        delay=float(cfg["SOCIALBRUSSELS_DELAY_SECONDS"]),
        timeout=float(cfg["SOCIALBRUSSELS_TIMEOUT_SECONDS"]),
        retries=int(cfg["SOCIALBRUSSELS_RETRIES"]),
        backoff=float(cfg["FETCH_BACKOFF_SECONDS"]),
        deadline=float(deadline) if deadline else None,
        resume_within=float(cfg["SOCIALBRUSSELS_RESUME_HOURS"]) * 3600,
        max_pages=int(cfg["SOCIALBRUSSELS_MAX_PAGES"]),
        allowed_hosts=tuple(fetch_options()["allowed_hosts"]),
    )


def apply_vocabularies(db: Session, sources: dict[str, str] | None = None) -> list[VocabularyReport]:
    """Read the reference lists (``DIRECTORY_VOCABULARIES`` unless ``sources`` is given) into the database and
    commit; on failure roll back and raise ``SourceError`` / ``FetchError``. An edge, like ``apply_import``."""
    cfg = current_app.config
    configured = cfg.get("DIRECTORY_VOCABULARIES") or {} if sources is None else sources
    if not isinstance(configured, dict):
        raise SourceError(
            "DIRECTORY_VOCABULARIES must map a kind (sectors, categories...) to a file or URL",
            "vocabulary_settings",
        )
    try:
        reports = load_vocabularies(db, configured, download_dir=imports_dir(), **fetch_options())
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return reports


def discard_stale_dry_runs(db: Session, older_than: timedelta = timedelta(days=2)) -> int:
    """Delete the files of dry runs nobody confirmed within ``older_than``; the runs stay in the history.
    Flushes; returns how many files were let go."""
    limit = utcnow() - older_than
    stale = db.scalars(
        select(ImportRun).where(
            ImportRun.dry_run.is_(True), ImportRun.stored_path != "", ImportRun.started_at < limit
        )
    ).all()
    for run in stale:
        Path(run.stored_path).unlink(missing_ok=True)
        run.stored_path = ""
    db.flush()
    return len(stale)


def _known_of(source_key: str) -> dict:
    # Read apart, on a session that does not take SQLite's write lock: the file is parsed afterwards.
    with read_session() as reader:
        return read_known(reader, source_key)


def _serialise_imports(db: Session) -> None:
    """One import applies at a time: on PostgreSQL a transaction-scoped advisory lock (SQLite's single
    writer already serialises them). Taken at the start of the write transaction, before it reads."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


def apply_import(
    db: Session,
    source: str,
    *,
    fmt: str = "auto",
    dry_run: bool = False,
    started_by: str = "",
    source_key: str = "",
    stored_path: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    before_commit: Callable[[Session, ImportRun], None] | None = None,
    record_url: str = "",
) -> tuple[ImportRun, ImportReport]:
    """Import ``source`` (a path or a URL; or the file at ``stored_path``, named ``source``) and commit.
    With ``record_url`` (``.../organisation/{id}``), ``source`` is an API list whose records are fetched one
    by one (see ``directory_import.socialbrussels_api``); a ``socialbrussels`` URL without it is read as a
    list of whole records, its pages followed.

    The pipeline of ARCHITECTURE.md: the download (guarded, with one deadline), the parse and the plan come
    first, with no transaction open; then one short write transaction applies the plan, records the run and
    calls ``before_commit(db, run)`` (a job marks itself done there, in the same commit). The search index is
    updated after the commit. On failure everything is rolled back, a failed run is recorded and committed,
    and ``ImportFailed`` is raised with a message in plain words. This is an edge (it commits), shared by the
    CLI, the scheduled sync and the import jobs of the admin pages.
    """
    limits = import_limits()
    started_at = utcnow()
    download = None
    db.rollback()  # nothing of the caller's stays open (on SQLite: holding the write lock) during the slow part
    try:
        with read_session() as reader:  # not on ``db``: on SQLite it would hold the write lock from now on
            labels = vocabulary_labels(reader)
        transform = partial(with_labels, labels=labels) if labels else None
        # A social.brussels list read from its URL may page: the crawl follows its pages (and, with
        # ``record_url``, fetches each record), resumably.
        if record_url or (fmt == "socialbrussels" and stored_path is None and is_url(source)):
            run, report, _crawl = import_api(
                db,
                source,
                record_url,
                api_cache_dir(source),
                policy=crawl_policy(),
                source_key=source_key,
                dry_run=dry_run,
                started_by=started_by,
                labels=labels,
                progress=progress,
                limits=limits,
            )
            if not dry_run:
                report.changed_ids = sorted(set(report.changed_ids) | set(reapply_overlays(db)))
            if before_commit is not None:
                before_commit(db, run)
            db.commit()
        else:
            path: str | Path | None = stored_path
            if path is None and is_url(source):
                with read_session() as reader:
                    etag, last_modified = known_validators(reader, source, source_key)
                download = fetch(
                    source, imports_dir(), etag=etag, last_modified=last_modified, **fetch_options()
                )
                if download.not_modified:
                    report = not_modified_report(db, source, source_key=source_key, fmt=fmt, dry_run=dry_run)
                    run = record_run(
                        db,
                        report,
                        source=source,
                        started_by=started_by,
                        started_at=started_at,
                        status="dry-run" if dry_run else "unchanged",
                    )
                    if before_commit is not None:
                        before_commit(db, run)
                    db.commit()
                    return run, report
                path = download.path
            with plan_path(
                path or source,
                _known_of,
                source_key=source_key,
                fmt=fmt,
                dry_run=dry_run,
                progress=progress,
                transform=transform,
                limits=limits,
            ) as plan:
                if dry_run:
                    report = plan.report
                else:
                    _serialise_imports(db)
                    report = apply_plan(db, plan)
                    # The helpdesk's overlays go back on top of what the source wrote (ARCHITECTURE.md).
                    report.changed_ids = sorted(set(report.changed_ids) | set(reapply_overlays(db)))
                    if download is not None:
                        remember_validators(db, source, download, report.source_key)
                run = record_run(db, report, source=source, started_by=started_by, started_at=started_at)
                if stored_path is not None:
                    run.stored_path = str(stored_path) if dry_run else ""
                if before_commit is not None:
                    before_commit(db, run)
                db.commit()
    except Exception as error:  # whatever a file does to the import, nothing of it stays and the run says why
        db.rollback()
        report = getattr(error, "report", None) if isinstance(error, SourceError) else None
        if not isinstance(error, (SourceError, FetchError, SQLAlchemyError, OSError)):
            logger.exception("import of %s failed unexpectedly", source)
        failed = record_failure(
            db,
            source,
            error,
            fmt=fmt,
            dry_run=dry_run,
            started_by=started_by,
            started_at=started_at,
            report=report,
        )
        raise ImportFailed(str(failed.error), failed, report) from error
    except BaseException:
        db.rollback()
        raise
    finally:
        if download is not None and download.path is not None:
            download.path.unlink(missing_ok=True)
    if not dry_run and report.changed_ids:
        directory_changed.send(current_app._get_current_object(), organisation_ids=list(report.changed_ids))
    return run, report


def record_failure(
    db: Session,
    source: str,
    error: Exception,
    *,
    fmt: str = "auto",
    dry_run: bool = False,
    started_by: str = "",
    started_at=None,
    report: ImportReport | None = None,
) -> ImportRun:
    """Record and commit the failed run of ``source`` (``error``: a ``SourceError``, a ``FetchError``, a
    database or file error), with a code and values for a message in the reader's language."""
    if not isinstance(error, (SourceError, FetchError)):
        detail = f"{error.__class__.__name__}: {error}"
        message, code, params = (
            f"the import failed and was rolled back ({detail})",
            "rolled_back",
            {"detail": detail},
        )
    else:
        message, code, params = str(error), getattr(error, "code", ""), getattr(error, "params", {})
    logger.warning("import of %s failed: %s", source, message)
    failed = record_run(
        db,
        report or ImportReport(format=fmt, dry_run=dry_run),
        source=source,
        started_by=started_by,
        started_at=started_at,
        status="failed",
        error=message[:2000],
        error_code=code,
        error_params={k: str(v)[:500] for k, v in params.items()},
    )
    db.commit()
    return failed


def fetch_options() -> dict:
    """The configured guard, deadline, size limit and retries of a download, as ``fetch`` takes them."""
    cfg = current_app.config
    allowed = cfg.get("FETCH_ALLOWED_HOSTS") or []
    if isinstance(allowed, str):  # one host given without the list around it
        allowed = [allowed]
    return {
        "timeout": float(cfg["FETCH_TIMEOUT_SECONDS"]),
        "max_bytes": int(cfg["FETCH_MAX_BYTES"]),
        "retries": int(cfg["FETCH_RETRIES"]),
        "backoff": float(cfg["FETCH_BACKOFF_SECONDS"]),
        "allowed_hosts": [str(host) for host in allowed],
    }
