"""The life of a request: its page and timeline, leads, unmet needs, callbacks, transfers, closing;
each operator's to-do list and the territory's queue. Access goes through ``helpdesk.access`` only.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from directory_import.models import Organisation, utcnow
from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.auth.models import Role, User
from helpdesk.db import get_session
from helpdesk.directory.models import OrganisationNote
from helpdesk.directory.search import find_organisations
from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
from helpdesk.followup.identity_messages import put_identity_errors
from helpdesk.followup.labels import (
    AGE_BAND_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    FIELD_LABELS,
    GENDER_LABELS,
    LANGUAGE_LABELS,
    LEAD_OUTCOME_LABELS,
    SECTOR_LABELS,
    SITUATION_FLAG_LABELS,
    STATUS_LABELS,
    UNMET_REASON_LABELS,
    URGENCY_LABELS,
)
from helpdesk.followup.models import Callback, HelpRequest, Lead, Status, Transfer
from helpdesk.followup.operations import as_utc
from helpdesk.followup.themes import active_themes, theme_labels
from helpdesk.forms import parse_id, select_choices
from helpdesk.i18n import TERRITORY_LABELS, current_language
from helpdesk.intake.forms import EditRequestForm
from helpdesk.intake.views import field_error_message, put_errors_on_form, submitted_record

bp = Blueprint("followup", __name__, url_prefix="/requests")

LABELS = {
    "channel": CHANNEL_LABELS,
    "status": STATUS_LABELS,
    "urgency": URGENCY_LABELS,
    "outcome": LEAD_OUTCOME_LABELS,
    "reason": UNMET_REASON_LABELS,
    "age_band": AGE_BAND_LABELS,
    "gender": GENDER_LABELS,
    "language": LANGUAGE_LABELS,
    "flag": SITUATION_FLAG_LABELS,
    "sector": SECTOR_LABELS,
    "event": EVENT_LABELS,
    "territory": TERRITORY_LABELS,
    "field": FIELD_LABELS,
}


LIST_LIMIT = 200  # rows per list: beyond that, the filters narrow it down


def _require_request_worker() -> None:
    if not access.works_on_requests(current_user):
        abort(403)


def _local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Brussels"))


# ---------------------------------------------------------------- the request page


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
        "close": f.CloseForm(prefix="cl"),
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
    for name in ("edit", "transfer", "close", "reopen"):
        if name not in given or forms[name].errors.get("version") is not None:
            forms[name].version.data = req.version
    return forms


def render_detail(db, req: HelpRequest, status: int = 200, **given):
    forms = _forms(db, req, **given)
    lead_hits = []
    query = (forms["lead_search"].lead_q.data or "").strip()
    if query and access.can_edit_request(current_user, req):
        already = {lead.organisation_id for lead in req.leads}
        lead_hits = [o for o in find_organisations(db, query, limit=10) if o.id not in already]
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
        notes=notes,
        users=users,
        labels=LABELS,
        themes=theme_labels(db, current_language()),
        now=utcnow(),
        as_utc=as_utc,
        can_edit=access.can_edit_request(current_user, req),
        holds=req.territory == current_user.territory,
        lead_forms={lead.id: f.LeadUpdateForm(prefix=f"lead{lead.id}", obj=lead) for lead in req.leads},
    ), status


@bp.route("/<int:request_id>")
@login_required
def detail(request_id: int):
    db = get_session()
    req = access.get_request_or_404(db, current_user, request_id)
    ops.record_view(db, current_user, req)
    db.commit()
    return render_detail(db, req)


def _editable(request_id: int) -> tuple:
    db = get_session()
    return db, access.get_request_or_404(db, current_user, request_id, edit=True)


def _done(db, req: HelpRequest, message: str):
    try:
        db.commit()
    except StaleDataError:
        db.rollback()
        return _conflict(db, req.id)
    flash(message, "success")
    return redirect(url_for("followup.detail", request_id=req.id))


def _conflict(db, request_id: int):
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


def _failed(db, req: HelpRequest, error: ops.RequestError, form=None, name: str = ""):
    db.rollback()
    if isinstance(error, ops.VersionConflict):
        return _conflict(db, req.id)
    if error.code == "closed":
        flash(_("This request is closed."), "error")
    elif error.code == "not_closed":
        flash(_("This request is not closed."), "error")
    elif error.code == "anonymised":
        flash(_("This request was anonymised after the retention period: record a new request."), "error")
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


def _failed_lead(db, req: HelpRequest, error: ops.RequestError, form, action: str):
    """A lead's note flagged by the identity guard comes back in its own form, to edit or confirm."""
    if error.code not in ("identity_refused", "identity_suspected"):
        return _failed(db, req, error)
    form.action_url = action
    return _failed(db, req, error, form, "lead_retry")


