"""The lists an operator works from, as read-only queries: the to-do list (callbacks due, requests followed)
and the territory's queue with the filtered list of every request one may read. Access scopes come from
``helpdesk.access``; the views only render what these return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.auth.models import User
from helpdesk.followup.models import Callback, HelpRequest, Transfer
from helpdesk.vocabularies import Status

LIST_LIMIT = 200  # rows per list: beyond that, the filters narrow it down
PASSED_ON_LIMIT = 50


@dataclass
class RequestFilters:
    """What the queue page's filter form asks for; unknown values filter nothing."""

    status: str = ""
    theme: str = ""
    territory: str = ""
    q: str = ""


@dataclass
class Todo:
    """Open callbacks of the user, by when they are due, and the requests the user follows."""

    groups: dict[str, list[tuple[Callback, HelpRequest]]] = field(
        default_factory=lambda: {"overdue": [], "today": [], "upcoming": []}
    )
    waiting: list[HelpRequest] = field(default_factory=list)


def todo_list(session: Session, user: User, *, now: datetime, zone: ZoneInfo) -> Todo:
    """Callbacks overdue, due today (in ``zone``) or later, and the open requests assigned to ``user``."""
    start_of_day = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone).astimezone(UTC)
    end_of_day = start_of_day + timedelta(days=1)
    mine = or_(
        Callback.assigned_to_id == user.id,
        and_(Callback.assigned_to_id.is_(None), HelpRequest.assigned_to_id == user.id),
    )
    callbacks = session.execute(
        select(Callback, HelpRequest)
        .join(HelpRequest, Callback.request_id == HelpRequest.id)
        .where(
            access.request_edit_scope(user),
            Callback.done_at.is_(None),
            mine,
            HelpRequest.status != Status.CLOSED.value,
        )
        .order_by(Callback.due_at)
    ).all()
    todo = Todo()
    for callback, req in callbacks:
        due = callback.due_at
        key = "overdue" if due < now else "today" if due < end_of_day else "upcoming"
        todo.groups[key].append((callback, req))
    todo.waiting = list(
        session.scalars(
            select(HelpRequest)
            .where(
                access.request_edit_scope(user),
                HelpRequest.assigned_to_id == user.id,
                HelpRequest.status.in_(
                    [Status.WAITING.value, Status.IN_PROGRESS.value, Status.ANSWERED.value]
                ),
            )
            .options(selectinload(HelpRequest.themes))
            .order_by(HelpRequest.status.desc(), HelpRequest.updated_at)
            .limit(LIST_LIMIT)
        )
    )
    return todo


def territory_queue(session: Session, user: User) -> list[HelpRequest]:
    """Open requests of the user's territory that are new or nobody follows, urgent first, oldest first."""
    return list(
        session.scalars(
            select(HelpRequest)
            .where(
                access.request_edit_scope(user),
                HelpRequest.territory == user.territory,
                HelpRequest.status != Status.CLOSED.value,
                or_(HelpRequest.status == Status.NEW.value, HelpRequest.assigned_to_id.is_(None)),
            )
            .options(selectinload(HelpRequest.themes))
            .order_by((HelpRequest.urgency == "urgent").desc(), HelpRequest.created_at)
            .limit(LIST_LIMIT)
        )
    )


def readable_requests(session: Session, user: User, filters: RequestFilters) -> list[HelpRequest]:
    """Every request the user may read, last changed first, narrowed by ``filters``."""
    stmt = (
        select(HelpRequest)
        .where(access.request_scope(user))
        .options(selectinload(HelpRequest.themes))
        .order_by(HelpRequest.updated_at.desc())
    )
    if Status.has(filters.status):
        stmt = stmt.where(HelpRequest.status == filters.status)
    if filters.territory in TERRITORIES:
        stmt = stmt.where(HelpRequest.territory == filters.territory)
    if filters.theme:
        stmt = stmt.where(HelpRequest.themes.any(theme_code=filters.theme))
    if filters.q:
        stmt = stmt.where(HelpRequest.reference.ilike(f"%{filters.q}%"))
    return list(session.scalars(stmt.limit(LIST_LIMIT)))


def passed_on_requests(session: Session, user: User) -> list[HelpRequest]:
    """Requests the user's territory handed to another one, which it may still read."""
    return list(
        session.scalars(
            select(HelpRequest)
            .where(
                access.request_scope(user),
                HelpRequest.transfers.any(Transfer.from_territory == user.territory),
                HelpRequest.territory != user.territory,
            )
            .options(selectinload(HelpRequest.themes))
            .order_by(HelpRequest.updated_at.desc())
            .limit(PASSED_ON_LIMIT)
        )
    )
