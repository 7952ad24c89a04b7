"""Operators' notes on organisations: dated, visible to every territory on the organisation page and in the
lead lists; a note flagged as a correction lands in a regional queue exported (CSV) for the directory's
maintainers. Blueprint ``directory_notes``; the organisation page includes ``directory/_notes.html``, fed by
``organisation_notes_for_template`` (a Jinja global, wired by ``helpdesk.templating``).
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from directory_import.models import Organisation, utcnow
from helpdesk import access
from helpdesk.audit import record_audit
from helpdesk.auth.models import User
from helpdesk.csv_safety import neutralise
from helpdesk.db import get_or_404, get_session
from helpdesk.directory.models import OrganisationNote
from helpdesk.identity import IdentityFound, check_texts
from helpdesk.identity_messages import put_identity_errors
from helpdesk.redirects import safe_next

bp = Blueprint("directory_notes", __name__, url_prefix="/directory")


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("Note on this organisation"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("E.g. “waiting list of 3 months since October”, “new evening consultation”."),
    )
    confirm_identity = BooleanField(_l("I checked: this text identifies nobody"))


# ---------------------------------------------------------------- operations


def add_note(
    session: Session,
    user: User,
    organisation: Organisation,
    text: str,
    *,
    is_correction: bool = False,
    identity_confirmed: bool = False,
) -> OrganisationNote:
    """Every territory reads the note: the identity guard runs first (``IdentityFound`` when it objects)."""
    check_texts({"text": text}, confirmed=identity_confirmed)
    note = OrganisationNote(
        organisation=organisation,
        author_id=user.id,
        territory=user.territory,
        text=text.strip(),
        is_correction=is_correction,
        correction_status="open" if is_correction else "",
    )
    session.add(note)
    session.flush()
    record_audit(
        session,
        "organisation_note.create",
        user_id=user.id,
        object_type="organisation",
        object_id=organisation.id,
        details={"note": note.id, "correction": is_correction},
    )
    return note


def notes_of(session: Session, organisation_id: int) -> list[OrganisationNote]:
    return list(
        session.scalars(
            select(OrganisationNote)
            .where(OrganisationNote.organisation_id == organisation_id)
            .order_by(OrganisationNote.created_at.desc(), OrganisationNote.id.desc())
        )
    )


def open_corrections(session: Session) -> list[OrganisationNote]:
    return list(
        session.scalars(
            select(OrganisationNote)
            .where(OrganisationNote.is_correction.is_(True), OrganisationNote.correction_status == "open")
            .order_by(OrganisationNote.created_at)
        )
    )


def corrections_csv(notes: list[OrganisationNote]) -> str:
    """Semicolon-separated, with a BOM, as the maintainers' spreadsheet tools in Belgium expect."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "note_id",
            "date",
            "territory",
            "organisation_id",
            "source",
            "source_id",
            "name_fr",
            "name_nl",
            "correction",
        ]
    )
    for note in notes:
        org = note.organisation
        writer.writerow(
            [
                note.id,
                note.created_at.date().isoformat(),
                note.territory,
                org.id,
                org.source,
                # Text from imports and from people: never a formula in the maintainers' spreadsheet.
                neutralise(org.source_id),
                neutralise(org.name_fr),
                neutralise(org.name_nl),
                neutralise(note.text),
            ]
        )
    return "\ufeff" + out.getvalue()


# ---------------------------------------------------------------- pages


def _note_readers_only() -> None:
    if not current_user.is_authenticated or not current_user.active:
        abort(404)


def _authors(db, notes) -> dict[int, User]:
    ids = {n.author_id for n in notes if n.author_id}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


@bp.route("/organisations/<int:organisation_id>/notes", methods=["GET", "POST"])
@login_required
def organisation_notes(organisation_id: int):
    _note_readers_only()
    db = get_session()
    organisation = get_or_404(Organisation, organisation_id)
    form = NoteForm()
    if request.method == "POST":
        if not access.can_write_notes(current_user):
            abort(403)
        if form.validate_on_submit():
            try:
                add_note(
                    db,
                    current_user,
                    organisation,
                    form.text.data,
                    identity_confirmed=form.confirm_identity.data,
                )
            except IdentityFound as found:
                db.rollback()
                for message in put_identity_errors(form, found.fields):
                    flash(message, "error")
            else:
                db.commit()
                flash(_("Note added."), "success")
                return redirect(
                    safe_next(request.args.get("next"))
                    if request.args.get("next")
                    else url_for("directory_notes.organisation_notes", organisation_id=organisation.id)
                )
    return render_template(
        "directory/organisation_notes.html", organisation=organisation, note_form=form
    ), 400 if form.errors else 200


@bp.route("/corrections")
@login_required
def corrections():
    """Corrections are proposals now (their notes were migrated): the old page leads to their queue."""
    if not access.can_review_corrections(current_user):
        abort(403)
    basin_coordinators = bool(current_app.config["STEWARDSHIP_BASIN_COORDINATORS_VALIDATE"])
    if access.can_review_proposals(current_user, basin_coordinators):
        return redirect(url_for("stewardship.queue"))
    return redirect(url_for("stewardship.mine"))


@bp.route("/corrections.csv")
@login_required
def corrections_export():
    if not access.can_review_corrections(current_user):
        abort(403)
    db = get_session()
    notes = open_corrections(db)
    record_audit(db, "organisation_note.export", user_id=current_user.id, details={"count": len(notes)})
    db.commit()
    stamp = utcnow().strftime("%Y%m%d")
    return Response(
        corrections_csv(notes),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="directory-corrections-{stamp}.csv"'},
    )


@bp.route("/corrections/<int:note_id>/done", methods=["POST"])
@login_required
def correction_done(note_id: int):
    if not access.can_review_corrections(current_user):
        abort(403)
    db = get_session()
    note = db.get(OrganisationNote, note_id)
    if note is None or not note.is_correction:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    note.correction_status = "done"
    record_audit(
        db,
        "organisation_note.correction_done",
        user_id=current_user.id,
        object_type="organisation",
        object_id=note.organisation_id,
        details={"note": note.id},
    )
    db.commit()
    flash(_("Correction marked as done."), "success")
    return redirect(url_for("directory_notes.corrections"))


def organisation_notes_for_template(organisation_id: int) -> dict:
    """What ``directory/_notes.html`` shows: the notes (signed-in users only) and the form (operators)."""
    if not getattr(current_user, "is_authenticated", False) or not current_user.active:
        return {"notes": [], "authors": {}, "can_write": False}
    db = get_session()
    notes = notes_of(db, organisation_id)
    return {"notes": notes, "authors": _authors(db, notes), "can_write": access.can_write_notes(current_user)}
