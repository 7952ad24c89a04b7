"""Closing the loop with the asking professional (the feedback given, or why none) and reopening."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.auth.models import User
from helpdesk.followup.changes import RequestError, audit, guard_identity, record_event, require_open, touch
from helpdesk.followup.leads import add_unmet_need
from helpdesk.followup.models import HelpRequest
from helpdesk.followup.themes import all_themes
from helpdesk.vocabularies import Channel, Status, UnmetReason


@dataclass
class ClosingRecord:
    feedback_given: bool
    feedback_at: datetime | None = None
    feedback_channel: str = ""
    feedback_text: str = ""
    missing_reason: str = ""
    unmet_needs: list[tuple[str, str]] = field(default_factory=list)  # (reason, theme code)
    identity_confirmed: bool = False


def close_request(
    session: Session,
    user: User,
    request: HelpRequest,
    closing: ClosingRecord,
    *,
    expected_version: int | None,
) -> None:
    """Close the loop: the feedback given to the asking professional (when, how, what), or why none."""
    require_open(request)
    touch(request, expected_version)
    guard_identity(
        {"feedback": closing.feedback_text, "missing_reason": closing.missing_reason},
        closing.identity_confirmed,
    )
    errors: dict[str, str] = {}
    if closing.feedback_given:
        if not closing.feedback_text.strip():
            errors["feedback"] = "required"
        if closing.feedback_channel and not Channel.has(closing.feedback_channel):
            errors["feedback_channel"] = "invalid"
    elif not closing.missing_reason.strip():
        errors["feedback"] = "required"
    codes = {t.code for t in all_themes(session)}
    for i, (reason, theme) in enumerate(closing.unmet_needs):
        if not UnmetReason.has(reason):
            errors[f"unmet_needs.{i}.reason"] = "invalid"
        if theme and theme not in codes:
            errors[f"unmet_needs.{i}.theme"] = "invalid"
    if errors:
        raise RequestError("invalid", errors)
    for reason, theme in closing.unmet_needs:
        add_unmet_need(session, user, request, reason=reason, theme_code=theme)
    now = utcnow()
    request.feedback_given = closing.feedback_given
    request.feedback_at = (closing.feedback_at or now) if closing.feedback_given else None
    request.feedback_channel = closing.feedback_channel if closing.feedback_given else ""
    request.feedback_text = closing.feedback_text.strip() if closing.feedback_given else ""
    request.feedback_missing_reason = "" if closing.feedback_given else closing.missing_reason.strip()
    previous = request.status
    request.status = Status.CLOSED.value
    request.closed_at = now
    if request.first_answer_at is None and closing.feedback_given:
        request.first_answer_at = request.feedback_at
    for callback in request.callbacks:
        if callback.done_at is None:
            callback.done_at = now
    record_event(
        session,
        request,
        user,
        "closed",
        status=[previous, Status.CLOSED.value],
        feedback_given=closing.feedback_given,
        feedback_channel=request.feedback_channel,
        feedback=request.feedback_text,
        missing_reason=request.feedback_missing_reason,
    )
    audit(session, user, "request.close", request, feedback_given=closing.feedback_given)
    session.flush()


def reopen_request(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    reason: str,
    expected_version: int | None,
    identity_confirmed: bool = False,
) -> None:
    """Open a closed request again (the professional calls back: the lead fell through, things changed).

    The closing feedback moves to the timeline (the "closed" event keeps it) and is asked again at the next
    closing; callbacks, leads and unmet needs stay. A request anonymised after the retention period cannot
    be reopened: record a new one.
    """
    touch(request, expected_version)  # first: a stale form means someone changed it, whatever the status
    if request.status != Status.CLOSED.value:
        raise RequestError("not_closed")
    if request.anonymised_at is not None:
        raise RequestError("anonymised")
    guard_identity({"reason": reason}, identity_confirmed)
    if not reason.strip():
        raise RequestError("invalid", {"reason": "required"})
    request.status = Status.IN_PROGRESS.value
    request.closed_at = None
    request.feedback_given = None
    request.feedback_at = None
    request.feedback_channel = ""
    request.feedback_text = ""
    request.feedback_missing_reason = ""
    record_event(
        session,
        request,
        user,
        "reopened",
        status=[Status.CLOSED.value, Status.IN_PROGRESS.value],
        note=reason.strip(),
    )
    audit(session, user, "request.reopen", request)
    session.flush()