@bp.route("/<int:request_id>", methods=["POST"])
@login_required
def update(request_id: int):
    db, req = _editable(request_id)
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
        return _failed(db, req, error, form, "edit")
    return _done(db, req, _("Request %(ref)s saved.", ref=req.reference))


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit(request_id: int):
    """Correct what was recorded at intake; a concurrent change is shown, never overwritten."""
    db, req = _editable(request_id)
    if req.status == Status.CLOSED.value:
        abort(404)
    form = EditRequestForm()
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
                return _conflict(db, req.id)
            except ops.RequestError as error:
                db.rollback()
                req = db.get(HelpRequest, req.id)
                identity_warning = put_errors_on_form(form, error)
            else:
                return _done(db, req, _("Request %(ref)s saved.", ref=req.reference))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "followup/edit.html", form=form, req=req, identity_warning=identity_warning
    ), status


@bp.route("/<int:request_id>/take", methods=["POST"])
@login_required
def take(request_id: int):
    """Pick a request up from the queue: assigned to oneself, in progress."""
    db, req = _editable(request_id)
    form = f.VersionedForm()
    if not form.validate_on_submit():
        return render_detail(db, req, 400)
    try:
        ops.update_request(db, current_user, req, expected_version=form.version.data, assign_to=current_user)
    except ops.RequestError as error:
        return _failed(db, req, error)
    return _done(db, req, _("You follow request %(ref)s.", ref=req.reference))


@bp.route("/<int:request_id>/leads", methods=["POST"])
@login_required
def add_lead(request_id: int):
    db, req = _editable(request_id)
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
        return _failed_lead(db, req, error, form, url_for("followup.add_lead", request_id=req.id))
    return _done(db, req, _("Lead added: %(name)s.", name=_org_name(lead.organisation)))


@bp.route("/<int:request_id>/leads/<int:lead_id>", methods=["POST"])
@login_required
def update_lead(request_id: int, lead_id: int):
    db, req = _editable(request_id)
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
        return _failed_lead(db, req, error, form, url)
    return _done(db, req, _("Lead updated: %(name)s.", name=_org_name(lead.organisation)))


@bp.route("/<int:request_id>/unmet-needs", methods=["POST"])
@login_required
def add_unmet_need(request_id: int):
    db, req = _editable(request_id)
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
        return _failed(db, req, error, form, "unmet")
    return _done(db, req, _("Unmet need recorded."))


