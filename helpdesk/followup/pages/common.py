"""What every page about a request shares: the labels, the request page with all its forms, and how an
action ends (saved, refused with the reason on its form, or in conflict with a concurrent change).
Access goes through ``helpdesk.access`` only.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from directory_import.models import utcnow
from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.auth.models import User
from helpdesk.db import get_session
from helpdesk.directory.models import OrganisationNote
from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
from helpdesk.followup.lead_search import LIFT_ALL, LeadSearch, lead_search
from helpdesk.followup.lead_search import MAX_PAGE as MAX_LEAD_PAGE
from helpdesk.followup.models import HelpRequest
from helpdesk.followup.themes import active_themes, theme_labels
from helpdesk.forms import select_choices
from helpdesk.i18n import current_language, local_zone
from helpdesk.identity_messages import put_identity_errors
from helpdesk.orientation.labels import PART_LABELS, reason_label, warning_label
from helpdesk.orientation.suggestions import suggest_for_request
from helpdesk.vocabularies import REQUEST_LABELS, Role
from helpdesk.vocabularies.errors import RequestRefusal, field_error_message
from helpdesk.vocabularies.territories import TERRITORY_LABELS

LABELS = REQUEST_LABELS


def require_request_worker() -> None:
    if not access.works_on_requests(current_user):
        abort(403)


# ---------------------------------------------------------------- the request page


def _feedback_from_orientation(req: HelpRequest, close) -> None:
    """Once the orientation was e-mailed, closing offers it as the feedback given: by e-mail, then."""
    sent = [e for e in req.events if e.kind == "orientation_sent"]
    if sent:
        close.feedback_channel.data = "email"
        close.feedback_at.data = (
            sent[-1].at.astimezone(local_zone()).replace(tzinfo=None, second=0, microsecond=0)
        )


def _forms(db, req: HelpRequest, **given):
    locale = current_language()
    themes = [("", _("(no theme)"))] + [(t.code, t.label(locale)) for t in active_themes(db)]
    forms = {
        "edit": f.UpdateForm(prefix="upd"),
        "lead_search": f.LeadSearchForm(request.args),
        "unmet": f.UnmetNeedForm(prefix="unmet"),
        "callback": f.CallbackForm(prefix="cb"),
        "transfer": f.TransferForm(prefix="tr"),
        "share": f.ShareForm(prefix="sh"),
        "comment": f.CommentForm(prefix="cm"),
        "close": close_form(),
        "reopen": f.ReopenForm(prefix="ro"),
    }
    forms.update(given)
    workers = db.scalars(
        select(User)
        .where(
            User.territory == req.territory,
            User.active.is_(True),
            User.role.in_([Role.OPERATOR, Role.COORDINATOR]),
        )
        .order_by(User.name)
    )
    upd = forms["edit"]
    upd.assigned_to.choices = select_choices(
        [("", _("Nobody"))] + [(str(u.id), u.name or u.email) for u in workers]
    )
    forms["unmet"].theme.choices = select_choices(themes)
    forms["transfer"].to.choices = select_choices((t, TERRITORY_LABELS[t]) for t in ops.transfer_targets(req))
    forms["share"].to.choices = select_choices(
        (t, TERRITORY_LABELS[t]) for t in TERRITORIES if t != req.territory
    )
    if "edit" not in given:
        upd.status.data, upd.urgency.data = req.status, req.urgency
        upd.assigned_to.data = str(req.assigned_to_id or "")
    if "close" not in given:
        _feedback_from_orientation(req, forms["close"])
    for name in ("edit", "transfer", "close", "reopen"):
        if name not in given or forms[name].errors.get("version") is not None:
            forms[name].version.data = req.version
    return forms


def close_form() -> f.CloseForm:
    """The closing form, its "when" prefilled with now in the helpdesk's local time, to the minute."""
    form = f.CloseForm(prefix="cl")
    if form.feedback_at.data is None:
        form.feedback_at.data = (
            utcnow().astimezone(local_zone()).replace(tzinfo=None, second=0, microsecond=0)
        )
    return form


def lead_search_args() -> dict:
    """The lead search's state read from the query string: words, lifted chips, page (bad values ignored)."""
    query = (request.args.get("lead_q") or "").strip()[:200]
    lifted = [key[:60] for key in request.args.getlist("lift")[:20] if key]
    try:
        page = max(1, min(int(request.args.get("lead_page") or 1), MAX_LEAD_PAGE))
    except ValueError:
        page = 1
    return {"query": query, "lifted": lifted, "page": page}


def run_lead_search(db, req: HelpRequest) -> LeadSearch:
    args = lead_search_args()
    return lead_search(
        db, req, args["query"], lifted=args["lifted"], page=args["page"], locale=current_language()
    )


