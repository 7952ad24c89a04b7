"""API resource: proposals on the directory (blueprint ``api_proposals``).

``POST /api/v1/organisations/<id>/proposals`` proposes changes of an organisation and/or its closure;
``POST /api/v1/organisations/proposals`` proposes a new organisation (its fields as ``GET
/api/v1/organisations/<id>`` names them); ``GET /api/v1/proposals?state=`` lists them (a coordinator's to
decide, an operator's own); ``POST /api/v1/proposals/<id>/accept`` (optional ``changes``) and ``.../refuse``
(``reason``) decide. Bad input is 400 ``{"error", "fields"}`` naming each field; the same checks as the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_import.models import Organisation
from helpdesk import access
from helpdesk.api.views import ApiError, api_blueprint
from helpdesk.db import get_session
from helpdesk.directory.signals import directory_changed
from helpdesk.i18n import current_language
from helpdesk.identity import IdentityFound
from helpdesk.identity_messages import api_identity_answer
from helpdesk.stewardship import proposals as ops
from helpdesk.stewardship.fields import ADDRESS_PARTS, read_value
from helpdesk.stewardship.models import PROPOSAL_STATES, Overlay, Proposal
from helpdesk.stewardship.proposals import FieldsInvalid, ProposalError

bp = api_blueprint("api_proposals", __name__)


def _basin_coordinators() -> bool:
    return bool(current_app.config["STEWARDSHIP_BASIN_COORDINATORS_VALIDATE"])


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(_("The body must be a JSON object."), 400)
    return data


def _invalid(fields: dict[str, str]) -> ApiError:
    return ApiError(_("Some fields are not valid."), 400, fields)


def _require_proposer() -> None:
    if not access.can_propose_changes(current_user):
        raise ApiError(_("You do not have access to this page."), 403)


def _unknown(data: dict[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise _invalid({str(name)[:40]: _("Unknown field.") for name in unknown})


def _with_address(changes: dict[str, Any], current: dict[str, str] | None) -> dict[str, Any]:
    """The address as the API gives it (``street_fr``, ``number``, ``postcode``... side by side) made one
    field, the parts not sent kept from ``current``."""
    parts = {part: changes.pop(part) for part in ADDRESS_PARTS if part in changes}
    if parts:
        address = dict(current or dict.fromkeys(ADDRESS_PARTS, ""))
        address.update({k: "" if v is None else v for k, v in parts.items()})
        changes["address"] = address
    return changes


def _fields_named(invalid: FieldsInvalid, sent: dict[str, Any]) -> dict[str, str]:
    """An address refused is named by the part the client sent (the postcode, as a rule)."""
    fields = dict(invalid.fields)
    if "address" in fields and "address" not in sent:
        part = "postcode" if "postcode" in sent else next((p for p in ADDRESS_PARTS if p in sent), "address")
        fields[part] = fields.pop("address")
    return fields


def _identity(found: IdentityFound) -> ApiError:
    """The note names someone: refused, or waiting for ``"identity_confirmed": true`` (as for requests)."""
    get_session().rollback()
    message, fields = api_identity_answer(found.fields)
    return ApiError(message, 400, fields)


def _until(data: dict[str, Any]) -> date | None:
    value = data.get("until")
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _invalid({"until": _("A date as YYYY-MM-DD.")}) from None


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "kind": proposal.kind,
        "state": proposal.state,
        "organisation_id": proposal.organisation_id,
        "status": proposal.status or None,
        "until": proposal.status_until.isoformat() if proposal.status_until else None,
        "note": proposal.note,
        "territory": proposal.territory,
        "basin": proposal.basin,
        "created_at": proposal.created_at.isoformat(),
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
        "refusal_reason": proposal.refusal_reason or None,
        "changes": [
            {
                "field": c.field,
                "directory_value": c.directory_value,
                "proposed_value": c.proposed_value,
                "accepted_value": c.accepted_value,
            }
            for c in proposal.changes
        ],
    }


def overlay_json(overlay: Overlay) -> dict[str, Any]:
    return {
        "field": overlay.field,
        "value": overlay.value,
        "source_value": overlay.source_value,
        "since": overlay.since.isoformat(),
        "state": overlay.state,
    }


@bp.route("/organisations/<int:organisation_id>/proposals", methods=["POST"])
@login_required
def proposals_create(organisation_id: int):
    _require_proposer()
    db = get_session()
    org = db.get(Organisation, organisation_id)
    if org is None:
        raise ApiError(_("No such organisation."), 404)
    data = _body()
    _unknown(data, {"changes", "status", "until", "note", "identity_confirmed"})
    changes = data.get("changes") or {}
    if not isinstance(changes, dict) or not isinstance(data.get("note") or "", str):
        raise _invalid(
            {"changes" if not isinstance(changes, dict) else "note": _("Some fields are not valid.")}
        )
    sent = dict(changes)
    changes = _with_address(dict(changes), read_value(org, "address"))
    try:
        proposal = ops.propose_changes(
            db,
            current_user,
            org,
            changes,
            status=str(data.get("status") or ""),
            until=_until(data),
            note=data.get("note") or "",
            identity_confirmed=data.get("identity_confirmed") is True,
        )
    except IdentityFound as found:
        raise _identity(found) from None
    except ProposalError:
        db.rollback()
        raise ApiError(_("This organisation is archived: propose nothing on it."), 400) from None
    except FieldsInvalid as invalid:
        db.rollback()
        raise _invalid(_fields_named(invalid, sent)) from None
    db.commit()
    return jsonify({"id": proposal.id, "state": proposal.state}), 201


@bp.route("/organisations/proposals", methods=["POST"])
@login_required
def proposals_create_organisation():
    _require_proposer()
    db = get_session()
    data = _body()
    meta = {"note", "distinct", "identity_confirmed"}
    values = {k: v for k, v in data.items() if k not in meta}
    try:
        cleaned = ops.clean_new_organisation(db, _with_address(dict(values), None))
    except FieldsInvalid as invalid:
        raise _invalid(_fields_named(invalid, values)) from None
    duplicates = ops.likely_duplicates(db, cleaned)
    if duplicates and data.get("distinct") is not True:
        language = current_language()
        return jsonify(
            {
                "error": _("The directory may have this organisation already: check the list below."),
                "duplicates": [{"id": o.id, "name": o.name_in(language), "score": s} for o, s in duplicates],
            }
        ), 409
    try:
        proposal = ops.propose_organisation(
            db,
            current_user,
            _with_address(dict(values), None),
            note=str(data.get("note") or ""),
            duplicates_seen=[o.id for o, _score in duplicates],
            identity_confirmed=data.get("identity_confirmed") is True,
        )
    except IdentityFound as found:
        raise _identity(found) from None
    db.commit()
    return jsonify({"id": proposal.id, "state": proposal.state}), 201


@bp.route("/proposals")
@login_required
def proposals_list():
    _require_proposer()
    state = request.args.get("state", "pending")
    if state not in PROPOSAL_STATES:
        raise _invalid({"state": _("One of: %(values)s.", values=", ".join(PROPOSAL_STATES))})
    db = get_session()
    if access.can_review_proposals(current_user, _basin_coordinators()):
        basins = access.proposal_review_basins(current_user, _basin_coordinators())
        found = ops.proposals_to_review(db, basins, state)
    else:
        found = [p for p in ops.proposals_of(db, current_user) if p.state == state]
    return jsonify({"proposals": [proposal_json(p) for p in found]})


def _decidable(proposal_id: int) -> Proposal:
    proposal = get_session().get(Proposal, proposal_id)
    if proposal is None:
        raise ApiError(_("No such proposal."), 404)
    if not access.can_decide_proposal(current_user, proposal.basin, _basin_coordinators()):
        raise ApiError(_("You do not have access to this page."), 403)
    return proposal


def _decision_failed(error: ProposalError) -> ApiError:
    if error.code == "reason":
        return _invalid({"reason": _("Give the reason for refusing.")})
    if error.code == "archived":
        return ApiError(_("This organisation is archived: the proposal cannot apply."), 400)
    return ApiError(_("This proposal was decided already."), 409)


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@login_required
def proposals_accept(proposal_id: int):
    proposal = _decidable(proposal_id)
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise ApiError(_("The body must be a JSON object."), 400)
    _unknown(data, {"changes"})
    changes = data.get("changes") or {}
    if not isinstance(changes, dict):
        raise _invalid({"changes": _("Some fields are not valid.")})
    current = next((c.proposed_value for c in proposal.changes if c.field == "address"), None)
    db = get_session()
    try:
        ids = ops.accept_proposal(db, current_user, proposal, _with_address(dict(changes), current))
    except ProposalError as error:
        db.rollback()
        raise _decision_failed(error) from None
    except FieldsInvalid as invalid:
        db.rollback()
        raise _invalid(_fields_named(invalid, changes)) from None
    db.commit()
    directory_changed.send(current_app._get_current_object(), organisation_ids=ids)  # type: ignore[attr-defined]
    return jsonify(proposal_json(proposal))


@bp.route("/proposals/<int:proposal_id>/refuse", methods=["POST"])
@login_required
def proposals_refuse(proposal_id: int):
    proposal = _decidable(proposal_id)
    data = _body()
    _unknown(data, {"reason"})
    reason = data.get("reason")
    if not isinstance(reason, str):
        raise _invalid({"reason": _("Give the reason for refusing.")})
    db = get_session()
    try:
        ops.refuse_proposal(db, current_user, proposal, reason)
    except ProposalError as error:
        db.rollback()
        raise _decision_failed(error) from None
    db.commit()
    return jsonify(proposal_json(proposal))