@bp.route("/<int:request_id>/callbacks", methods=["POST"])
@login_required
def add_callback(request_id: int):
    db, req = _editable(request_id)
    form = f.CallbackForm(prefix="cb")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, callback=form)
    due = datetime.combine(form.due_date.data, form.due_time.data, tzinfo=_local_zone())
    try:
        ops.add_callback(
            db,
            current_user,
            req,
            due_at=due,
            note=form.note.data or "",
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return _failed(db, req, error, form, "callback")
    return _done(db, req, _("Callback planned."))


@bp.route("/<int:request_id>/callbacks/<int:callback_id>/done", methods=["POST"])
@login_required
def complete_callback(request_id: int, callback_id: int):
    db, req = _editable(request_id)
    callback = db.get(Callback, callback_id)
    if callback is None or callback.request_id != req.id:
        abort(404)
    if not f.FlaskForm().validate_on_submit():
        return render_detail(db, req, 400)
    ops.complete_callback(db, current_user, req, callback)
    return _done(db, req, _("Callback done."))


@bp.route("/<int:request_id>/transfer", methods=["POST"])
@login_required
def transfer(request_id: int):
    db, req = _editable(request_id)
    form = f.TransferForm(prefix="tr")
    form.to.validate_choice = False
    if not form.validate_on_submit():
        return render_detail(db, req, 400, transfer=form)
    try:
        ops.transfer_request(
            db,
            current_user,
            req,
            to=form.to.data,
            note=form.note.data,
            expected_version=form.version.data,
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return _failed(db, req, error, form, "transfer")
    message = _(
        "Request %(ref)s handed to %(territory)s.",
        ref=req.reference,
        territory=TERRITORY_LABELS[req.territory],
    )
    try:
        db.commit()
    except StaleDataError:
        return _conflict(db, req.id)
    flash(message, "success")
    # The sender may still read it (and sees its outcome), but it now sits in the other queue.
    return redirect(url_for("followup.detail", request_id=req.id))


@bp.route("/<int:request_id>/share", methods=["POST"])
@login_required
def share(request_id: int):
    db, req = _editable(request_id)
    form = f.ShareForm(prefix="sh")
    form.to.validate_choice = False
    if not form.validate_on_submit():
        return render_detail(db, req, 400, share=form)
    try:
        ops.share_request(
            db,
            current_user,
            req,
            to=form.to.data,
            note=form.note.data,
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return _failed(db, req, error, form, "share")
    return _done(
        db, req, _("Request shared with %(territory)s for advice.", territory=TERRITORY_LABELS[form.to.data])
    )


@bp.route("/<int:request_id>/comments", methods=["POST"])
@login_required
def comment(request_id: int):
    db = get_session()
    req = access.get_request_or_404(db, current_user, request_id)
    if not access.can_comment_request(db, current_user, req):
        abort(404)
    form = f.CommentForm(prefix="cm")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, comment=form)
    try:
        ops.add_comment(
            db, current_user, req, note=form.note.data, identity_confirmed=form.confirm_identity.data
        )
    except ops.RequestError as error:
        return _failed(db, req, error, form, "comment")
    return _done(db, req, _("Note added."))


@bp.route("/<int:request_id>/close", methods=["POST"])
@login_required
def close(request_id: int):
    db, req = _editable(request_id)
    form = f.CloseForm(prefix="cl")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, close=form)
    given = form.feedback_given.data == "yes"
    feedback_at = None
    if form.feedback_at.data:
        feedback_at = form.feedback_at.data.replace(tzinfo=_local_zone()).astimezone(UTC)
    closing = ops.ClosingRecord(
        feedback_given=given,
        feedback_at=feedback_at,
        feedback_channel=form.feedback_channel.data or "",
        feedback_text=form.feedback_text.data or "",
        missing_reason=form.missing_reason.data or "",
        identity_confirmed=form.confirm_identity.data,
    )
    try:
        ops.close_request(db, current_user, req, closing, expected_version=form.version.data)
    except ops.RequestError as error:
        if error.code == "invalid" and "feedback" in error.fields:
            error.fields["feedback_text" if given else "missing_reason"] = error.fields.pop("feedback")
        return _failed(db, req, error, form, "close")
    return _done(db, req, _("Request %(ref)s closed.", ref=req.reference))


@bp.route("/<int:request_id>/reopen", methods=["POST"])
@login_required
def reopen(request_id: int):
    db, req = _editable(request_id)
    form = f.ReopenForm(prefix="ro")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, reopen=form)
    try:
        ops.reopen_request(
            db,
            current_user,
            req,
            reason=form.reason.data or "",
            expected_version=form.version.data,
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return _failed(db, req, error, form, "reopen")
    return _done(db, req, _("Request %(ref)s reopened.", ref=req.reference))


def _org_name(organisation: Organisation) -> str:
    if current_language() == "nl":
        return organisation.name_nl or organisation.name_fr
    return organisation.name_fr or organisation.name_nl


# ---------------------------------------------------------------- lists


@bp.route("/todo")
@login_required
def todo():
    _require_request_worker()
    db = get_session()
    zone = _local_zone()
    now = utcnow()
    start_of_day = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone).astimezone(UTC)
    end_of_day = start_of_day + timedelta(days=1)
    mine = or_(
        Callback.assigned_to_id == current_user.id,
        and_(Callback.assigned_to_id.is_(None), HelpRequest.assigned_to_id == current_user.id),
    )
    callbacks = db.execute(
        select(Callback, HelpRequest)
        .join(HelpRequest, Callback.request_id == HelpRequest.id)
        .where(
            access.request_edit_scope(current_user),
            Callback.done_at.is_(None),
            mine,
            HelpRequest.status != Status.CLOSED.value,
        )
        .order_by(Callback.due_at)
    ).all()
    groups = {"overdue": [], "today": [], "upcoming": []}
    for callback, req in callbacks:
        due = as_utc(callback.due_at)
        key = "overdue" if due < now else "today" if due < end_of_day else "upcoming"
        groups[key].append((callback, req))
    waiting = db.scalars(
        select(HelpRequest)
        .where(
            access.request_edit_scope(current_user),
            HelpRequest.assigned_to_id == current_user.id,
            HelpRequest.status.in_([Status.WAITING.value, Status.IN_PROGRESS.value, Status.ANSWERED.value]),
        )
        .options(selectinload(HelpRequest.themes))
        .order_by(HelpRequest.status.desc(), HelpRequest.updated_at)
        .limit(LIST_LIMIT)
    ).all()
    return render_template(
        "followup/todo.html",
        groups=groups,
        waiting=waiting,
        labels=LABELS,
        as_utc=as_utc,
        themes=theme_labels(db, current_language()),
    )


