"""What every page about a request shares: the labels, the request page with all its forms, and how an
action ends (saved, refused with the reason on its form, or in conflict with a concurrent change).
Access goes through ``helpdesk.access`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from directory_import.models import Organisation, utcnow
from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.auth.models import User
from helpdesk.db import get_session
from helpdesk.directory.empty import EmptySearch, explain_empty
from helpdesk.directory.models import OrganisationNote
from helpdesk.directory.search import search_directory
from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
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


@dataclass
class LeadSearch:
    """The request page's lead search: the organisations found (leads already taken left out), and when the
    search found nothing, why and what to try (``empty``) and the theme an unmet need would be about."""

    query: str
    hits: list[Organisation]
    empty: EmptySearch | None = None
    unmet_theme: str = ""


def lead_search(db, req: HelpRequest, query: str) -> LeadSearch:
    result = search_directory(db, query, limit=10, with_facets=False)
    ids = [hit.id for hit in result.hits]
    found = {o.id: o for o in db.scalars(select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
    already = {lead.organisation_id for lead in req.leads}
    hits = [found[i] for i in ids if i in found and not found[i].archived and i not in already]
    empty = explain_empty(db, query, None, result) if not result.total else None
    # The theme of an unmet need: the request's own, else the one the needs of the words point to most.
    weights: dict[str, float] = {}
    for match in result.needs:
        for theme, weight in match.themes.items():
            weights[theme] = max(weights.get(theme, 0.0), weight * match.quality)
    theme = (
        req.theme_codes[0] if req.theme_codes else (max(weights, key=weights.__getitem__) if weights else "")
    )
    return LeadSearch(query, hits, empty, theme)


def render_detail(db, req: HelpRequest, status: int = 200, lead_found: LeadSearch | None = None, **given):
    forms = _forms(db, req, **given)
    lead_hits = []
    query = (forms["lead_search"].lead_q.data or "").strip()
    if lead_found is None and query and access.can_edit_request(current_user, req):
        lead_found = lead_search(db, req, query)
    if lead_found is not None:
        lead_hits = lead_found.hits
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
    org_ids = [lead.organisation_id for lead in req.leads] + [o.id for o in lead_hits]
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
        lead_hits=lead_hits,
        lead_query=query,
        lead_found=lead_found,
        unmet_prefilled=unmet_prefilled,
        empty=lead_found.empty if lead_found is not None else None,
        empty_url=lambda q: (
            url_for("followup.detail", request_id=req.id, lead_q=query if q is None else q) + "#leads"
        ),
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
