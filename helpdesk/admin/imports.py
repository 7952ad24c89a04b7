"""Admin section: directory imports. Upload a file or give an address, read the dry-run report, confirm,
see the run; the history of runs with their rejected rows."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from directory_import.fetch import FetchError, fetch
from directory_import.models import ImportRun
from helpdesk import access
from helpdesk.admin.import_forms import ConfirmImportForm, ImportForm
from helpdesk.admin.views import SECTIONS, bp, require
from helpdesk.db import get_session
from helpdesk.directory.importing import (
    ImportFailed,
    apply_import,
    discard_stale_dry_runs,
    imports_dir,
)

SECTIONS.append(("admin.imports", _l("Directory imports"), access.can_manage_directory))

HISTORY_LENGTH = 50
ROWS_PER_PAGE = 100  # rejected rows and dropped values on a run's page

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
    "record_fetch_failed": _l("Record %(id)s could not be fetched (%(detail)s); its organisation is left as it was."),
    "record_garbage": _l("Record %(id)s could not be fetched (%(detail)s); its organisation is left as it was."),
    "record_deferred": _l("Record %(id)s was not fetched before the crawl's deadline; the next sync goes on from "
                          "there."),
}
# Why a whole source could not be imported (or downloaded), by code, in the reader's language. A
# "detail" is the parser's or the server's own words, quoted as they are.
SOURCE_MESSAGES = {
    "no_file": _l("There is no file at %(path)s."),
    "empty": _l("The file is empty."),
    "unknown_format": _l("Unknown format “%(format)s” (expected one of %(expected)s)."),
    "no_separator": _l("No column separator in the first line (expected ; or ,)."),
    "csv_header": _l("The header has no id column or no name column (nameFr, nameNl): is this the right file?"),
    "csv_unreadable": _l("The CSV cannot be read near line %(line)s (%(detail)s)."),
    "json_not_export": _l("This is not a JSON export: it does not start with { or [."),
    "json_broken": _l("The JSON is broken (%(detail)s)."),
    "json_no_list": _l("No list of organisations in this JSON (expected a key “organisations”)."),
    "json_broken_after": _l("The JSON is broken after record %(record)s (%(detail)s)."),
    "zip_unreadable": _l("This is not a readable zip file (%(detail)s)."),
    "member_unreadable": _l("%(name)s cannot be read (%(detail)s)."),
    "hsds_datapackage": _l("datapackage.json is not valid JSON."),
    "hsds_no_organizations": _l("There is no organizations.csv in this HSDS package."),
    "bad_source_key": _l("“%(key)s” cannot be a source key (lower-case letters, digits, “-”, “.”, “_”; not “local”)."),
    "nothing_usable": _l("Not one organisation could be read from this source."),
    "rolled_back": _l("The import failed and was rolled back (%(detail)s)."),
    "download_failed": _l("%(url)s cannot be downloaded (%(detail)s)."),
    "http_status": _l("The server answered %(status)s for %(url)s."),
    "retries_exhausted": _l("%(url)s cannot be downloaded after %(attempts)s attempts (%(detail)s)."),
    "too_large": _l("The export is larger than the limit of %(limit)s bytes."),
    "json_encoding": _l("The file is not UTF-8 text (invalid bytes near byte %(offset)s): save it as UTF-8."),
    "json_too_deep": _l("The JSON is nested deeper than %(max)s levels (near record %(record)s): this is not a "
                        "directory export."),
    "json_value_too_long": _l("The file holds a single value longer than %(limit)s bytes: this is not a "
                              "directory export."),
    "line_too_long": _l("Line %(line)s is longer than %(max)s characters: this is not a directory export."),
    "zip_too_large": _l("Uncompressed, %(name)s is larger than the limit of %(limit)s bytes."),
    "zip_ratio": _l("%(name)s is compressed %(ratio)s times (more than %(limit)s): this looks like a zip bomb, "
                    "not an export."),
    "too_many_rejected": _l("More than %(limit)s rows were rejected, so the file is refused as a whole. The first "
                            "%(examples)s are listed below."),
    "record_url": _l("The record URL %(url)s must hold {id}, where each organisation's id goes."),
    "vocabulary_unreadable": _l("The reference list cannot be read (%(detail)s)."),
    "vocabulary_empty": _l("No term in the reference list (expected objects with an id and labels)."),
    "vocabulary_kind": _l("Unknown reference list “%(kind)s” (expected one of %(expected)s)."),
    "vocabulary_settings": _l("DIRECTORY_VOCABULARIES must map a kind (sectors, categories…) to a file or URL."),
}
STATUS_LABELS = {
    "applied": _l("Applied"), "unchanged": _l("No change"), "dry-run": _l("Dry run"), "failed": _l("Failed"),
    "running": _l("Running"),
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
    return _translated(ROW_MESSAGES, row.get("code", ""), row.get("params"),
                       row.get("reason") or row.get("message") or "")


def run_error_message(run: ImportRun) -> str:
    """Why a failed run imported nothing, in the reader's language."""
    return _translated(SOURCE_MESSAGES, run.error_code, run.error_params, run.error)


