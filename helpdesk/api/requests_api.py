"""API resource: help requests, with the same tokens and access rules as the pages (``helpdesk.access``).

Outside one's access a request answers 404, like the pages; a user who does not work on requests (an admin)
gets 403 on the collection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.api.views import ApiError, api_blueprint
from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest
from helpdesk.followup.orientation_mail import send_orientation
from helpdesk.forms import in_calendar
from helpdesk.i18n import current_language
from helpdesk.identity_messages import api_identity_answer
from helpdesk.vocabularies import Status
from helpdesk.vocabularies.errors import FieldError, RequestRefusal

bp = api_blueprint("api_requests", __name__)

MAX_PAGE = 200


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def request_json(req: HelpRequest, *, full: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": req.id,
        "reference": req.reference,
        "territory": req.territory,
        "received_territory": req.received_territory,
        "status": req.status,
        "urgency": req.urgency,
        "channel": req.channel,
        "themes": req.theme_codes,
        "version": req.version,
        "created_at": _iso(req.created_at),
        "updated_at": _iso(req.updated_at),
        "closed_at": _iso(req.closed_at),
    }
    if not full:
        return data
    data.update(
        {
            "caller": {
                "name": req.caller_name,
                "function": req.caller_function,
                "sector": req.caller_sector,
                "organisation_id": req.caller_organisation_id,
                "organisation": req.caller_organisation_text,
                "phone": req.caller_phone,
                "email": req.caller_email,
                "language": req.caller_language,
            },
            "age_band": req.age_band,
            "gender": req.gender,
            "languages": req.languages,
            "residence_postcode": req.residence_postcode,
            "residence_basin": req.residence_basin,
            "situation_flags": req.situation_flags,
            "question": req.question,
            "assigned_to": req.assigned_to_id,
            "leads": [
                {
                    "id": lead.id,
                    "organisation_id": lead.organisation_id,
                    "outcome": lead.outcome,
                    "note": lead.note,
                }
                for lead in req.leads
            ],
            "unmet_needs": [
                {"id": n.id, "reason": n.reason, "theme": n.theme_code, "note": n.note}
                for n in req.unmet_needs
            ],
            "callbacks": [
                {"id": c.id, "due_at": _iso(c.due_at), "done_at": _iso(c.done_at), "note": c.note}
                for c in req.callbacks
            ],
            "transfers": [
                {
                    "kind": t.kind,
                    "from": t.from_territory,
                    "to": t.to_territory,
                    "note": t.note,
                    "at": _iso(t.at),
                }
                for t in req.transfers
            ],
            "feedback": None
            if req.feedback_given is None
            else {
                "given": req.feedback_given,
                "at": _iso(req.feedback_at),
                "channel": req.feedback_channel,
                "text": req.feedback_text,
                "missing_reason": req.feedback_missing_reason,
            },
        }
    )
    return data


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(_("The body must be a JSON object."), 400)
    return data


def _text(data: dict, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ApiError(_("Some fields are not valid."), 400, {key: "invalid"})
    return value


def _messages(fields: dict[str, str]) -> dict[str, str]:
    return {name: FieldError.label_of(code) for name, code in fields.items()}


def _failed(error: ops.RequestError) -> ApiError:
    get_session().rollback()
    if isinstance(error, ops.VersionConflict):
        return _conflict()
    if RequestRefusal.has(error.code):
        return ApiError(RequestRefusal.label_of(error.code), 409, {"status": error.code})
    if error.code == "no_address":
        return ApiError(
            _('No address: give "to", or record the professional\'s e-mail.'), 400, {"to": "required"}
        )
    if error.code == "no_lead":
        return ApiError(_("No lead to send yet: add the services found first."), 400, {"leads": "required"})
    if error.code in ("identity_refused", "identity_suspected"):
        # A field holding anything refused is refused; the others wait for "identity_confirmed": true.
        message, fields = api_identity_answer(error.fields, {"missing_reason": "no_feedback_reason"})
        return ApiError(message, 400, fields)
    return ApiError(_("Some fields are not valid."), 400, _messages(error.fields))


def _commit():
    try:
        get_session().commit()
    except StaleDataError:
        get_session().rollback()
        raise _conflict() from None


def _conflict() -> ApiError:
    return ApiError(str(RequestRefusal.CONFLICT.label), 409, {"version": "conflict"})


def _get(request_id: int, *, edit: bool = False) -> HelpRequest:
    try:
        return access.get_request_or_404(get_session(), current_user, request_id, edit=edit)
    except NotFound:
        raise ApiError(_("No such request."), 404) from None


def _version(data: dict) -> int | None:
    value = data.get("version")
    if value is None:
        return None
    if not isinstance(value, int):
        raise ApiError(_("Some fields are not valid."), 400, {"version": "invalid"})
    return value


@bp.route("/requests", methods=["POST"])
@login_required
def requests_create():
    territories = access.intake_territories(current_user)
    if not territories:
        raise ApiError(_("You do not have access to this page."), 403)
    data = _body()
    caller = data.get("caller") or {}
    if not isinstance(caller, dict):
        raise ApiError(_("Some fields are not valid."), 400, {"caller": "invalid"})
    territory = _text(data, "territory", current_user.territory) or current_user.territory
    if territory not in territories:
        raise ApiError(_("Some fields are not valid."), 400, {"territory": "invalid"})
    lists = {}
    for key in ("themes", "languages", "situation_flags"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError(_("Some fields are not valid."), 400, {key: "invalid"})
        lists[key] = value
    organisation_id = caller.get("organisation_id")
    if organisation_id is not None and not isinstance(organisation_id, int):
        raise ApiError(_("Some fields are not valid."), 400, {"caller.organisation_id": "invalid"})
    record = ops.IntakeRecord(
        territory=territory,
        channel=_text(data, "channel", "phone"),
        urgency=_text(data, "urgency", "normal"),
        caller=ops.CallerRecord(
            name=_text(caller, "name"),
            function=_text(caller, "function"),
            sector=_text(caller, "sector"),
            organisation_id=organisation_id,
            organisation_text=_text(caller, "organisation"),
            phone=_text(caller, "phone"),
            email=_text(caller, "email"),
            language=_text(caller, "language") or current_language(),
        ),
        age_band=_text(data, "age_band"),
        gender=_text(data, "gender"),
        languages=lists["languages"],
        residence_postcode=_text(data, "residence_postcode"),
        situation_flags=lists["situation_flags"],
        themes=lists["themes"],
        question=_text(data, "question"),
        identity_confirmed=data.get("identity_confirmed") is True,
    )
    try:
        req = ops.create_request(get_session(), current_user, record)
    except ops.RequestError as error:
        raise _failed(error) from None
    _commit()
    return jsonify(request_json(req)), 201


@bp.route("/requests", methods=["GET"])
@login_required
def requests_list():
    if not access.works_on_requests(current_user):
        raise ApiError(_("You do not have access to this page."), 403)
    args = request.args
    errors = {}
    stmt = select(HelpRequest).where(access.request_scope(current_user)).order_by(HelpRequest.id.desc())
    if args.get("status"):
        if not Status.has(args["status"]):
            errors["status"] = "invalid"
        stmt = stmt.where(HelpRequest.status == args["status"])
    if args.get("territory"):
        if args["territory"] not in TERRITORIES:
            errors["territory"] = "invalid"
        stmt = stmt.where(HelpRequest.territory == args["territory"])
    if args.get("theme"):
        stmt = stmt.where(HelpRequest.themes.any(theme_code=args["theme"]))
    limit = args.get("limit", "50")
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_PAGE):
        errors["limit"] = "invalid"
    if errors:
        raise ApiError(_("Some fields are not valid."), 400, _messages(errors))
    rows = get_session().scalars(stmt.limit(int(limit))).all()
    return jsonify({"total": len(rows), "requests": [request_json(r, full=False) for r in rows]})


@bp.route("/requests/<int:request_id>", methods=["GET"])
@login_required
def requests_detail(request_id: int):
    req = _get(request_id)
    ops.record_view(get_session(), current_user, req, via="api")
    _commit()
    return jsonify(request_json(req))


@bp.route("/requests/<int:request_id>/leads", methods=["POST"])
@login_required
def requests_add_lead(request_id: int):
    req = _get(request_id, edit=True)
    data = _body()
    organisation_id = data.get("organisation_id")
    if not isinstance(organisation_id, int):
        raise ApiError(
            _("Some fields are not valid."), 400, {"organisation_id": _("This value is not valid.")}
        )
    try:
        lead = ops.add_lead(
            get_session(),
            current_user,
            req,
            organisation_id,
            outcome=_text(data, "outcome", "proposed"),
            note=_text(data, "note"),
            identity_confirmed=data.get("identity_confirmed") is True,
        )
    except ops.RequestError as error:
        raise _failed(error) from None
    _commit()
    return jsonify(
        {
            "id": lead.id,
            "organisation_id": lead.organisation_id,
            "outcome": lead.outcome,
            "note": lead.note,
            "request": request_json(req, full=False),
        }
    ), 201


@bp.route("/requests/<int:request_id>/transfer", methods=["POST"])
@login_required
def requests_transfer(request_id: int):
    req = _get(request_id, edit=True)
    data = _body()
    try:
        ops.transfer_request(
            get_session(),
            current_user,
            req,
            to=_text(data, "to"),
            note=_text(data, "note"),
            expected_version=_version(data),
            identity_confirmed=data.get("identity_confirmed") is True,
            callbacks=_text(data, "callbacks") or ops.CALLBACKS_MOVE,
        )
    except ops.RequestError as error:
        raise _failed(error) from None
    _commit()
    return jsonify(request_json(req, full=False)), 200


@bp.route("/requests/<int:request_id>/close", methods=["POST"])
@login_required
def requests_close(request_id: int):
    req = _get(request_id, edit=True)
    data = _body()
    needs = data.get("unmet_needs") or []
    if not isinstance(needs, list) or not all(isinstance(n, dict) for n in needs):
        raise ApiError(_("Some fields are not valid."), 400, {"unmet_needs": "invalid"})
    feedback = _text(data, "feedback")
    missing = _text(data, "no_feedback_reason")
    feedback_at = None
    if data.get("feedback_at"):
        try:
            feedback_at = datetime.fromisoformat(_text(data, "feedback_at"))
        except ValueError:
            raise ApiError(_("Some fields are not valid."), 400, {"feedback_at": "invalid"}) from None
        if feedback_at.tzinfo is None or not in_calendar(feedback_at):
            raise ApiError(_("Some fields are not valid."), 400, {"feedback_at": "invalid"})
    closing = ops.ClosingRecord(
        feedback_given=bool(feedback.strip()) or not missing.strip(),
        feedback_at=feedback_at,
        feedback_channel=_text(data, "feedback_channel", "phone"),
        feedback_text=feedback,
        missing_reason=missing,
        unmet_needs=[(_text(n, "reason"), _text(n, "theme")) for n in needs],
        identity_confirmed=data.get("identity_confirmed") is True,
    )
    try:
        ops.close_request(get_session(), current_user, req, closing, expected_version=_version(data))
    except ops.RequestError as error:
        raise _failed(error) from None
    _commit()
    return jsonify(request_json(req)), 200


@bp.route("/requests/<int:request_id>/reopen", methods=["POST"])
@login_required
def requests_reopen(request_id: int):
    req = _get(request_id, edit=True)
    data = _body()
    try:
        ops.reopen_request(
            get_session(),
            current_user,
            req,
            reason=_text(data, "reason"),
            expected_version=_version(data),
            identity_confirmed=data.get("identity_confirmed") is True,
        )
    except ops.RequestError as error:
        raise _failed(error) from None
    _commit()
    return jsonify(request_json(req)), 200


@bp.route("/requests/<int:request_id>/send-orientation", methods=["POST"])
@login_required
def requests_send_orientation(request_id: int):
    """Queue the orientation e-mail to the asking professional (202: it leaves with the outbox)."""
    req = _get(request_id, edit=True)
    data = _body()
    to = data.get("to")
    if to is not None and not isinstance(to, str):
        raise ApiError(_("Some fields are not valid."), 400, {"to": "invalid"})
    try:
        queued = send_orientation(
            get_session(),
            current_user,
            req,
            to=to or None,
            language=_text(data, "language") or None,
            message=_text(data, "message"),
            identity_confirmed=data.get("identity_confirmed") is True,
        )
    except ops.RequestError as error:
        raise _failed(error) from None
    _commit()
    return jsonify({"message_id": queued.message_id, "outbox_id": queued.id, "state": queued.state}), 202
