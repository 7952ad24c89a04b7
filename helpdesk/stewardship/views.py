"""Pages of proposals (blueprint ``stewardship``): propose a correction or a closure from an organisation's
page, propose a new organisation (from a search that found nothing), the coordinators' queue with the
overlays flagged by a sync, one proposal with its decision, and "my proposals"."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_import.models import Organisation
from helpdesk import access
from helpdesk.db import get_or_404, get_session
from helpdesk.directory.signals import directory_changed
from helpdesk.i18n import current_language
from helpdesk.identity import IdentityFound
from helpdesk.identity_messages import put_identity_errors
from helpdesk.stewardship import fields as field_specs
from helpdesk.stewardship.export import FORMATS as EXPORT_FORMATS
from helpdesk.stewardship.export import export_proposals
from helpdesk.stewardship.forms import (
    DecisionForm,
    ExportForm,
    NewOrganisationForm,
    ProposalForm,
    RefuseForm,
)
from helpdesk.stewardship.models import PROPOSAL_STATES, Overlay, Proposal
from helpdesk.stewardship.overlays import drop_overlay, keep_overlay, review_overlays
from helpdesk.stewardship.proposals import (
    FieldsInvalid,
    ProposalError,
    accept_proposal,
    clean_new_organisation,
    likely_duplicates,
    proposals_of,
    proposals_to_review,
    propose_changes,
    propose_organisation,
    refuse_proposal,
)

bp = Blueprint("stewardship", __name__, url_prefix="/directory")


def basin_coordinators() -> bool:
    return bool(current_app.config["STEWARDSHIP_BASIN_COORDINATORS_VALIDATE"])


def _require_proposer() -> None:
    if not access.can_propose_changes(current_user):
        abort(403)


def _put_errors(form: ProposalForm, errors: dict[str, str]) -> None:
    """Each message under its field (an address's under the postcode); the others flashed."""
    for name, message in errors.items():
        target = "postcode" if name == "address" else name
        if target in form and target not in ("csrf_token",):
            form[target].errors = [*form[target].errors, message]
        else:
            flash(message, "error")


def _show_refusal(form: ProposalForm, refused: FieldsInvalid | IdentityFound) -> None:
    """A proposal form sent back: the invalid values, or the identity guard's findings, under their fields."""
    if isinstance(refused, FieldsInvalid):
        _put_errors(form, refused.fields)
    else:
        for message in put_identity_errors(form, refused.fields):
            flash(message, "error")


def _reindex(ids: list[int]) -> None:
    if ids:
        # The app itself, not the proxy: the search index listens for its own app only.
        directory_changed.send(current_app._get_current_object(), organisation_ids=ids)  # type: ignore[attr-defined]


@bp.route("/organisations/<int:organisation_id>/propose", methods=["GET", "POST"])
@login_required
def propose(organisation_id: int):
    _require_proposer()
    db = get_session()
    org = get_or_404(Organisation, organisation_id)
    if org.archived:
        flash(
            _("This organisation is archived: propose nothing on it, propose a new one if needed."), "error"
        )
        return redirect(url_for("directory.organisation", organisation_id=org.id))
    form = ProposalForm()
    if request.method == "GET":
        form.fill_from(org)
    elif form.validate_on_submit():
        try:
            proposal = propose_changes(
                db,
                current_user,
                org,
                form.changes(),
                status=form.status.data or "",
                until=form.until.data,
                note=form.note.data or "",
                identity_confirmed=form.confirm_identity.data,
            )
        except (FieldsInvalid, IdentityFound) as refused:
            db.rollback()
            _show_refusal(form, refused)
        else:
            db.commit()
            flash(_("Your proposal is sent to the coordinators."), "success")
            return redirect(url_for("stewardship.detail", proposal_id=proposal.id))
    status = 400 if request.method == "POST" else 200
    return render_template("stewardship/propose.html", form=form, org=org, new=False), status


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def propose_new():
    _require_proposer()
    db = get_session()
    form = NewOrganisationForm()
    duplicates: list[tuple[Organisation, float]] = []
    if request.method == "GET":
        form.name_fr.data = (request.args.get("name") or "")[:400]
    elif form.validate_on_submit():
        try:
            cleaned = clean_new_organisation(db, form.changes())
            duplicates = likely_duplicates(db, cleaned)
            if duplicates and not form.distinct.data:
                flash(_("The directory may have this organisation already: check the list below."), "warning")
            else:
                proposal = propose_organisation(
                    db,
                    current_user,
                    form.changes(),
                    note=form.note.data or "",
                    duplicates_seen=[org.id for org, _score in duplicates],
                    identity_confirmed=form.confirm_identity.data,
                )
                db.commit()
                flash(_("Your proposal is sent to the coordinators."), "success")
                return redirect(url_for("stewardship.detail", proposal_id=proposal.id))
        except (FieldsInvalid, IdentityFound) as refused:
            db.rollback()
            _show_refusal(form, refused)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "stewardship/propose.html", form=form, org=None, new=True, duplicates=duplicates
    ), status


