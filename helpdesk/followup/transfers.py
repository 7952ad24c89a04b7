"""Handing a request to another territory (transfer), asking one for advice (sharing), and the notes in the
timeline that advice comes back as (comments)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from directory_import.models import utcnow
from directory_import.territory import TERRITORIES
from directory_import.territory import transfer_targets as territory_transfer_targets
from helpdesk.auth.models import User
from helpdesk.followup.changes import RequestError, audit, guard_identity, record_event, require_open, touch
from helpdesk.followup.models import HelpRequest, Transfer
from helpdesk.vocabularies import EventKind, Status

CALLBACKS_MOVE = "move"
CALLBACKS_CANCEL = "cancel"
CALLBACK_CHOICES = (CALLBACKS_MOVE, CALLBACKS_CANCEL)


def transfer_targets(request: HelpRequest) -> tuple[str, ...]:
    """Where the holder may hand the request: the region, back to a basin, or a neighbouring basin."""
    return territory_transfer_targets(request.territory)


def transfer_request(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    to: str,
    note: str,
    expected_version: int | None,
    identity_confirmed: bool = False,
    callbacks: str = CALLBACKS_MOVE,
) -> Transfer:
    """Hand the request to another territory: it lands unassigned in that territory's queue.

    Its open callbacks either move with it (``callbacks="move"``: unassigned, they go to whoever takes the
    request there) or are cancelled (``"cancel"``), each with its line in the timeline.
    """
    require_open(request)
    touch(request, expected_version)
    guard_identity({"note": note}, identity_confirmed)
    errors = {}
    if to not in transfer_targets(request):
        errors["to"] = "invalid"
    if not note.strip():
        errors["note"] = "required"
    if callbacks not in CALLBACK_CHOICES:
        errors["callbacks"] = "invalid"
    if errors:
        raise RequestError("invalid", errors)
    transfer = Transfer(
        kind="transfer",
        from_territory=request.territory,
        to_territory=to,
        note=note.strip(),
        by_user_id=user.id,
    )
    request.transfers.append(transfer)
    previous = request.territory
    request.territory = to
    request.assigned_to_id = None
    status_change = {}
    if request.status != Status.NEW.value:
        status_change = {"status": [request.status, Status.NEW.value]}
        request.status = Status.NEW.value
    open_callbacks = [c for c in request.callbacks if c.done_at is None]
    now = utcnow()
    for callback in open_callbacks:
        if callbacks == CALLBACKS_CANCEL:
            callback.done_at = callback.cancelled_at = now
        else:
            callback.assigned_to_id = None  # whoever takes the request in the new territory calls back
    session.flush()
    record_event(
        session, request, user, "transferred", territory=[previous, to], note=transfer.note, **status_change
    )
    for callback in open_callbacks:
        record_event(
            session,
            request,
            user,
            (
                EventKind.CALLBACK_CANCELLED if callbacks == CALLBACKS_CANCEL else EventKind.CALLBACK_MOVED
            ).value,
            callback=callback.id,
            due_at=callback.due_at.isoformat(),
            territory=to,
        )
    audit(session, user, "request.transfer", request, from_territory=previous, to_territory=to)
    session.flush()
    return transfer


def share_request(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    to: str,
    note: str,
    identity_confirmed: bool = False,
) -> Transfer:
    """Ask another territory for advice without moving the request: it may read it from now on."""
    require_open(request)
    guard_identity({"note": note}, identity_confirmed)
    errors = {}
    if to not in TERRITORIES or to == request.territory:
        errors["to"] = "invalid"
    if not note.strip():
        errors["note"] = "required"
    if errors:
        raise RequestError("invalid", errors)
    touch(request, None)
    share = Transfer(
        kind="share", from_territory=request.territory, to_territory=to, note=note.strip(), by_user_id=user.id
    )
    request.transfers.append(share)
    session.flush()
    record_event(session, request, user, "shared", to=to, note=share.note)
    audit(session, user, "request.share", request, to_territory=to)
    session.flush()
    return share


def add_comment(
    session: Session, user: User, request: HelpRequest, *, note: str, identity_confirmed: bool = False
) -> None:
    """A note in the timeline (advice from a territory the request was shared with, or from its holder)."""
    guard_identity({"note": note}, identity_confirmed)
    if not note.strip():
        raise RequestError("invalid", {"note": "required"})
    record_event(session, request, user, "comment", territory=user.territory, note=note.strip())
    audit(session, user, "request.comment", request)
    session.flush()
