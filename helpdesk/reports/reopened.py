"""Reopened requests, counted from their timeline so that a past report does not change.

Closing figures keep their history when a request is reopened: for the few requests with a "reopened" event,
closed-in-month, open-at-end, time to close and feedback come from their timeline (each closing and
reopening), so a past month's report does not change when a request it counted as closed is reopened later.
Every other request is counted from its columns, in SQL; the queries take the reopened ones out of those
counts (by their columns, as SQL counted them) and add them back from their closings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.followup.models import HelpRequest, RequestEvent
from helpdesk.reports.periods import Span
from helpdesk.reports.scope import in_scope


@dataclass
class Closing:
    """One closing of a reopened request: when, with feedback or not, and when it was reopened (if it was)."""

    closed_at: datetime
    feedback_given: bool
    reopened_at: datetime | None = None


@dataclass
class ReopenedHistory:
    """A reopened request: its closings from the timeline, and its columns (which the SQL counts used)."""

    request_id: int
    created_at: datetime
    closed_at_column: datetime | None
    feedback_column: bool
    closings: list[Closing] = field(default_factory=list)

    def last_closing_in(self, month: Span) -> Closing | None:
        inside = [c for c in self.closings if month.start <= c.closed_at < month.end]
        return inside[-1] if inside else None

    def closed_at(self, moment: datetime) -> bool:
        return any(
            c.closed_at < moment and (c.reopened_at is None or c.reopened_at >= moment) for c in self.closings
        )


def _ever_reopened():
    return select(RequestEvent.request_id).where(RequestEvent.kind == "reopened")


def reopened_histories(session: Session, territory: str) -> list[ReopenedHistory]:
    """The closings of every request of ``territory`` that was ever reopened, from its timeline."""
    stmt = (
        select(
            RequestEvent.request_id,
            HelpRequest.created_at,
            HelpRequest.closed_at,
            HelpRequest.feedback_given,
            RequestEvent.kind,
            RequestEvent.at,
            RequestEvent.changes,
        )
        .join(HelpRequest, RequestEvent.request_id == HelpRequest.id)
        .where(
            HelpRequest.id.in_(_ever_reopened()),
            RequestEvent.kind.in_(("closed", "reopened")),
            in_scope(territory),
        )
        .order_by(RequestEvent.request_id, RequestEvent.at, RequestEvent.id)
    )
    histories: dict[int, ReopenedHistory] = {}
    for request_id, created_at, closed_at, feedback, kind, at, changes in session.execute(stmt):
        history = histories.get(request_id)
        if history is None:
            history = histories[request_id] = ReopenedHistory(
                request_id, created_at, closed_at, bool(feedback)
            )
        if kind == "closed":
            given = bool((changes or {}).get("feedback_given"))
            history.closings.append(Closing(at, given))
        elif history.closings and history.closings[-1].reopened_at is None:
            history.closings[-1].reopened_at = at
    return list(histories.values())
