"""Recording a new request: one page, keyboard only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_import.models import Organisation
from helpdesk import access
from helpdesk.db import get_session
from helpdesk.forms import parse_id
from helpdesk.followup.identity import REFUSED_KINDS
from helpdesk.followup.identity_messages import identity_messages
from helpdesk.followup.labels import IDENTITY_LABELS
from helpdesk.followup.operations import RequestError
from helpdesk.followup.themes import active_themes
from helpdesk.i18n import TERRITORY_LABELS, current_language
from helpdesk.intake.forms import IntakeForm
from helpdesk.intake.operations import create_request, record_from_form, resolve_residence

bp = Blueprint("intake", __name__, url_prefix="/requests")


def field_error_message(code: str) -> str:
    return {
        "required": _("This field is required."),
        "invalid": _("This value is not valid."),
        "duplicate": _("This organisation is already a lead."),
    }.get(code, _("This value is not valid."))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    territories = access.intake_territories(current_user)
    if not territories:
        abort(403)
    db = get_session()
    form = IntakeForm()
    form.fill_choices(
        [(t, TERRITORY_LABELS[t]) for t in territories],
        [(t.code, t.label(current_language())) for t in active_themes(db)],
    )
    if not form.is_submitted():
        form.territory.data = current_user.territory
    identity_warning: list[str] = []
    if form.validate_on_submit():
        record = submitted_record(db, form)
        if record is not None:
            try:
                request = create_request(db, current_user, record)
            except RequestError as error:
                identity_warning = put_errors_on_form(form, error)
            else:
                db.commit()
                flash(_("Request %(ref)s recorded.", ref=request.reference), "success")
                return redirect(url_for("followup.detail", request_id=request.id))
    status = 400 if form.is_submitted() else 200
    return render_template("intake/new.html", form=form, identity_warning=identity_warning), status


def submitted_record(db, form):
    """The intake record of a validated form, or None with the residence error put on the form."""
    postcode = resolve_residence(form.residence.data or "")
    if postcode is None:
        form.residence.errors.append(unknown_residence_message())
        return None
    return record_from_form(form, organisation_id=organisation_id_of(db, form), postcode=postcode)


def unknown_residence_message() -> str:
    return _("Unknown postcode or commune: type a Brussels postcode such as 1060.")


def put_errors_on_form(form, error: RequestError) -> list[str]:
    """Show a refused intake or edit on the form; returns the identity warnings to confirm, if that was it."""
    if error.code in ("identity_refused", "identity_suspected"):
        kinds = error.fields.get("question", "").split(",")
        refusal, _warning = identity_messages(str(form.question.label.text), kinds)
        if refusal:
            form.question.errors.append(refusal)
        return [str(IDENTITY_LABELS[k]) for k in kinds if k in IDENTITY_LABELS and k not in REFUSED_KINDS]
    for name, code in error.fields.items():
        target = getattr(form, {"residence_postcode": "residence"}.get(name, name), None) or form.caller_name
        target.errors.append(field_error_message(code))
    return []


def organisation_id_of(db, form) -> int | None:
    """The directory organisation picked with the autocomplete, if its name was not changed afterwards."""
    organisation_id = parse_id(form.caller_organisation_id.data or "")
    if organisation_id is None:
        return None
    organisation = db.get(Organisation, organisation_id)
    if organisation is None:
        return None
    typed = (form.caller_organisation.data or "").strip()
    if typed and typed not in (organisation.name_fr, organisation.name_nl, organisation.acronym):
        return None
    return organisation.id
