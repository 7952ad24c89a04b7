"""Finding, delivering and reading notifications.

``find_notifications`` looks at the transfers, callbacks and unassigned requests and adds the notifications
they call for, each once: its ``key`` is unique and rows are inserted with ``ON CONFLICT DO NOTHING``, so the
poller running twice, or two workers at once, add nothing twice. ``deliver_immediate`` queues one mail per
pending notification (rows claimed ``FOR UPDATE SKIP LOCKED``); ``send_digests`` queues one digest per user
and local day, made once by the unique ``(user_id, day)`` of ``notification_digests``. Mail leaves through
the outbox, never from a request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from directory_import.models import utcnow
from helpdesk.auth.models import User
from helpdesk.followup.models import Callback, HelpRequest, Transfer
from helpdesk.mail.messages import MAIL_LANGUAGES, MailError
from helpdesk.mail.outbox import queue_mail, render_mail, territory_addresses
from helpdesk.notify.models import (
    NOTIFICATION_KINDS,
    NOTIFICATION_MODES,
    Notification,
    NotificationPreference,
)
from helpdesk.vocabularies import Role, Status
from helpdesk.vocabularies.territories import TERRITORY_LABELS

logger = logging.getLogger(__name__)

MAIL_KIND = "notification"
DIGEST_MAIL_KIND = "notification_digest"


# Preferences ---------------------------------------------------------------------------------------------


def default_modes() -> dict[str, str]:
    defaults = current_app.config["NOTIFY_DEFAULTS"]
    return {kind: str(defaults.get(kind, "off")) for kind in NOTIFICATION_KINDS}


def preferences_of(db: Session, user_id: int) -> dict[str, str]:
    """Each kind's mode for ``user_id``: their choice, else the default of ``NOTIFY_DEFAULTS``."""
    modes = default_modes()
    for pref in db.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id)):
        if pref.kind in modes and pref.mode in NOTIFICATION_MODES:
            modes[pref.kind] = pref.mode
    return modes


