"""Admin section: directory imports. Upload a file or give an address, read the dry-run report, confirm,
see the run; the history of runs with their rejected rows."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from directory_import.fetch import FetchError, check_url
from directory_import.models import ImportRun
from helpdesk import access
from helpdesk.admin.import_forms import ConfirmImportForm, ImportForm
from helpdesk.admin.views import require
from helpdesk.db import get_session
from helpdesk.directory.import_jobs import EXCLUSIVE_KEY as IMPORT_EXCLUSIVE_KEY
from helpdesk.directory.import_jobs import KIND as IMPORT_JOB
from helpdesk.directory.import_jobs import import_payload
from helpdesk.directory.importing import discard_stale_dry_runs, fetch_options, imports_dir
from helpdesk.jobs.models import Job
from helpdesk.jobs.queue import AlreadyQueued, active_job, enqueue
from helpdesk.vocabularies.import_messages import (
    ImportStage,
    ImportStatus,
    coded_error_message,
    row_message,
    run_error_details,
    run_error_message,
    started_by_label,
)

bp = Blueprint("admin_imports", __name__, url_prefix="/admin")

HISTORY_LENGTH = 50
ROWS_PER_PAGE = 100  # rejected rows and dropped values on a run's page
JOB_PAGE_REFRESH_SECONDS = 2


def _json_sql(db: Session, column: str) -> tuple[str, str]:
    """The FROM clause that lists the elements of a JSON list column of ``import_runs``, and its order."""
    assert column in ("rejected", "warnings")
    if db.get_bind().dialect.name == "postgresql":
        return (
            f"import_runs, json_array_elements(import_runs.{column}) WITH ORDINALITY AS element(value, position)",
            "element.position",
        )
    return f"import_runs, json_each(import_runs.{column}) AS element", "element.key"


def run_rows(
    db: Session, run: ImportRun, column: str, page: int, per_page: int = ROWS_PER_PAGE
) -> list[dict]:
    """One page of a run's rejected rows or dropped values, read by the database without loading the list."""
    source, order = _json_sql(db, column)
    values = db.execute(
        text(
            f"SELECT element.value FROM {source} WHERE import_runs.id = :id "  # noqa: S608
            f"ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        {"id": run.id, "limit": per_page, "offset": (page - 1) * per_page},
    ).scalars()
    rows = []
    for value in values:
        row = json.loads(value) if isinstance(value, str) else value
        if isinstance(row, dict):
            rows.append(row)
    return rows


def run_row_count(db: Session, run: ImportRun, column: str) -> int:
    assert column in ("rejected", "warnings")
    return (
        db.execute(
            text(f"SELECT json_array_length({column}) FROM import_runs WHERE id = :id"),  # noqa: S608
            {"id": run.id},
        ).scalar()
        or 0
    )


@bp.context_processor
def _import_helpers():
    return {
        "import_row_message": row_message,
        "import_error_message": run_error_message,
        "import_error_details": run_error_details,
        "import_started_by": started_by_label,
        "IMPORT_STATUS_LABELS": ImportStatus.labels(),
        "IMPORT_JOB_STAGES": ImportStage.labels(),
    }


def _who() -> str:
    return current_user.email


def _store_upload(form: ImportForm) -> tuple[Path, str]:
    """Save the uploaded file into the instance folder; (path, source name)."""
    upload = form.file.data
    name = secure_filename(upload.filename) or "export"
    path = imports_dir() / f"{uuid.uuid4().hex}-{name}"
    upload.save(path)
    return path, upload.filename


def _start_import(db, payload: dict) -> Job | None:
    """Queue the import job and commit; None (and a message) when another import is under way."""
    try:
        job = enqueue(db, current_app._get_current_object(), IMPORT_JOB, payload, created_by=_who())
    except AlreadyQueued as busy:
        db.rollback()
        started = busy.job.created_by if busy.job is not None else "?"
        flash(
            _(
                "Another import is under way (started by %(who)s): wait until it has finished, then start "
                "this one again.",
                who=started,
            ),
            "error",
        )
        return None
    db.commit()
    return job


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def imports():
    require(access.can_manage_directory(current_user))
    form = ImportForm()
    db = get_session()
    if form.validate_on_submit():
        discard_stale_dry_runs(db)
        url = (form.url.data or "").strip()
        path = None
        try:
            if url:
                check_url(url, fetch_options()["allowed_hosts"])
                payload = import_payload(source=url, url=url, fmt=form.format.data, started_by=_who())
            else:
                path, source = _store_upload(form)
                payload = import_payload(
                    source=source, stored_path=path, fmt=form.format.data, started_by=_who()
                )
        except FetchError as error:
            detail = coded_error_message(error)
            form.url.errors.append(_("The export could not be downloaded: %(detail)s", detail=detail))
        else:
            job = _start_import(db, payload)
            if job is not None:
                return redirect(url_for("admin_imports.import_job", job_id=job.id))
            if path is not None:
                path.unlink(missing_ok=True)
            return redirect(url_for("admin_imports.imports"))
    runs = db.scalars(
        select(ImportRun).order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(HISTORY_LENGTH)
    ).all()
    running = active_job(db, IMPORT_EXCLUSIVE_KEY)
    status = 400 if form.errors else 200
    return render_template("admin/imports.html", form=form, runs=runs, running=running), status


def _import_job_or_404(job_id: int) -> Job:
    job = get_session().get(Job, job_id)
    if job is None or job.kind != IMPORT_JOB:
        abort(404)
    return job


def _job_run_id(job: Job) -> int | None:
    run_id = (job.result or {}).get("run_id")
    return run_id if isinstance(run_id, int) else None


def job_state(job: Job) -> dict:
    """What the status page and its JSON say about an import job."""
    progress = job.progress or {}
    run_id = _job_run_id(job)
    return {
        "id": job.id,
        "state": job.state,
        "stage": progress.get("stage", ""),
        "done": progress.get("done", 0),
        "total": progress.get("total", 0),
        "attempts": job.attempts,
        "finished": job.finished,
        "run_url": url_for("admin_imports.import_run", run_id=run_id) if job.finished and run_id else None,
    }


@bp.route("/imports/jobs/<int:job_id>")
@login_required
def import_job(job_id: int):
    """The page that follows an import job: it refreshes itself until the job ends, then shows the run."""
    require(access.can_manage_directory(current_user))
    job = _import_job_or_404(job_id)
    run_id = _job_run_id(job)
    if job.finished and run_id is not None:
        run = get_session().get(ImportRun, run_id)
        # A failed run's page says why, once: no flash repeating it.
        if run is not None and run.status != "failed" and not run.dry_run:
            flash(
                _(
                    "Import applied: %(added)s added, %(updated)s updated, %(archived)s archived, "
                    "%(restored)s restored.",
                    added=run.added,
                    updated=run.updated,
                    archived=run.archived,
                    restored=run.restored,
                ),
                "success",
            )
        return redirect(url_for("admin_imports.import_run", run_id=run_id))
    return render_template(
        "admin/import_job.html", job=job, state=job_state(job), refresh_seconds=JOB_PAGE_REFRESH_SECONDS
    )


@bp.route("/imports/jobs/<int:job_id>.json")
@login_required
def import_job_status(job_id: int):
    require(access.can_manage_directory(current_user))
    return jsonify(job_state(_import_job_or_404(job_id)))


def _can_confirm(run: ImportRun) -> bool:
    return (
        run.dry_run
        and run.status == "dry-run"
        and run.confirmed_run_id is None
        and bool(run.stored_path)
        and Path(run.stored_path).exists()
    )


@bp.route("/imports/<int:run_id>")
@login_required
def import_run(run_id: int):
    require(access.can_manage_directory(current_user))
    db = get_session()
    run = db.get(ImportRun, run_id)
    if run is None:
        abort(404)
    # Rejected rows and dropped values are paged: a run may hold thousands of them.
    page = request.args.get("page", 1, type=int)
    warnings_page = request.args.get("warnings_page", 1, type=int)
    if page < 1 or warnings_page < 1 or page > 1_000_000 or warnings_page > 1_000_000:
        abort(400)
    rejected_total, warnings_total = run_row_count(db, run, "rejected"), run_row_count(db, run, "warnings")
    return render_template(
        "admin/import_run.html",
        run=run,
        can_confirm=_can_confirm(run),
        confirm_form=ConfirmImportForm(),
        rejected_rows=run_rows(db, run, "rejected", page),
        rejected_total=rejected_total,
        page=page,
        pages=max(1, -(-rejected_total // ROWS_PER_PAGE)),
        warning_rows=run_rows(db, run, "warnings", warnings_page),
        warnings_total=warnings_total,
        warnings_page=warnings_page,
        warnings_pages=max(1, -(-warnings_total // ROWS_PER_PAGE)),
    )


@bp.route("/imports/<int:run_id>/confirm", methods=["POST"])
@login_required
def import_confirm(run_id: int):
    require(access.can_manage_directory(current_user))
    db = get_session()
    run = db.get(ImportRun, run_id)
    if run is None:
        abort(404)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    if not _can_confirm(run):
        flash(_("This dry run was already applied or its file is no longer available."), "error")
        return redirect(url_for("admin_imports.import_run", run_id=run.id))
    job = _start_import(
        db,
        import_payload(
            source=run.source,
            stored_path=run.stored_path,
            fmt=run.format,
            dry_run=False,
            source_key=run.source_key,
            started_by=_who(),
            confirms_run_id=run.id,
        ),
    )
    if job is None:
        return redirect(url_for("admin_imports.import_run", run_id=run.id))
    return redirect(url_for("admin_imports.import_job", job_id=job.id))
