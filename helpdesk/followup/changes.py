"""What every change to a help request shares: the errors it may raise, the version check, the timeline
event and the audit entry.

Operations on a request (``recording``, ``leads``, ``callbacks``, ``transfers``, ``closing``, ``retention``)
take a session and the acting user, record the change in the request's timeline (``RequestEvent``) and in the
audit trail (no free text there), flush, never commit. Raised errors carry a code and the fields at fault
(``RequestError``); views and the API turn them into messages in the user's language.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.audit import record_audit
from helpdesk.auth.models import User
from helpdesk.followup.models import HelpRequest, RequestEvent
from helpdesk.identity import IdentityFound, check_texts
from helpdesk.vocabularies import Status


class RequestError(Exception):
    """A change that cannot be made; ``code`` names it, ``fields`` maps field names to error codes."""

    def __init__(self, code: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code, self.fields = code, fields or {}


class VersionConflict(RequestError):
    """Somebody else changed the request since the form was shown."""

    def __init__(self) -> None:
        super().__init__("version_conflict")


def record_event(
    session: Session, request: HelpRequest, user: User | None, kind: str, **changes: Any
) -> None:
    session.add(RequestEvent(request=request, user_id=user.id if user else None, kind=kind, changes=changes))


def audit(session: Session, user: User | None, action: str, request: HelpRequest, **details: Any) -> None:
    record_audit(
        session,
        action,
        user_id=user.id if user else None,
        object_type="help_request",
        object_id=request.id,
        details=details,
    )


def guard_identity(texts: dict[str, str], confirmed: bool) -> None:
    """Free text others read must not identify the beneficiary (``helpdesk.identity``).

    A national register or BIS number or a date of birth raises ``identity_refused``, confirmed or not; a
    warning (a name, a personal e-mail or phone...) raises ``identity_suspected`` until the operator confirms.
    ``fields`` maps each field at fault to its kinds, comma-separated."""
    try:
        check_texts(texts, confirmed=confirmed)
    except IdentityFound as found:
        fields = {name: ",".join(kinds) for name, kinds in found.fields.items()}
        raise RequestError("identity_refused" if found.refused else "identity_suspected", fields) from None


def touch(request: HelpRequest, expected_version: int | None) -> None:
    """Check the version the user saw, and bump it: a concurrent writer gets a conflict, not a lost update."""
    if expected_version is not None and expected_version != request.version:
        raise VersionConflict()
    request.updated_at = utcnow()


def require_open(request: HelpRequest) -> None:
    if request.status == Status.CLOSED.value:
        raise RequestError("closed")


def start_work(request: HelpRequest, user: User) -> None:
    """Working on a new request takes it: in progress, assigned to the operator when nobody has it."""
    if request.status == Status.NEW.value:
        request.status = Status.IN_PROGRESS.value
    if request.assigned_to_id is None:
        request.assigned_to_id = user.id
