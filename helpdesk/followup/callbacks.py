"""Callbacks: calling the asking professional back at a planned time; the request waits meanwhile."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.auth.models import User
from helpdesk.followup.changes import (
    RequestError,
    audit,
    guard_identity,
    record_event,
    require_open,
    start_work,
    touch,
)
from helpdesk.followup.models import Callback, HelpRequest
from helpdesk.forms import in_calendar
from helpdesk.vocabularies import Status


def add_callback(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    due_at: datetime,
    note: str = "",
    set_waiting: bool = True,
    identity_confirmed: bool = False,
) -> Callback:
    """Plan a call back; the request waits meanwhile (unless told otherwise)."""
    require_open(request)
    guard_identity({"note": note}, identity_confirmed)
    if due_at.tzinfo is None or not in_calendar(due_at):
        raise RequestError("invalid", {"due_at": "invalid"})
    touch(request, None)
    start_work(request, user)
    callback = Callback(
        due_at=due_at.astimezone(timezone.utc),
        note=note.strip(),
        assigned_to_id=user.id,
        created_by_id=user.id,
    )
    request.callbacks.append(callback)
    changes: dict[str, Any] = {}
    if set_waiting and request.status != Status.WAITING.value:
        changes["status"] = [request.status, Status.WAITING.value]
        request.status = Status.WAITING.value
    session.flush()
    record_event(
        session,
        request,
        user,
        "callback_added",
        callback=callback.id,
        due_at=callback.due_at.isoformat(),
        note=callback.note,
        **changes,
    )
    audit(session, user, "request.callback_add", request, callback=callback.id)
    session.flush()
    return callback


def complete_callback(session: Session, user: User, request: HelpRequest, callback: Callback) -> None:
    if callback.request_id != request.id:
        raise RequestError("invalid", {"callback": "invalid"})
    if callback.done_at is not None:
        return
    touch(request, None)
    callback.done_at = utcnow()
    changes: dict[str, Any] = {}
    if request.status == Status.WAITING.value and all(c.done_at for c in request.callbacks):
        changes["status"] = [request.status, Status.IN_PROGRESS.value]
        request.status = Status.IN_PROGRESS.value
    record_event(session, request, user, "callback_done", callback=callback.id, **changes)
    audit(session, user, "request.callback_done", request, callback=callback.id)
    session.flush()
