"""Admin section: directory imports. Upload a file or give an address, read the dry-run report, confirm,
see the run; the history of runs with their rejected rows."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
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
}
STATUS_LABELS = {
    "applied": _l("Applied"), "unchanged": _l("No change"), "dry-run": _l("Dry run"), "failed": _l("Failed"),
    "running": _l("Running"),
}


def row_message(row: dict) -> str:
    """A rejected row's reason or a warning, translated when its code is known."""
    template = ROW_MESSAGES.get(row.get("code", ""))
    if template is None:
        return row.get("reason") or row.get("message") or ""
    try:
        return str(template) % {k: v for k, v in (row.get("params") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return row.get("reason") or row.get("message") or ""


@bp.context_processor
def _import_helpers():
    return {"import_row_message": row_message, "IMPORT_STATUS_LABELS": STATUS_LABELS}


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
            form.url.errors.append(_("The export could not be downloaded: %(detail)s", detail=str(error)))
        else:
            try:
                run, _report = apply_import(db, source, fmt=form.format.data, dry_run=True, started_by=_who(),
                                            stored_path=path)
            except ImportFailed as error:
                path.unlink(missing_ok=True)
                flash(_("Nothing can be imported from this file: %(detail)s", detail=str(error)), "error")
                return redirect(url_for("admin.import_run", run_id=error.run.id))
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
    run = get_session().get(ImportRun, run_id)
    if run is None:
        abort(404)
    return render_template("admin/import_run.html", run=run, can_confirm=_can_confirm(run),
                           confirm_form=ConfirmImportForm())


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
        flash(_("Nothing was imported: %(detail)s", detail=str(error)), "error")
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
