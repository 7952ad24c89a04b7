"""The lists an operator works from, as read-only queries: the to-do list (callbacks due, requests followed)
and the territory's queue with the filtered list of every request one may read. Access scopes come from
``helpdesk.access``; the views only render what these return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.audit import AuditEvent
from helpdesk.auth.models import User
from helpdesk.followup.models import Callback, HelpRequest, RequestEvent, Transfer
from helpdesk.vocabularies import EventKind, Status, TransferKind

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


def _my_callbacks(user: User):
    """A callback is the user's when given to them, or when given to nobody on a request they follow."""
    return or_(
        Callback.assigned_to_id == user.id,
        and_(Callback.assigned_to_id.is_(None), HelpRequest.assigned_to_id == user.id),
    )


def _in_queue(user: User):
    """Open requests of the user's territory that are new or that nobody follows."""
    return and_(
        access.request_edit_scope(user),
        HelpRequest.territory == user.territory,
        HelpRequest.status != Status.CLOSED.value,
        or_(HelpRequest.status == Status.NEW.value, HelpRequest.assigned_to_id.is_(None)),
    )


def todo_list(session: Session, user: User, *, now: datetime, zone: ZoneInfo) -> Todo:
    """Callbacks overdue, due today (in ``zone``) or later, and the open requests assigned to ``user``."""
    start_of_day = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone).astimezone(UTC)
    end_of_day = start_of_day + timedelta(days=1)
    mine = _my_callbacks(user)
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
            .where(_in_queue(user))
            .options(selectinload(HelpRequest.themes), selectinload(HelpRequest.callbacks))
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


def handed_to_us(session: Session, user: User) -> list[HelpRequest]:
    """Requests another territory handed to the user's and nobody took yet: transferred here and still
    unassigned, or shared here for advice with no note from this territory since."""
    hop = aliased(Transfer)
    transferred = and_(
        access.request_edit_scope(user),
        HelpRequest.territory == user.territory,
        HelpRequest.assigned_to_id.is_(None),
        exists(
            select(hop.id).where(
                hop.request_id == HelpRequest.id,
                hop.kind == TransferKind.TRANSFER.value,
                hop.to_territory == user.territory,
            )
        ),
    )
    share = aliased(Transfer)
    answered = (
        select(RequestEvent.id)
        .join(User, User.id == RequestEvent.user_id)
        .where(
            RequestEvent.request_id == share.request_id,
            RequestEvent.kind == EventKind.COMMENT.value,
            RequestEvent.at >= share.at,
            User.territory == user.territory,
        )
    )
    shared = exists(
        select(share.id).where(
            share.request_id == HelpRequest.id,
            share.kind == TransferKind.SHARE.value,
            share.to_territory == user.territory,
            ~exists(answered),
        )
    )
    return list(
        session.scalars(
            select(HelpRequest)
            .where(
                access.request_scope(user),
                HelpRequest.status != Status.CLOSED.value,
                or_(transferred, shared),
            )
            .options(
                selectinload(HelpRequest.themes),
                selectinload(HelpRequest.transfers),
                selectinload(HelpRequest.callbacks),
            )
            .order_by((HelpRequest.urgency == "urgent").desc(), HelpRequest.updated_at)
            .limit(LIST_LIMIT)
        )
    )


def with_news(session: Session, user: User, requests: list[HelpRequest]) -> list[HelpRequest]:
    """Of ``requests``, those someone else changed since ``user`` last opened them.

    "Opened" is the ``request.view`` line the request page already writes to the audit trail (no new
    write); a request never opened, or whose view lines were pruned, counts from the user's own last event.
    """
    ids = [r.id for r in requests]
    if not ids:
        return []
    last_view = (
        select(func.max(AuditEvent.at))
        .where(
            AuditEvent.object_type == "help_request",
            AuditEvent.object_id == cast(RequestEvent.request_id, String),
            AuditEvent.action == "request.view",
            AuditEvent.user_id == user.id,
        )
        .scalar_subquery()
    )
    mine = aliased(RequestEvent)
    last_own = (
        select(func.max(mine.at))
        .where(mine.request_id == RequestEvent.request_id, mine.user_id == user.id)
        .scalar_subquery()
    )
    news = set(
        session.scalars(
            select(RequestEvent.request_id)
            .where(
                RequestEvent.request_id.in_(ids),
                or_(RequestEvent.user_id.is_(None), RequestEvent.user_id != user.id),
                or_(
                    and_(last_view.is_(None), last_own.is_(None)),
                    RequestEvent.at > func.coalesce(last_view, last_own),
                ),
            )
            .distinct()
        )
    )
    return [r for r in requests if r.id in news]


def todo_count(session: Session, user: User, *, now: datetime, zone: ZoneInfo) -> int:
    """How many of the user's callbacks are overdue or due today: the count in the navigation."""
    end_of_day = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone).astimezone(
        UTC
    ) + timedelta(days=1)
    return int(
        session.scalar(
            select(func.count(Callback.id))
            .join(HelpRequest, Callback.request_id == HelpRequest.id)
            .where(
                access.request_edit_scope(user),
                Callback.done_at.is_(None),
                Callback.due_at < end_of_day,
                _my_callbacks(user),
                HelpRequest.status != Status.CLOSED.value,
            )
        )
        or 0
    )


def queue_count(session: Session, user: User) -> int:
    """How many requests wait in the user's territory queue (new or unassigned): the navigation's count."""
    return int(session.scalar(select(func.count(HelpRequest.id)).where(_in_queue(user))) or 0)
