"""Finding the notifications due: transfers and shares into a territory, callbacks overdue or due today,
requests left unassigned past their urgency's limit.

``find_notifications`` looks at the transfers, callbacks and unassigned requests and adds the notifications
they call for, each once: its ``key`` is unique and rows are inserted with ``ON CONFLICT DO NOTHING``, so the
poller running twice, or two workers at once, add nothing twice. Delivering them is
``helpdesk.notify.operations``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.auth.models import User
from helpdesk.followup.models import Callback, HelpRequest, Transfer
from helpdesk.mail.outbox import territory_addresses
from helpdesk.notify.models import Notification
from helpdesk.notify.operations import modes_of
from helpdesk.vocabularies import Role, Status

# Finding -------------------------------------------------------------------------------------------------


def add_working_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``start`` plus ``days`` working days in ``zone``, Saturdays and Sundays skipped (a start at the
    weekend counts from the Monday's midnight)."""
    local = start.astimezone(zone)
    if local.weekday() >= 5:
        monday = local.date() + timedelta(days=7 - local.weekday())
        local = datetime.combine(monday, time(0), tzinfo=zone)
    day = local.date()
    for _step in range(days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)


def unassigned_deadline(urgency: str, since: datetime, zone: ZoneInfo) -> datetime | None:
    """When a request of ``urgency`` unassigned since ``since`` is late; None when no limit is set."""
    config = current_app.config
    hours = config["NOTIFY_UNASSIGNED_HOURS"]
    if urgency in hours:
        return since + timedelta(hours=float(hours[urgency]))
    days = config["NOTIFY_UNASSIGNED_WORKING_DAYS"]
    if urgency in days:
        return add_working_days(since, int(days[urgency]), zone)
    return None


def _insert_new(db: Session, rows: list[dict]) -> int:
    """Insert the notifications whose key is new; how many were. Two workers at once insert each once."""
    if not rows:
        return 0
    dialect = db.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        added = 0
        for start in range(0, len(rows), 500):
            values = insert(Notification).values(rows[start : start + 500])
            statement = values.on_conflict_do_nothing(index_elements=["key"]).returning(Notification.id)
            added += len(db.execute(statement).all())  # rows skipped as conflicts return nothing
        return added
    added = 0
    for row in rows:  # other databases: one savepoint per row
        try:
            with db.begin_nested():
                db.add(Notification(**row))
                db.flush()
            added += 1
        except IntegrityError:
            pass
    return added


def _mail_state(mode: str) -> str:
    return "pending" if mode == "immediate" else "digest"


def _row(key: str, kind: str, detail: str, request_id: int, now: datetime, **values) -> dict:
    row = {
        "key": key[:200],
        "kind": kind,
        "detail": detail,
        "request_id": request_id,
        "created_at": now,
        "user_id": None,
        "to_address": "",
        "territory": "",
        "mail_state": "none",
    }
    row.update(values)
    return row


def _readers_of(db: Session, territories: Iterable[str], roles: tuple[str, ...]) -> dict[str, list[int]]:
    """The active, confirmed accounts of each territory with one of ``roles``."""
    found: dict[str, list[int]] = {}
    wanted = list(set(territories))
    if not wanted:
        return found
    rows = db.execute(
        select(User.id, User.territory).where(
            User.territory.in_(wanted),
            User.role.in_(roles),
            User.active.is_(True),
            User.confirmed_at.is_not(None),
        )
    )
    for uid, territory in rows:
        found.setdefault(territory, []).append(uid)
    return found