def _modes_of(db: Session, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    ids = list(set(user_ids))
    default = default_modes()[kind]
    modes = dict.fromkeys(ids, default)
    if ids:
        rows = db.execute(
            select(NotificationPreference.user_id, NotificationPreference.mode).where(
                NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind
            )
        )
        modes.update({uid: mode for uid, mode in rows if mode in NOTIFICATION_MODES})
    return modes


class PreferenceError(ValueError):
    """A kind or a mode that does not exist."""


def set_preferences(db: Session, user: User, choices: dict[str, str]) -> None:
    """Record ``user``'s mode for each kind of ``choices``; flushes."""
    for kind, mode in choices.items():
        if kind not in NOTIFICATION_KINDS or mode not in NOTIFICATION_MODES:
            raise PreferenceError(f"{kind}={mode}")
    existing = {
        p.kind: p
        for p in db.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    }
    for kind, mode in choices.items():
        if kind in existing:
            existing[kind].mode = mode
        else:
            db.add(NotificationPreference(user_id=user.id, kind=kind, mode=mode))
    db.flush()


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
    modes = _modes_of(db, (uid for ids in readers.values() for uid in ids), "transfer")
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
    modes = _modes_of(db, (o[2] for o in owners), "callback")
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
    modes = _modes_of(db, (uid for ids in coordinators.values() for uid in ids), "unassigned")
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


# Texts ---------------------------------------------------------------------------------------------------


def describe(kind: str, detail: str, reference: str, territory: str = "") -> str:
    """The one sentence a notification says, in the current language (page and mail alike)."""
    place = str(TERRITORY_LABELS.get(territory, territory))
    if kind == "transfer":
        if detail == "share":
            return _(
                "Request %(ref)s is shared with %(territory)s for advice.", ref=reference, territory=place
            )
        return _("Request %(ref)s was handed over to %(territory)s.", ref=reference, territory=place)
    if kind == "proposal":
        if detail == "accepted":
            return _("Your proposal on %(name)s was accepted.", name=reference)
        return _("Your proposal on %(name)s was refused.", name=reference)
    if kind == "callback":
        if detail == "overdue":
            return _("A callback of request %(ref)s is overdue.", ref=reference)
        return _("A callback of request %(ref)s is due today.", ref=reference)
    return _("Request %(ref)s is still unassigned in %(territory)s.", ref=reference, territory=place)


def subject_of(kind: str, reference: str) -> str:
    if kind == "proposal":
        return _("Your proposal on %(name)s", name=reference)
    if kind == "transfer":
        return _("[%(ref)s] A request for your territory", ref=reference)
    if kind == "callback":
        return _("[%(ref)s] Callback to make", ref=reference)
    return _("[%(ref)s] Request still unassigned", ref=reference)


# Delivering ----------------------------------------------------------------------------------------------


def _language(user: User | None) -> str:
    language = ((user.locale if user else None) or current_app.config["BABEL_DEFAULT_LOCALE"] or "fr")[:2]
    return language if language in MAIL_LANGUAGES else "fr"


@dataclass(frozen=True)
class MailItem:
    text: str
    link: str


def proposal_references(db: Session, notifications: Iterable[Notification]) -> dict[int, str]:
    """The organisation each proposal notification is about, by name (the name proposed for a new one)."""
    from helpdesk.stewardship.models import Proposal

    ids = {n.proposal_id for n in notifications if n.proposal_id}
    if not ids:
        return {}
    language = _language_of_babel()
    names = {}
    for proposal in db.scalars(select(Proposal).where(Proposal.id.in_(ids))):
        if proposal.organisation is not None:
            names[proposal.id] = proposal.organisation.name_in(language)
        else:
            values = {c.field: c.proposed_value for c in proposal.changes}
            names[proposal.id] = str(
                values.get("name_nl" if language == "nl" else "name_fr")
                or values.get("name_fr")
                or values.get("name_nl")
                or ""
            )
    return names


def _language_of_babel() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "fr"


def reference_of(notification: Notification, requests: dict[int, str], proposals: dict[int, str]) -> str:
    if notification.proposal_id:
        return proposals.get(notification.proposal_id, "")
    return requests.get(notification.request_id or 0, "")


def _link(notification: Notification) -> str:
    if notification.proposal_id:
        return url_for("stewardship.detail", proposal_id=notification.proposal_id, _external=True)
    if notification.request_id:
        return url_for("followup.detail", request_id=notification.request_id, _external=True)
    return ""


def _items(db: Session, notifications: list[Notification]) -> list[MailItem]:
    proposals = proposal_references(db, notifications)
    references = dict(
        db.execute(
            select(HelpRequest.id, HelpRequest.reference).where(
                HelpRequest.id.in_([n.request_id for n in notifications if n.request_id])
            )
        ).all()
    )
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return [
            MailItem(
                describe(n.kind, n.detail, reference_of(n, references, proposals), n.territory), _link(n)
            )
            for n in notifications
        ]


def queue_notification_mail(db: Session, notifications: list[Notification], *, digest_day: str = "") -> bool:
    """Queue one mail for ``notifications`` (one alone, or a user's digest); False when its address cannot
    receive mail (the notifications stay in the application)."""
    first = notifications[0]
    user = db.get(User, first.user_id) if first.user_id else None
    address = user.email if user else first.to_address
    language = _language(user)
    with force_locale(language):
        items = _items(db, notifications)
        if digest_day:
            day = date.fromisoformat(digest_day)
            subject = _("Helpdesk: your notifications of %(day)s", day=format_date(day, "long"))
        else:
            reference = (
                db.scalar(select(HelpRequest.reference).where(HelpRequest.id == first.request_id)) or ""
            )
            if first.proposal_id:
                reference = proposal_references(db, [first]).get(first.proposal_id, "")
            subject = subject_of(first.kind, reference)
        text, html = render_mail(
            "notification", language, items=items, digest=bool(digest_day), name=(user.name if user else "")
        )
    try:
        queue_mail(
            db,
            kind=DIGEST_MAIL_KIND if digest_day else MAIL_KIND,
            to=address,
            to_name=user.name if user else "",
            subject=subject,
            text=text,
            html=html,
            language=language,
            request_id=None if digest_day else first.request_id,
        )
    except MailError:
        logger.warning("notification %s: its address cannot receive mail", first.id)
        return False
    return True


# Reading -------------------------------------------------------------------------------------------------


def unread_count(db: Session, user: User) -> int:
    return (
        db.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notifications_of(
    db: Session, user: User, *, unread_only: bool = False, limit: int = 200
) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(selectinload(Notification.request).load_only(HelpRequest.reference))
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(
        db.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    )


def mark_read(db: Session, user: User, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notifications read (or all of them); how many changed. Flushes."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = db.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.flush()
    return int(getattr(result, "rowcount", 0) or 0)