@bp.route("/")
@login_required
def queue():
    """The territory's queue (new or unassigned), and a filtered list of every request one may read."""
    _require_request_worker()
    db = get_session()
    territory = current_user.territory
    in_queue = db.scalars(
        select(HelpRequest)
        .where(
            access.request_edit_scope(current_user),
            HelpRequest.territory == territory,
            HelpRequest.status != Status.CLOSED.value,
            or_(HelpRequest.status == Status.NEW.value, HelpRequest.assigned_to_id.is_(None)),
        )
        .options(selectinload(HelpRequest.themes))
        .order_by((HelpRequest.urgency == "urgent").desc(), HelpRequest.created_at)
        .limit(LIST_LIMIT)
    ).all()
    status = request.args.get("status", "")
    theme = request.args.get("theme", "")
    wanted_territory = request.args.get("territory", "")
    reference = request.args.get("q", "").strip()
    stmt = (
        select(HelpRequest)
        .where(access.request_scope(current_user))
        .options(selectinload(HelpRequest.themes))
        .order_by(HelpRequest.updated_at.desc())
    )
    if status in STATUS_LABELS:
        stmt = stmt.where(HelpRequest.status == status)
    if wanted_territory in TERRITORIES:
        stmt = stmt.where(HelpRequest.territory == wanted_territory)
    if theme:
        stmt = stmt.where(HelpRequest.themes.any(theme_code=theme))
    if reference:
        stmt = stmt.where(HelpRequest.reference.ilike(f"%{reference}%"))
    requests_ = db.scalars(stmt.limit(LIST_LIMIT)).all()
    passed_on = db.scalars(
        select(HelpRequest)
        .where(
            access.request_scope(current_user),
            HelpRequest.transfers.any(Transfer.from_territory == territory),
            HelpRequest.territory != territory,
        )
        .options(selectinload(HelpRequest.themes))
        .order_by(HelpRequest.updated_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "followup/queue.html",
        in_queue=in_queue,
        requests=requests_,
        passed_on=passed_on,
        labels=LABELS,
        themes=theme_labels(db, current_language()),
        as_utc=as_utc,
        filters={"status": status, "theme": theme, "territory": wanted_territory, "q": reference},
        territories=TERRITORIES,
        can_review_corrections=access.can_review_corrections(current_user),
    )


@bp.app_template_filter("fromisoformat")
def _fromisoformat(value: str) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None