def _json_sql(db: Session, column: str) -> tuple[str, str]:
    """The FROM clause that lists the elements of a JSON list column of ``import_runs``, and its order."""
    assert column in ("rejected", "warnings")
    if db.get_bind().dialect.name == "postgresql":
        return (f"import_runs, json_array_elements(import_runs.{column}) WITH ORDINALITY AS element(value, position)",
                "element.position")
    return f"import_runs, json_each(import_runs.{column}) AS element", "element.key"


def run_rows(db: Session, run: ImportRun, column: str, page: int, per_page: int = ROWS_PER_PAGE) -> list[dict]:
    """One page of a run's rejected rows or dropped values, read by the database without loading the list."""
    source, order = _json_sql(db, column)
    values = db.execute(text(f"SELECT element.value FROM {source} WHERE import_runs.id = :id "  # noqa: S608
                             f"ORDER BY {order} LIMIT :limit OFFSET :offset"),
                        {"id": run.id, "limit": per_page, "offset": (page - 1) * per_page}).scalars()
    rows = []
    for value in values:
        row = json.loads(value) if isinstance(value, str) else value
        if isinstance(row, dict):
            rows.append(row)
    return rows


def run_row_count(db: Session, run: ImportRun, column: str) -> int:
    assert column in ("rejected", "warnings")
    return db.execute(text(f"SELECT json_array_length({column}) FROM import_runs WHERE id = :id"),  # noqa: S608
                      {"id": run.id}).scalar() or 0


@bp.context_processor
def _import_helpers():
    return {"import_row_message": row_message, "import_error_message": run_error_message,
            "IMPORT_STATUS_LABELS": STATUS_LABELS}


def _who() -> str:
    return current_user.email


def _store_upload(form: ImportForm) -> tuple[Path, str]:
    """Save the uploaded file (or download the address) into the instance folder; (path, source name)."""
    folder = imports_dir()
    if form.url.data:
        cfg = current_app.config
        download = fetch(form.url.data, folder, timeout=cfg["FETCH_TIMEOUT_SECONDS"],
                         max_bytes=cfg["FETCH_MAX_BYTES"], retries=cfg.get("FETCH_RETRIES", 3),
                         backoff=cfg.get("FETCH_BACKOFF_SECONDS", 1.0))
        return download.path, form.url.data
    upload = form.file.data
    name = secure_filename(upload.filename) or "export"
    path = folder / f"{uuid.uuid4().hex}-{name}"
    upload.save(path)
    return path, upload.filename


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def imports():
    require(access.can_manage_directory(current_user))
    form = ImportForm()
    db = get_session()
    if form.validate_on_submit():
        discard_stale_dry_runs(db)
        try:
            path, source = _store_upload(form)
        except FetchError as error:
            detail = _translated(SOURCE_MESSAGES, error.code, error.params, str(error))
            form.url.errors.append(_("The export could not be downloaded: %(detail)s", detail=detail))
        else:
            try:
                run, _report = apply_import(db, source, fmt=form.format.data, dry_run=True, started_by=_who(),
                                            stored_path=path)
            except ImportFailed as error:
                path.unlink(missing_ok=True)
                flash(_("Nothing can be imported from this file: %(detail)s", detail=run_error_message(error.run)),
                      "error")
                return redirect(url_for("admin.import_run", run_id=error.run.id))
            except BaseException:
                path.unlink(missing_ok=True)  # a file nothing was learnt from never stays behind
                raise
            return redirect(url_for("admin.import_run", run_id=run.id))
    runs = db.scalars(select(ImportRun).order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
                      .limit(HISTORY_LENGTH)).all()
    status = 400 if form.errors else 200
    return render_template("admin/imports.html", form=form, runs=runs), status


def _can_confirm(run: ImportRun) -> bool:
    return (run.dry_run and run.status == "dry-run" and run.confirmed_run_id is None and bool(run.stored_path)
            and Path(run.stored_path).exists())


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
        "admin/import_run.html", run=run, can_confirm=_can_confirm(run), confirm_form=ConfirmImportForm(),
        rejected_rows=run_rows(db, run, "rejected", page), rejected_total=rejected_total, page=page,
        pages=max(1, -(-rejected_total // ROWS_PER_PAGE)),
        warning_rows=run_rows(db, run, "warnings", warnings_page), warnings_total=warnings_total,
        warnings_page=warnings_page, warnings_pages=max(1, -(-warnings_total // ROWS_PER_PAGE)),
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
        return redirect(url_for("admin.import_run", run_id=run.id))
    path = Path(run.stored_path)
    try:
        applied, report = apply_import(db, run.source, fmt=run.format, source_key=run.source_key,
                                       started_by=_who(), stored_path=path)
    except ImportFailed as error:
        # The file cannot be applied: it goes, and the dry run can no longer be confirmed.
        path.unlink(missing_ok=True)
        dry_run = db.get(ImportRun, run_id)
        dry_run.stored_path = ""
        db.commit()
        flash(_("Nothing was imported: %(detail)s", detail=run_error_message(error.run)), "error")
        return redirect(url_for("admin.import_run", run_id=error.run.id))
    run = db.get(ImportRun, run_id)
    run.confirmed_run_id = applied.id
    run.stored_path = ""
    db.commit()
    path.unlink(missing_ok=True)
    flash(_("Import applied: %(added)s added, %(updated)s updated, %(archived)s archived, %(restored)s restored.",
            added=report.added, updated=report.updated, archived=report.archived, restored=report.restored),
          "success")
    return redirect(url_for("admin.import_run", run_id=applied.id))
