"""Directory imports started from the admin pages, run as background jobs (kind ``directory.import``).

A job downloads the address (guarded, with one deadline) or takes the uploaded file, then runs the
pipeline of ``apply_import``: a dry run keeps the file for the confirmation; a confirmation applies the
very file that was dry-run. The job marks itself done in the import's own commit. One import job at a time.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from directory_import.fetch import FetchError, fetch
from directory_import.models import ImportRun
from helpdesk.db import get_session
from helpdesk.directory.importing import (
    ImportFailed,
    apply_import,
    fetch_options,
    imports_dir,
    record_failure,
)
from helpdesk.jobs.queue import JobContext, JobFailed, JobKind

KIND = "directory.import"
EXCLUSIVE_KEY = "directory-import"


def import_payload(
    *,
    source: str,
    url: str = "",
    stored_path: str | Path = "",
    fmt: str = "auto",
    dry_run: bool = True,
    source_key: str = "",
    started_by: str = "",
    confirms_run_id: int | None = None,
) -> dict:
    """The payload of an import job (JSON)."""
    return {
        "source": source,
        "url": url,
        "stored_path": str(stored_path),
        "format": fmt,
        "dry_run": dry_run,
        "source_key": source_key,
        "started_by": started_by,
        "confirms_run_id": confirms_run_id,
    }


def run_import_job(context: JobContext) -> dict:
    """Run one import job; returns (or commits with the import) ``{"run_id": ..., "status": ...}``. An import
    that cannot be done fails the job for good with the failed run (which says why)."""
    payload = context.payload
    stored = payload.get("stored_path") or ""
    if payload.get("url") and not stored:
        stored = str(_download(context, payload["url"]))
    if not stored or not Path(stored).exists():
        raise JobFailed("the file to import is no longer there", {"reason": "file_gone"})
    size = Path(stored).stat().st_size if Path(stored).is_file() else 0
    context.progress(force=True, stage="reading", done=0, total=size)

    def reading(done: int) -> None:
        context.progress(stage="reading", done=done, total=size)

    def before_commit(db: Session, run: ImportRun) -> None:
        confirmed = payload.get("confirms_run_id")
        if confirmed:
            dry = db.get(ImportRun, confirmed)
            if dry is not None:
                dry.confirmed_run_id, dry.stored_path = run.id, ""
        context.finish(
            db,
            {
                "run_id": run.id,
                "status": run.status,
                "added": run.added,
                "updated": run.updated,
                "archived": run.archived,
                "restored": run.restored,
            },
        )

    db = get_session()
    try:
        run, _report = apply_import(
            db,
            payload["source"],
            fmt=payload.get("format", "auto"),
            dry_run=bool(payload.get("dry_run")),
            started_by=payload.get("started_by", ""),
            source_key=payload.get("source_key", ""),
            stored_path=Path(stored),
            progress=reading,
            before_commit=before_commit,
        )
    except ImportFailed as error:
        Path(stored).unlink(missing_ok=True)
        raise JobFailed(str(error), {"run_id": error.run.id, "status": "failed"}) from None
    if not payload.get("dry_run"):
        Path(stored).unlink(missing_ok=True)
    return {"run_id": run.id, "status": run.status}


def _download(context: JobContext, url: str) -> Path:
    """The address downloaded into the instance folder (no validators: a dry run reads the whole export)."""
    context.progress(force=True, stage="downloading", done=0, total=0)

    def downloading(done: int) -> None:
        context.progress(stage="downloading", done=done, total=0)

    try:
        return fetch(url, imports_dir(), progress=downloading, **fetch_options()).path
    except FetchError as error:
        run = record_failure(
            get_session(),
            url,
            error,
            fmt=context.payload.get("format", "auto"),
            dry_run=True,
            started_by=context.payload.get("started_by", ""),
        )
        raise JobFailed(str(error), {"run_id": run.id, "status": "failed"}) from None


JOB_KINDS = [JobKind(KIND, run_import_job, exclusive_key=EXCLUSIVE_KEY, max_attempts=3)]
