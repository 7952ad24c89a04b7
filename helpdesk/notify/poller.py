"""The notifications' turn of the worker (and of ``helpdesk notify run``): find, then mail, each step in
transactions of its own, committed here. Rows are claimed ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite's
single writer elsewhere), so two workers never mail the same notification; a digest is made once per user and
local day by the unique ``(user_id, day)`` of ``notification_digests``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.notify.finders import find_notifications
from helpdesk.notify.models import Notification, NotificationDigest
from helpdesk.notify.operations import preferences_of, queue_notification_mail


def _claim(db: Session, *where, limit: int = 100) -> list[Notification]:
    return list(
        db.scalars(
            select(Notification)
            .where(*where)
            .order_by(Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def deliver_immediate(app: Flask, now: datetime | None = None) -> int:
    """Queue a mail for each pending notification, in batches each committed; how many were queued."""
    queued = 0
    while True:
        with app.extensions["db_sessionmaker"]() as db:
            batch = _claim(db, Notification.mail_state == "pending")
            if not batch:
                db.rollback()
                return queued
            modes: dict[int, dict[str, str]] = {}
            for n in batch:
                mode = "immediate"
                if n.user_id is not None:  # the choice may have changed since it was found
                    mode = modes.setdefault(n.user_id, preferences_of(db, n.user_id))[n.kind]
                if mode == "immediate":
                    n.mail_state = "queued" if queue_notification_mail(db, [n]) else "none"
                    n.mailed_at = now or utcnow()
                    queued += n.mail_state == "queued"
                else:
                    n.mail_state = "digest" if mode == "digest" else "none"
            db.commit()


def send_digests(app: Flask, now: datetime | None = None) -> int:
    """From ``NOTIFY_DIGEST_HOUR`` on, one digest per user and local day of what waits for it; how many."""
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(app.config["TIMEZONE"]))
    if local.hour < int(app.config["NOTIFY_DIGEST_HOUR"]):
        return 0
    day = local.date().isoformat()
    sent = 0
    with app.extensions["db_sessionmaker"]() as db:
        waiting = list(
            db.scalars(
                select(Notification.user_id)
                .where(Notification.mail_state == "digest", Notification.user_id.is_not(None))
                .distinct()
            )
        )
        already = set(db.scalars(select(NotificationDigest.user_id).where(NotificationDigest.day == day)))
        db.rollback()
    for user_id in waiting:
        if user_id in already:
            continue
        with app.extensions["db_sessionmaker"]() as db:
            digest = NotificationDigest(user_id=user_id, day=day, count=0, created_at=now)
            try:
                with db.begin_nested():
                    db.add(digest)
                    db.flush()  # the unique (user, day): another worker's digest of today stops this one
            except IntegrityError:
                db.rollback()
                continue
            batch = _claim(
                db, Notification.mail_state == "digest", Notification.user_id == user_id, limit=500
            )
            modes = preferences_of(db, user_id)  # the choice may have changed since they were found
            for n in batch:
                if modes[n.kind] != "digest":
                    n.mail_state = "pending" if modes[n.kind] == "immediate" else "none"
            batch = [n for n in batch if n.mail_state == "digest"]
            if batch:
                if queue_notification_mail(db, batch, digest_day=day):
                    digest.count = len(batch)
                    sent += 1
                for n in batch:
                    n.mail_state, n.mailed_at = "queued", now
            db.commit()
    return sent


@dataclass
class NotifyReport:
    found: int = 0
    mailed: int = 0
    digests: int = 0

    @property
    def total(self) -> int:
        return self.found + self.mailed + self.digests


def run_notifications(app: Flask, now: datetime | None = None) -> NotifyReport:
    """One full turn: find what is new (committed), mail what is immediate, send the digests that are due."""
    report = NotifyReport()
    with app.app_context():
        with app.extensions["db_sessionmaker"]() as db:
            report.found = find_notifications(db, now)
            db.commit()
        report.mailed = deliver_immediate(app, now)
        report.digests = send_digests(app, now)
    return report


def poll(app: Flask, worker_id: str, stop=None) -> int:
    """The worker's turn: a full run at most every ``NOTIFY_POLL_SECONDS`` (the checks read every open
    request); how much it did."""
    last = app.extensions.get("notify_last_run")
    now = utcnow()
    if last is not None and (now - last).total_seconds() < float(app.config["NOTIFY_POLL_SECONDS"]):
        return 0
    app.extensions["notify_last_run"] = now
    return run_notifications(app).total


JOB_KINDS: list = []  # no job kind: the worker polls (POLLERS)
POLLERS = [poll]
