"""Leads and unmet needs on the request page."""

from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.directory.empty import meaningful
from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
from helpdesk.followup.models import Lead
from helpdesk.followup.pages.common import (
    LABELS,
    done,
    editable,
    failed,
    failed_lead,
    lead_context,
    render_detail,
    run_lead_search,
)
from helpdesk.i18n import current_language, org_name
from helpdesk.orientation.labels import warning_label
from helpdesk.orientation.unanswered import record_unanswered_search
from helpdesk.vocabularies.errors import field_error_message


@login_required
def lead_results(request_id: int):
    """The lead search's results alone (chips, cards, pages), for results as you type: the same partial
    the request page includes, escaped by its template. ``final=1`` (Enter, not a keystroke) counts a
    search that found nothing, as the page does."""
    db, req = editable(request_id)
    found = run_lead_search(db, req)
    if request.args.get("final") == "1" and found.empty is not None and meaningful(found.query):
        record_unanswered_search(db, req)
        db.commit()
    return render_template(
        "followup/_lead_results.html",
        req=req,
        labels=LABELS,
        warning_label=warning_label,
        locale=current_language(),
        facet_labels={},
        **lead_context(req, found),
    )


@login_required
def add_lead(request_id: int):
    db, req = editable(request_id)
    form = f.LeadForm()
    if not form.validate_on_submit():
        flash(_("Choose an organisation from the search results."), "error")
        return render_detail(db, req, 400)
    try:
        lead = ops.add_lead(
            db,
            current_user,
            req,
            form.organisation_id.data,
            outcome=form.outcome.data,
            note=form.note.data or "",
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        if error.code == "invalid":
            flash(field_error_message(next(iter(error.fields.values()), "invalid")), "error")
        return failed_lead(db, req, error, form, url_for("followup.add_lead", request_id=req.id))
    return done(db, req, _("Lead added: %(name)s.", name=org_name(lead.organisation)))


@login_required
def update_lead(request_id: int, lead_id: int):
    db, req = editable(request_id)
    lead = db.get(Lead, lead_id)
    if lead is None or lead.request_id != req.id:
        abort(404)
    form = f.LeadUpdateForm(prefix=f"lead{lead.id}")
    if not form.validate_on_submit():
        return render_detail(db, req, 400)
    try:
        ops.update_lead(
            db,
            current_user,
            req,
            lead,
            outcome=form.outcome.data,
            note=form.note.data,
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        url = url_for("followup.update_lead", request_id=req.id, lead_id=lead.id)
        return failed_lead(db, req, error, form, url)
    return done(db, req, _("Lead updated: %(name)s.", name=org_name(lead.organisation)))


@login_required
def add_unmet_need(request_id: int):
    db, req = editable(request_id)
    form = f.UnmetNeedForm(prefix="unmet")
    form.theme.validate_choice = False
    if not form.validate_on_submit():
        return render_detail(db, req, 400, unmet=form)
    try:
        ops.add_unmet_need(
            db,
            current_user,
            req,
            reason=form.reason.data,
            theme_code=form.theme.data or "",
            note=form.note.data or "",
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return failed(db, req, error, form, "unmet")
    return done(db, req, _("Unmet need recorded."))
