"""The request page itself, its status and assignee, taking it from the queue, and correcting what was
recorded at intake. The intake page (``helpdesk.intake``) shares the helpers turning its form into a record.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_import.models import Organisation
from helpdesk import access
from helpdesk.auth.models import User
from helpdesk.db import get_session
from helpdesk.directory.empty import meaningful
from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
from helpdesk.followup.choice_terms import choice_terms
from helpdesk.followup.models import HelpRequest
from helpdesk.followup.pages.common import (
    conflict,
    done,
    editable,
    failed,
    render_detail,
    run_lead_search,
)
from helpdesk.followup.themes import active_themes, theme_labels
from helpdesk.forms import parse_id
from helpdesk.i18n import current_language
from helpdesk.identity import REFUSED_KINDS
from helpdesk.identity_messages import identity_messages
from helpdesk.orientation.unanswered import record_unanswered_search
from helpdesk.vocabularies import IdentityKind, Status
from helpdesk.vocabularies.errors import field_error_message
from helpdesk.vocabularies.territories import TERRITORY_LABELS


@login_required
def detail(request_id: int):
    db = get_session()
    req = access.get_request_or_404(db, current_user, request_id)
    found = None
    if access.can_edit_request(current_user, req):
        found = run_lead_search(db, req)
        if found.empty is not None and meaningful(found.query):
            record_unanswered_search(db, req)  # by theme, without the text, for the monthly report
    ops.record_view(db, current_user, req)
    db.commit()
    return render_detail(db, req, lead_found=found)


@login_required
def update(request_id: int):
    db, req = editable(request_id)
    form = f.UpdateForm(prefix="upd")
    form.assigned_to.validate_choice = False  # checked below against the territory's workers
    if not form.validate_on_submit():
        return render_detail(db, req, 400, edit=form)
    assignee: User | None | bool = None
    if form.assigned_to.data:
        assignee_id = parse_id(form.assigned_to.data)
        assignee = db.get(User, assignee_id) if assignee_id is not None else None
        if assignee is None or not access.can_edit_request(assignee, req):
            form.assigned_to.errors = [field_error_message("invalid")]
            return render_detail(db, req, 400, edit=form)
    try:
        ops.update_request(
            db,
            current_user,
            req,
            expected_version=form.version.data,
            status=form.status.data,
            urgency=form.urgency.data,
            assign_to=assignee,
        )
    except ops.RequestError as error:
        return failed(db, req, error, form, "edit")
    return done(db, req, _("Request %(ref)s saved.", ref=req.reference))


@login_required
def edit(request_id: int):
    """Correct what was recorded at intake; a concurrent change is shown, never overwritten."""
    db, req = editable(request_id)
    if req.status == Status.CLOSED.value:
        abort(404)
    form = f.EditRequestForm()
    locale = current_language()
    themes = [(t.code, t.label(locale)) for t in active_themes(db)]
    current = set(req.theme_codes) - {code for code, _label in themes}
    themes += [
        (code, theme_labels(db, locale).get(code, code)) for code in sorted(current)
    ]  # retired meanwhile
    form.fill_choices([(req.territory, TERRITORY_LABELS[req.territory])], themes)
    if not form.is_submitted():
        form.fill_from(req)
    form.territory.data = req.territory
    identity_warning: list[str] = []
    if form.validate_on_submit():
        record = submitted_record(db, form)
        if record is not None:
            try:
                ops.edit_request(db, current_user, req, record, expected_version=form.version.data)
            except ops.VersionConflict:
                return conflict(db, req.id)
            except ops.RequestError as error:
                db.rollback()
                req = db.get(HelpRequest, req.id)
                identity_warning = put_errors_on_form(form, error)
            else:
                return done(db, req, _("Request %(ref)s saved.", ref=req.reference))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "followup/edit.html",
        form=form,
        req=req,
        identity_warning=identity_warning,
        choice_terms=choice_terms(db),
    ), status


@login_required
def take(request_id: int):
    """Pick a request up from the queue: assigned to oneself, in progress."""
    db, req = editable(request_id)
    form = f.VersionedForm()
    if not form.validate_on_submit():
        return render_detail(db, req, 400)
    try:
        ops.update_request(db, current_user, req, expected_version=form.version.data, assign_to=current_user)
    except ops.RequestError as error:
        return failed(db, req, error)
    return done(db, req, _("You follow request %(ref)s.", ref=req.reference))


# ---------------------------------------------------------------- the recording form, shared with intake


def submitted_record(db, form: f.IntakeForm) -> ops.IntakeRecord | None:
    """The intake record of a validated form, or None with the residence error put on the form."""
    postcode = ops.resolve_residence(form.residence.data or "")
    if postcode is None:
        form.residence.errors.append(unknown_residence_message())
        return None
    return f.record_from_form(form, organisation_id=organisation_id_of(db, form), postcode=postcode)


def caller_rule_message() -> str:
    return _("Give the professional's name or their organisation: one of the two is required.")


def unknown_residence_message() -> str:
    return _("Unknown postcode or commune: type a Brussels postcode such as 1060.")


def put_errors_on_form(form: f.IntakeForm, error: ops.RequestError) -> list[str]:
    """Show a refused intake or edit on the form; returns the identity warnings to confirm, if that was it."""
    if error.code in ("identity_refused", "identity_suspected"):
        kinds = error.fields.get("question", "").split(",")
        refusal, _warning = identity_messages(str(form.question.label.text), kinds)
        if refusal:
            form.question.errors.append(refusal)
        return [IdentityKind.label_of(k) for k in kinds if IdentityKind.has(k) and k not in REFUSED_KINDS]
    for name, code in error.fields.items():
        if name == "caller" and code == "required":
            form.caller_errors = [caller_rule_message()]
            continue
        target = getattr(form, {"residence_postcode": "residence"}.get(name, name), None) or form.caller_name
        target.errors.append(field_error_message(code))
    return []


def organisation_id_of(db, form: f.IntakeForm) -> int | None:
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
