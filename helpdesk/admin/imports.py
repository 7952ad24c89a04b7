"""Admin section: directory imports. Upload a file or give an address, read the dry-run report, confirm,
see the run; the history of runs with their rejected rows."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

bp = Blueprint("admin_imports", __name__, url_prefix="/admin")

HISTORY_LENGTH = 50
ROWS_PER_PAGE = 100  # rejected rows and dropped values on a run's page
JOB_PAGE_REFRESH_SECONDS = 2

# Reasons and warnings of the import library, by code, in the reader's language.
ROW_MESSAGES = {
    "not_object": _l("This record is not an object with fields."),
    "cell_count": _l("This row has %(cells)s cells where the header has %(columns)s columns."),
    "no_id": _l("No id."),
    "id_too_long": _l("The id is longer than %(max)s characters."),
    "no_name": _l("Organisation %(id)s has no name (neither French nor Dutch)."),
    "duplicate_id": _l("The id %(id)s appears twice (first on line %(first_line)s); this one is skipped."),
    "bad_postcode": _l("Postcode “%(value)s” dropped: not a Belgian postcode."),
    "bad_phone": _l("Phone number “%(value)s” dropped: not a phone number."),
    "bad_email": _l("E-mail address “%(value)s” dropped: not an e-mail address."),
    "bad_url": _l("Website “%(value)s” dropped: not a web address."),
    "bad_language": _l("Language “%(value)s” dropped: unknown language."),
    "bad_coordinates": _l("Coordinates “%(value)s” dropped: not in Belgium."),
    "field_too_long": _l("The value of %(field)s is longer than %(max)s characters."),
    "record_too_large": _l("This record is larger than %(max)s bytes."),
    "bad_company_number": _l("Company number “%(value)s” dropped: not a Belgian company number."),
    "record_fetch_failed": _l(
        "Record %(id)s could not be fetched (%(detail)s); its organisation is left as it was."
    ),
    "record_garbage": _l(
        "Record %(id)s could not be fetched (%(detail)s); its organisation is left as it was."
    ),
    "record_deferred": _l(
        "Record %(id)s was not fetched before the crawl's deadline; the next sync goes on from there."
    ),
}
# Why a whole source could not be imported (or downloaded), by code, in the reader's language. A
# "detail" is the parser's or the server's own words, quoted as they are.
SOURCE_MESSAGES = {
    "no_file": _l("There is no file at %(path)s."),
    "empty": _l("The file is empty."),
    "unknown_format": _l("Unknown format “%(format)s” (expected one of %(expected)s)."),
    "no_separator": _l("No column separator in the first line (expected ; or ,)."),
    "csv_header": _l(
        "The header has no id column or no name column (nameFr, nameNl): is this the right file?"
    ),
    "csv_unreadable": _l("The CSV cannot be read near line %(line)s (%(detail)s)."),
    "json_not_export": _l("This is not a JSON export: it does not start with { or [."),
    "json_broken": _l("The JSON is broken (%(detail)s)."),
    "json_no_list": _l("No list of organisations in this JSON (expected a key “organisations”)."),
    "json_broken_after": _l("The JSON is broken after record %(record)s (%(detail)s)."),
    "zip_unreadable": _l("This is not a readable zip file (%(detail)s)."),
    "member_unreadable": _l("%(name)s cannot be read (%(detail)s)."),
    "hsds_datapackage": _l("datapackage.json is not valid JSON."),
    "hsds_no_organizations": _l("There is no organizations.csv in this HSDS package."),
    "bad_source_key": _l(
        "“%(key)s” cannot be a source key (lower-case letters, digits, “-”, “.”, “_”; not “local”)."
    ),
    "nothing_usable": _l("Not one organisation could be read from this source."),
    "rolled_back": _l("The import failed and was rolled back (%(detail)s)."),
    # Every network failure says the same, whatever the server or the network did: the details are in the
    # server's log, not on a page that could be used to probe the network.
    "unreachable": _l("The export could not be fetched from this address."),
    "address_refused": _l(
        "%(host)s is an address of an internal network: imports only reach public "
        "addresses, unless the server's administrator lists this host in "
        "HELPDESK_FETCH_ALLOWED_HOSTS."
    ),
    "bad_scheme": _l("Only http and https addresses can be imported."),
    "too_large": _l("The export is larger than the limit of %(limit)s bytes."),
    "json_encoding": _l("The file is not UTF-8 text (invalid bytes near byte %(offset)s): save it as UTF-8."),
    "json_too_deep": _l(
        "The JSON is nested deeper than %(max)s levels (near record %(record)s): this is not a "
        "directory export."
    ),
    "json_value_too_long": _l(
        "The file holds a single value longer than %(limit)s bytes: this is not a directory export."
    ),
    "line_too_long": _l("Line %(line)s is longer than %(max)s characters: this is not a directory export."),
    "zip_too_large": _l("Uncompressed, %(name)s is larger than the limit of %(limit)s bytes."),
    "zip_ratio": _l(
        "%(name)s is compressed %(ratio)s times (more than %(limit)s): this looks like a zip bomb, "
        "not an export."
    ),
    "too_many_rejected": _l(
        "More than %(limit)s rows were rejected, so the file is refused as a whole. The first "
        "%(examples)s are listed below."
    ),
    "record_url": _l("The record URL %(url)s must hold {id}, where each organisation's id goes."),
    "list_too_many_pages": _l(
        "The list has more than %(limit)s pages (setting SOCIALBRUSSELS_MAX_PAGES): nothing was imported."
    ),
    "list_page_elsewhere": _l(
        "The list's next page %(url)s is on another host than the list: nothing was imported."
    ),
    "vocabulary_unreadable": _l("The reference list cannot be read (%(detail)s)."),
    "vocabulary_empty": _l("No term in the reference list (expected objects with an id and labels)."),
    "vocabulary_kind": _l("Unknown reference list “%(kind)s” (expected one of %(expected)s)."),
    "vocabulary_settings": _l(
        "DIRECTORY_VOCABULARIES must map a kind (sectors, categories…) to a file or URL."
    ),
}
for _old_code in ("download_failed", "http_status", "retries_exhausted"):  # runs recorded before
    SOURCE_MESSAGES[_old_code] = SOURCE_MESSAGES["unreachable"]
STATUS_LABELS = {
    "applied": _l("Applied"),
    "unchanged": _l("No change"),
    "dry-run": _l("Dry run"),
    "failed": _l("Failed"),
    "running": _l("Running"),
}
JOB_STAGES = {
    "": _l("Waiting for a worker"),
    "downloading": _l("Downloading"),
    "reading": _l("Reading and checking"),
    "applying": _l("Applying"),
}


def _translated(messages: dict, code: str, params: dict | None, fallback: str) -> str:
    """The message of ``code`` in the reader's language, else the import library's English ``fallback``."""
    template = messages.get(code or "")
    if template is None:
        return fallback
    try:
        return str(template) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return fallback


def row_message(row: dict) -> str:
    """A rejected row's reason or a warning, translated when its code is known."""
    return _translated(
        ROW_MESSAGES, row.get("code", ""), row.get("params"), row.get("reason") or row.get("message") or ""
    )


def run_error_message(run: ImportRun) -> str:
    """Why a failed run imported nothing, in the reader's language."""
    return _translated(SOURCE_MESSAGES, run.error_code, run.error_params, run.error)


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
        "IMPORT_STATUS_LABELS": STATUS_LABELS,
        "IMPORT_JOB_STAGES": JOB_STAGES,
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
            detail = _translated(SOURCE_MESSAGES, error.code, error.params, str(error))
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
        if run is not None and run.status == "failed":
            if job.payload.get("dry_run"):
                flash(
                    _("Nothing can be imported from this file: %(detail)s", detail=run_error_message(run)),
                    "error",
                )
            else:
                flash(_("Nothing was imported: %(detail)s", detail=run_error_message(run)), "error")
        elif run is not None and not run.dry_run:
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