def _transfer_rows(db: Session, now: datetime) -> list[dict]:
    since = now - timedelta(hours=float(current_app.config["NOTIFY_LOOKBACK_HOURS"]))
    transfers = db.execute(
        select(Transfer.id, Transfer.kind, Transfer.to_territory, Transfer.by_user_id, Transfer.request_id)
        .join(HelpRequest, HelpRequest.id == Transfer.request_id)
        .where(Transfer.at >= since, HelpRequest.status != Status.CLOSED.value)
    ).all()
    readers = _readers_of(
        db, (t.to_territory for t in transfers), (Role.OPERATOR.value, Role.COORDINATOR.value)
    )
    modes = modes_of(db, (uid for ids in readers.values() for uid in ids), "transfer")
    shared = territory_addresses(db)
    rows = []
    for t in transfers:
        address = str(shared.get(t.to_territory, "") or "")
        common = {"territory": t.to_territory}
        if address:  # one mail to the territory's address; its people see it in the application
            rows.append(
                _row(
                    f"@{t.to_territory}:transfer:{t.id}",
                    "transfer",
                    t.kind,
                    t.request_id,
                    now,
                    to_address=address,
                    mail_state="pending",
                    **common,
                )
            )
        for uid in readers.get(t.to_territory, []):
            if uid == t.by_user_id or modes[uid] == "off":
                continue
            state = "none" if address else _mail_state(modes[uid])
            rows.append(
                _row(
                    f"{uid}:transfer:{t.id}",
                    "transfer",
                    t.kind,
                    t.request_id,
                    now,
                    user_id=uid,
                    mail_state=state,
                    **common,
                )
            )
    return rows


def _callback_rows(db: Session, now: datetime, zone: ZoneInfo) -> list[dict]:
    today = now.astimezone(zone).date()
    end_of_today = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    due = db.execute(
        select(
            Callback.id,
            Callback.due_at,
            Callback.assigned_to_id,
            HelpRequest.assigned_to_id,
            Callback.request_id,
        )
        .join(HelpRequest, HelpRequest.id == Callback.request_id)
        .where(
            Callback.done_at.is_(None),
            Callback.due_at < end_of_today,
            HelpRequest.status != Status.CLOSED.value,
        )
    ).all()
    owners: list[tuple[int, datetime, int, int]] = []
    for cb_id, due_at, cb_owner, request_owner, rid in due:
        owner = cb_owner or request_owner
        if owner is not None:
            owners.append((cb_id, due_at, owner, rid))
    modes = modes_of(db, (o[2] for o in owners), "callback")
    rows = []
    for cb_id, due_at, owner, rid in owners:
        if modes[owner] == "off":
            continue
        detail = "overdue" if due_at.astimezone(zone).date() < today else "today"
        rows.append(
            _row(
                f"{owner}:callback:{cb_id}:{today.isoformat()}",
                "callback",
                detail,
                rid,
                now,
                user_id=owner,
                mail_state=_mail_state(modes[owner]),
            )
        )
    return rows


def _unassigned_rows(db: Session, now: datetime, zone: ZoneInfo) -> list[dict]:
    waiting = db.execute(
        select(HelpRequest.id, HelpRequest.territory, HelpRequest.urgency, HelpRequest.created_at).where(
            HelpRequest.assigned_to_id.is_(None), HelpRequest.status != Status.CLOSED.value
        )
    ).all()
    if not waiting:
        return []
    # Since when it waits in its territory: its arrival there by the last hand-over, or its creation.
    arrivals = dict(
        db.execute(
            select(Transfer.request_id, func.max(Transfer.at))
            .where(Transfer.request_id.in_([w.id for w in waiting]), Transfer.kind == "transfer")
            .group_by(Transfer.request_id)
        ).all()
    )
    late = []
    for w in waiting:
        since = max(w.created_at, arrivals.get(w.id) or w.created_at)
        deadline = unassigned_deadline(w.urgency, since, zone)
        if deadline is not None and now >= deadline:
            late.append((w, since))
    coordinators = _readers_of(db, (w.territory for w, _ in late), (Role.COORDINATOR.value,))
    modes = modes_of(db, (uid for ids in coordinators.values() for uid in ids), "unassigned")
    rows = []
    for w, since in late:
        for uid in coordinators.get(w.territory, []):
            if modes[uid] == "off":
                continue
            rows.append(
                _row(
                    f"{uid}:unassigned:{w.id}:{w.territory}:{since:%Y%m%d%H%M%S}",
                    "unassigned",
                    w.urgency,
                    w.id,
                    now,
                    user_id=uid,
                    territory=w.territory,
                    mail_state=_mail_state(modes[uid]),
                )
            )
    return rows


def find_notifications(db: Session, now: datetime | None = None) -> int:
    """Add the notifications due now that do not exist yet; how many. Flushes, never commits."""
    now = now or utcnow()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    rows = _transfer_rows(db, now) + _callback_rows(db, now, zone) + _unassigned_rows(db, now, zone)
    return _insert_new(db, rows)