@bp.route("/proposals")
@login_required
def queue():
    if not access.can_review_proposals(current_user, basin_coordinators()):
        abort(403)
    state = request.args.get("state", "pending")
    if state not in PROPOSAL_STATES:
        state = "pending"
    db = get_session()
    basins = access.proposal_review_basins(current_user, basin_coordinators())
    return render_template(
        "stewardship/queue.html",
        proposals=proposals_to_review(db, basins, state),
        overlays=review_overlays(db, basins) if state == "pending" else [],
        state=state,
        form=DecisionForm(),
        export_form=_export_form() if access.can_export_proposals(current_user) else None,
        specs=field_specs,
        locale=current_language(),
    )


def _export_form() -> ExportForm:
    form = ExportForm(formdata=None)
    form.since.data = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1).isoformat()
    return form


@bp.route("/proposals/export", methods=["POST"])
@login_required
def export():
    """Download the proposals accepted since a date (CSV or JSON for the directory), marked exported."""
    if not access.can_export_proposals(current_user):
        abort(403)
    form = ExportForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Choose the format of the export: CSV or JSON."), "error")
        return redirect(url_for("stewardship.queue", state="accepted"))
    try:
        since = date.fromisoformat((form.since.data or "").strip())
    except ValueError:
        flash(_("“%(value)s” is not a date (year-month-day).", value=(form.since.data or "")[:20]), "error")
        return redirect(url_for("stewardship.queue", state="accepted"))
    fmt = form.format.data if form.format.data in EXPORT_FORMATS else "csv"
    db = get_session()
    body, _rows = export_proposals(
        db, since, fmt, include_exported=bool(form.include_exported.data), user_id=current_user.id
    )
    db.commit()
    name = f"helpdesk-proposals-since-{since.isoformat()}.{fmt}"
    mimetype = "application/json" if fmt == "json" else "text/csv"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.route("/proposals/mine")
@login_required
def mine():
    _require_proposer()
    return render_template(
        "stewardship/mine.html",
        proposals=proposals_of(get_session(), current_user),
        specs=field_specs,
        locale=current_language(),
    )


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = get_session().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def _may_decide(proposal: Proposal) -> bool:
    return access.can_decide_proposal(current_user, proposal.basin, basin_coordinators())


