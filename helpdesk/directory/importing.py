"""Running a directory import from the helpdesk (CLI and admin pages): configuration in, one transaction,
the run recorded whatever happens, and ``directory_changed`` sent once the import is committed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory_import.fetch import FetchError
from directory_import.models import ImportRun, utcnow
from directory_import.readers import ReadLimits, SourceError
from directory_import.socialbrussels_api import CrawlPolicy, import_api
from directory_import.source_vocabularies import (
    VocabularyReport,
    load_vocabularies,
    vocabulary_labels,
    with_labels,
)
from directory_import.sync import ImportReport, import_path, import_source, record_run
from helpdesk.directory.signals import directory_changed

logger = logging.getLogger(__name__)


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
    defaults = ReadLimits()
    return ReadLimits(
        max_depth=int(cfg.get("IMPORT_MAX_DEPTH", defaults.max_depth)),
        max_field_chars=int(cfg.get("IMPORT_MAX_FIELD_CHARS", defaults.max_field_chars)),
        max_record_bytes=int(cfg.get("IMPORT_MAX_RECORD_BYTES", defaults.max_record_bytes)),
        max_rejected=int(cfg.get("IMPORT_MAX_REJECTED", defaults.max_rejected)),
        max_uncompressed_bytes=int(cfg.get("IMPORT_MAX_UNCOMPRESSED_BYTES", defaults.max_uncompressed_bytes)),
        max_compression_ratio=int(cfg.get("IMPORT_MAX_COMPRESSION_RATIO", defaults.max_compression_ratio)),
    )


def api_cache_dir(url: str) -> Path:
    """Where the records of an API source are kept between syncs (validators, bodies, an unfinished crawl)."""
    path = imports_dir() / f"api-{hashlib.sha256(url.encode()).hexdigest()[:16]}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def crawl_policy() -> CrawlPolicy:
    """The politeness settings of API sources (``SOCIALBRUSSELS_*``)."""
    cfg = current_app.config
    deadline = cfg.get("SOCIALBRUSSELS_DEADLINE_SECONDS", 3600)
    return CrawlPolicy(
        concurrency=int(cfg.get("SOCIALBRUSSELS_CONCURRENCY", 2)),
        delay=float(cfg.get("SOCIALBRUSSELS_DELAY_SECONDS", 0.5)),
        timeout=float(cfg.get("SOCIALBRUSSELS_TIMEOUT_SECONDS", 30)),
        retries=int(cfg.get("SOCIALBRUSSELS_RETRIES", 2)),
        backoff=float(cfg.get("FETCH_BACKOFF_SECONDS", 1.0)),
        deadline=float(deadline) if deadline else None,
        resume_within=float(cfg.get("SOCIALBRUSSELS_RESUME_HOURS", 12)) * 3600,
    )


def apply_vocabularies(db: Session, sources: dict[str, str] | None = None) -> list[VocabularyReport]:
    """Read the reference lists (``DIRECTORY_VOCABULARIES`` unless ``sources`` is given) into the database and
    commit; on failure roll back and raise ``SourceError`` / ``FetchError``. An edge, like ``apply_import``."""
    cfg = current_app.config
    configured = cfg.get("DIRECTORY_VOCABULARIES") or {} if sources is None else sources
    if not isinstance(configured, dict):
        raise SourceError("DIRECTORY_VOCABULARIES must map a kind (sectors, categories...) to a file or URL",
                          "vocabulary_settings")
    try:
        reports = load_vocabularies(db, configured, download_dir=imports_dir(), timeout=cfg["FETCH_TIMEOUT_SECONDS"],
                                    max_bytes=cfg["FETCH_MAX_BYTES"], retries=cfg.get("FETCH_RETRIES", 3),
                                    backoff=cfg.get("FETCH_BACKOFF_SECONDS", 1.0))
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return reports


def discard_stale_dry_runs(db: Session, older_than: timedelta = timedelta(days=2)) -> int:
    """Delete the files of dry runs nobody confirmed within ``older_than``; the runs stay in the history.
    Flushes; returns how many files were let go."""
    limit = utcnow() - older_than
    stale = db.scalars(select(ImportRun).where(ImportRun.dry_run.is_(True), ImportRun.stored_path != "",
                                               ImportRun.started_at < limit)).all()
    for run in stale:
        Path(run.stored_path).unlink(missing_ok=True)
        run.stored_path = ""
    db.flush()
    return len(stale)


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
    record_url: str = "",
) -> tuple[ImportRun, ImportReport]:
    """Import ``source`` (a path or a URL; or the file at ``stored_path``, named ``source``) and commit.
    With ``record_url`` (``.../organisation/{id}``), ``source`` is an API list whose records are fetched one
    by one (see ``directory_import.socialbrussels_api``).

    On failure everything is rolled back, a failed run is recorded and committed, and ``ImportFailed`` is
    raised with a message in plain words. This is an edge (it commits), shared by the CLI and the admin pages.
    """
    cfg = current_app.config
    limits = import_limits()
    try:
        labels = vocabulary_labels(db)

        def transform(items):
            return with_labels(items, labels)

        if record_url:
            run, report, _crawl = import_api(
                db, source, record_url, api_cache_dir(source), policy=crawl_policy(), source_key=source_key,
                dry_run=dry_run, started_by=started_by, labels=labels, progress=progress,
            )
        elif stored_path is not None:
            run, report = import_path(db, stored_path, source=source, source_key=source_key, fmt=fmt,
                                      dry_run=dry_run, started_by=started_by, progress=progress,
                                      transform=transform if labels else None, limits=limits)
            run.stored_path = str(stored_path) if dry_run else ""
        else:
            run, report = import_source(
                db, source, source_key=source_key, fmt=fmt, dry_run=dry_run, started_by=started_by,
                download_dir=imports_dir(), timeout=cfg["FETCH_TIMEOUT_SECONDS"],
                max_bytes=cfg["FETCH_MAX_BYTES"], retries=cfg.get("FETCH_RETRIES", 3),
                backoff=cfg.get("FETCH_BACKOFF_SECONDS", 1.0), progress=progress,
                transform=transform if labels else None, limits=limits,
            )
        db.commit()
    except Exception as error:  # whatever a file does to the import, nothing of it stays and the run says why
        db.rollback()
        report = getattr(error, "report", None) if isinstance(error, SourceError) else None
        if not isinstance(error, (SourceError, FetchError, SQLAlchemyError, OSError)):
            logger.exception("import of %s failed unexpectedly", source)
        if not isinstance(error, (SourceError, FetchError)):
            detail = f"{error.__class__.__name__}: {error}"
            message, code, params = f"the import failed and was rolled back ({detail})", "rolled_back", {
                "detail": detail}
        else:
            message, code, params = str(error), error.code, error.params
        logger.warning("import of %s failed: %s", source, message)
        failed = record_run(db, report or ImportReport(format=fmt, dry_run=dry_run), source=source,
                            started_by=started_by, status="failed", error=message[:2000], error_code=code,
                            error_params={k: str(v)[:500] for k, v in params.items()})
        db.commit()
        raise ImportFailed(message, failed, report) from error
    if not dry_run and report.changed_ids:
        directory_changed.send(current_app._get_current_object(), organisation_ids=list(report.changed_ids))
    return run, report
