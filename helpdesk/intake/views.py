"""Recording a new request: one page, keyboard only. A thin page over the request domain: the form, the
record and the operation are ``helpdesk.followup``'s (imports go that way only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import access
from helpdesk.db import get_session
from helpdesk.followup.choice_terms import choice_terms
from helpdesk.followup.operations import RequestError
from helpdesk.followup.pages.recording import put_errors_on_form, submitted_record
from helpdesk.followup.themes import active_themes
from helpdesk.i18n import current_language
from helpdesk.intake.forms import IntakeForm
from helpdesk.intake.operations import create_request
from helpdesk.vocabularies.territories import TERRITORY_LABELS

bp = Blueprint("intake", __name__, url_prefix="/requests")


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
        form.caller_language.data = current_language()
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
    return render_template(
        "intake/new.html", form=form, identity_warning=identity_warning, choice_terms=choice_terms(db)
    ), status