@bp.route("/proposals/<int:proposal_id>")
@login_required
def detail(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    mine = proposal.proposer_id == current_user.id
    if not (mine and access.can_propose_changes(current_user)) and not _may_decide(proposal):
        abort(404)
    return render_template(
        "stewardship/detail.html",
        proposal=proposal,
        may_decide=_may_decide(proposal) and proposal.state == "pending",
        reviewer=_may_decide(proposal),
        form=DecisionForm(),
        refuse_form=RefuseForm(formdata=None),
        specs=field_specs,
        locale=current_language(),
    )


def _edits(proposal: Proposal) -> dict[str, Any]:
    """The values a coordinator edited in the decision form (``edit-<field>``; an address in parts)."""
    edits: dict[str, Any] = {}
    for change in proposal.changes:
        if change.field == "address":
            parts = {p: request.form.get(f"edit-address-{p}") for p in field_specs.ADDRESS_PARTS}
            if any(v is not None for v in parts.values()):
                edits["address"] = {p: v or "" for p, v in parts.items()}
        elif f"edit-{change.field}" in request.form and change.field != field_specs.OTHER:
            edits[change.field] = request.form[f"edit-{change.field}"]
    return edits


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@login_required
def accept(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if not _may_decide(proposal):
        abort(403)
    if not DecisionForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        ids = accept_proposal(db, current_user, proposal, _edits(proposal))
    except ProposalError as error:
        db.rollback()
        flash(_message(error.code), "error")
    except FieldsInvalid as invalid:
        db.rollback()
        for name, message in invalid.fields.items():
            flash(f"{field_specs.label(name)}: {message}", "error")
    else:
        db.commit()
        _reindex(ids)
        flash(_("Proposal accepted: the values are in force in the directory."), "success")
    return redirect(url_for("stewardship.detail", proposal_id=proposal_id))


def _message(code: str) -> str:
    return {
        "decided": _("This proposal was decided already."),
        "archived": _("This organisation is archived: the proposal cannot apply."),
        "reason": _("Give the reason for refusing."),
    }.get(code, _("This proposal cannot be decided."))


@bp.route("/proposals/<int:proposal_id>/refuse", methods=["POST"])
@login_required
def refuse(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if not _may_decide(proposal):
        abort(403)
    form = RefuseForm()
    db = get_session()
    if not form.validate_on_submit():
        flash(_message("reason"), "error")
        return redirect(url_for("stewardship.detail", proposal_id=proposal_id))
    try:
        refuse_proposal(db, current_user, proposal, form.reason.data)
    except ProposalError as error:
        db.rollback()
        flash(_message(error.code), "error")
    else:
        db.commit()
        flash(_("Proposal refused; its author sees why."), "success")
    return redirect(url_for("stewardship.detail", proposal_id=proposal_id))


def _overlay_action(overlay_id: int, action) -> Any:
    db = get_session()
    overlay = db.get(Overlay, overlay_id)
    if overlay is None:
        abort(404)
    if not access.can_decide_proposal(current_user, overlay.organisation.basin, basin_coordinators()):
        abort(403)
    if not DecisionForm().validate_on_submit():
        abort(400)
    if overlay.state == "retired":
        flash(_("This correction is no longer in force."), "error")
    else:
        action(db, overlay, current_user.id)
        db.commit()
        _reindex([overlay.organisation_id])
        flash(_("Done."), "success")
    if request.form.get("back") == "organisation":
        return redirect(url_for("directory.organisation", organisation_id=overlay.organisation_id))
    return redirect(url_for("stewardship.queue"))


@bp.route("/overlays/<int:overlay_id>/keep", methods=["POST"])
@login_required
def overlay_keep(overlay_id: int):
    return _overlay_action(overlay_id, keep_overlay)


@bp.route("/overlays/<int:overlay_id>/drop", methods=["POST"])
@login_required
def overlay_drop(overlay_id: int):
    return _overlay_action(overlay_id, drop_overlay)


def organisation_stewardship(org: Organisation) -> dict[str, Any]:
    """What an organisation's page shows of stewardship (``stewardship/_organisation.html``): the helpdesk's
    values in force beside the source's, its closure, its pending proposals, and the links to propose."""
    from helpdesk.stewardship.overlays import overlays_in_force
    from helpdesk.stewardship.proposals import pending_on

    if not getattr(current_user, "is_authenticated", False) or not current_user.active:
        return {"overlays": [], "status": None, "pending": [], "can_propose": False, "can_decide": False}
    # Visitors of a public directory see the values in force, without the helpdesk's workings.
    db = get_session()
    overlays = overlays_in_force(db, org.id)
    status = next((o for o in overlays if o.field == "status"), None)
    return {
        "overlays": [o for o in overlays if o.field != "status"],
        "status": status,
        "pending": pending_on(db, org.id),
        "can_propose": access.can_propose_changes(current_user) and not org.archived,
        "can_decide": access.can_decide_proposal(current_user, org.basin, basin_coordinators()),
        "can_review": access.can_review_proposals(current_user, basin_coordinators()),
        "label": field_specs.label,
        "text": field_specs.as_text,
    }