def lead_context(req: HelpRequest, found: LeadSearch | None) -> dict:
    """What the lead search's templates (``followup/_lead_results.html``) read."""
    query = found.query if found is not None else ""
    lifted = found.lifted if found is not None else []

    def lead_url(endpoint: str = "followup.detail", **changes) -> str:
        args: dict[str, Any] = {"lead_q": query or None, "lift": lifted or None, "lead_page": None}
        args.update(changes)
        url = url_for(
            endpoint, request_id=req.id, **{k: v for k, v in args.items() if v not in (None, "", [])}
        )
        return url + "#leads" if endpoint == "followup.detail" else url

    return {
        "lead_found": found,
        "lead_query": query,
        "lead_url": lead_url,
        "empty": found.empty if found is not None else None,
        "empty_url": lambda q: lead_url(lead_q=query if q is None else q, lift=LIFT_ALL),
    }


def render_detail(db, req: HelpRequest, status: int = 200, lead_found: LeadSearch | None = None, **given):
    forms = _forms(db, req, **given)
    if lead_found is None and access.can_edit_request(current_user, req):
        lead_found = run_lead_search(db, req)
    unmet_prefilled = request.method == "GET" and request.args.get("unmet") == "1" and "unmet" not in given
    if unmet_prefilled:
        unmet = forms["unmet"]
        unmet.reason.data = "no_service"
        theme = request.args.get("unmet_theme", "")
        if theme in {choice.value for choice in unmet.theme.choices}:
            unmet.theme.data = theme
        unmet.note.data = (request.args.get("unmet_note") or "")[:200]
    suggestions = []
    if access.can_edit_request(current_user, req) and req.status != "closed":
        suggestions = suggest_for_request(db, req, limit=int(current_app.config["SUGGESTIONS_SHOWN"]))
    org_ids = [lead.organisation_id for lead in req.leads]
    notes: dict[int, list[OrganisationNote]] = {}
    if org_ids:
        for note in db.scalars(
            select(OrganisationNote)
            .where(OrganisationNote.organisation_id.in_(org_ids))
            .order_by(OrganisationNote.created_at.desc())
        ):
            notes.setdefault(note.organisation_id, []).append(note)
    user_ids = {e.user_id for e in req.events} | {req.assigned_to_id, req.created_by_id}
    users = {u.id: u for u in db.scalars(select(User).where(User.id.in_([i for i in user_ids if i])))}
    return render_template(
        "followup/detail.html",
        req=req,
        forms=forms,
        **lead_context(req, lead_found),
        unmet_prefilled=unmet_prefilled,
        facet_labels={},
        locale=current_language(),
        suggestions=suggestions,
        reason_label=reason_label,
        warning_label=warning_label,
        part_labels=PART_LABELS,
        notes=notes,
        users=users,
        labels=LABELS,
        themes=theme_labels(db, current_language()),
        now=utcnow(),
        can_edit=access.can_edit_request(current_user, req),
        holds=req.territory == current_user.territory,
        lead_forms={lead.id: f.LeadUpdateForm(prefix=f"lead{lead.id}", obj=lead) for lead in req.leads},
    ), status


# ---------------------------------------------------------------- how an action ends


def editable(request_id: int) -> tuple:
    db = get_session()
    return db, access.get_request_or_404(db, current_user, request_id, edit=True)


def done(db, req: HelpRequest, message: str):
    try:
        db.commit()
    except StaleDataError:
        db.rollback()
        return conflict(db, req.id)
    flash(message, "success")
    return redirect(url_for("followup.detail", request_id=req.id))


def conflict(db, request_id: int):
    db.rollback()
    req = access.get_request_or_404(db, current_user, request_id)
    flash(
        _(
            "Someone else changed this request in the meantime: here is its current state. "
            "Check it and make your change again if it is still needed."
        ),
        "error",
    )
    return render_detail(db, req, 409)


def failed(db, req: HelpRequest, error: ops.RequestError, form=None, name: str = ""):
    db.rollback()
    if isinstance(error, ops.VersionConflict):
        return conflict(db, req.id)
    if RequestRefusal.has(error.code):
        flash(RequestRefusal.label_of(error.code), "error")
    elif error.code in ("identity_refused", "identity_suspected"):
        for message in put_identity_errors(form, error.fields, {"feedback": "feedback_text"}):
            flash(message, "error")
    elif form is not None:
        for field, code in error.fields.items():
            target = getattr(form, field.split(".")[0], None)
            (
                target.errors if target is not None and isinstance(target.errors, list) else form.form_errors
            ).append(field_error_message(code))
    return render_detail(db, db.get(HelpRequest, req.id), 400, **({name: form} if form is not None else {}))


def failed_lead(db, req: HelpRequest, error: ops.RequestError, form, action: str):
    """A lead's note flagged by the identity guard comes back in its own form, to edit or confirm."""
    if error.code not in ("identity_refused", "identity_suspected"):
        return failed(db, req, error)
    form.action_url = action
    return failed(db, req, error, form, "lead_retry")
