"""Sending the outbox: claim due messages, hand them to the SMTP server, mark each sent once.

A sender claims a batch in one short transaction (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
senders never take the same row; SQLite's single writer, every write transaction beginning ``IMMEDIATE``,
elsewhere), marks it ``sending`` under its name, commits, and only then talks to the server: no network inside
a transaction. Each message is then marked ``sent`` (with the server's answer), queued again after a back-off
(server down, 4xx answer), or ``failed`` (5xx answer, or every attempt used). A sender killed after claiming
leaves its messages ``sending``: they are taken again once ``MAIL_LEASE_SECONDS`` have passed.

The worker (``helpdesk worker``, and the thread of ``helpdesk run``) calls ``poll`` between jobs; ``helpdesk
mail send`` calls ``send_due`` once.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, and_, or_, select, text, update
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.jobs.queue import new_worker_id
from helpdesk.mail.models import OutboxMessage

logger = logging.getLogger(__name__)

JOB_KINDS: list = []  # mail is no job kind: the worker polls the outbox itself (POLLERS)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


@dataclass(frozen=True)
class _Claimed:
    id: int
    from_address: str
    to_address: str
    raw: str
    attempts: int
    max_attempts: int


class _Temporary(Exception):
    """The server is down, or answered 4xx: try again later."""


class _Permanent(Exception):
    """The server refused the message for good (5xx)."""


def claim(app: Flask, worker_id: str, limit: int, due_by: datetime | None = None) -> list[_Claimed]:
    """Take up to ``limit`` messages due by ``due_by`` (default now) for ``worker_id`` in one committed
    transaction."""
    lease = float(app.config["MAIL_LEASE_SECONDS"])
    with app.extensions["db_sessionmaker"]() as db:
        now = utcnow()
        due_by = due_by or now
        due = or_(
            and_(OutboxMessage.state == "queued", OutboxMessage.run_after <= due_by),
            and_(OutboxMessage.state == "sending", OutboxMessage.locked_at < now - timedelta(seconds=lease)),
        )
        ids = list(
            db.scalars(
                select(OutboxMessage.id)
                .where(due)
                .order_by(OutboxMessage.run_after, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            db.rollback()
            return []
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                state="sending",
                locked_by=worker_id,
                locked_at=now,
                attempts=OutboxMessage.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        rows = db.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.from_address,
                OutboxMessage.to_address,
                OutboxMessage.raw,
                OutboxMessage.attempts,
                OutboxMessage.max_attempts,
            )
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        ).all()
        db.commit()
    return [_Claimed(*row) for row in rows]


def _mark(db: Session, message_id: int, worker_id: str, **values: Any) -> bool:
    """Write the end of one attempt and commit, if this sender still holds the message; False when it lost
    it. One committed transaction per message: a message marked sent is never sent again.

    On PostgreSQL this commit does not wait for the disk (``synchronous_commit = off``, this transaction
    only): the database server crashing within a fraction of a second after it could forget the mark, and the
    message would be sent a second time; it can never lose a message. A sender that dies has no such window
    beyond the one message it was sending."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit = off"))
    result = db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.locked_by == worker_id,
            OutboxMessage.state == "sending",
        )
        .values(locked_by=None, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    changed = cast(CursorResult, result).rowcount
    db.commit()
    if changed != 1:
        logger.warning("outbox message %s: no longer held by %s", message_id, worker_id)
    return changed == 1


def connect(config: Any) -> smtplib.SMTP:
    """An SMTP connection as the settings say (``MAIL_SECURITY``: none, starttls, tls), logged in if asked."""
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT_SECONDS"])
    security = config["MAIL_SECURITY"]
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            smtp.starttls(context=context)
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _send_one(smtp: smtplib.SMTP, message: _Claimed) -> str:
    """Hand one message to the server; its answer. Raises ``_Temporary`` or ``_Permanent``."""
    try:
        refused = smtp.sendmail(message.from_address, [message.to_address], message.raw.encode("ascii"))
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise (_Permanent if code >= 500 else _Temporary)(_answer(code, text)) from None
    except smtplib.SMTPResponseException as error:
        raise (_Permanent if error.smtp_code >= 500 else _Temporary)(
            _answer(error.smtp_code, error.smtp_error)
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        raise _Temporary(f"{error.__class__.__name__}: {error}") from None
    if refused:
        code, text = next(iter(refused.values()))
        raise (_Permanent if code >= 500 else _Temporary)(_answer(code, text))
    return "250 accepted"


def _retry_in(config: Any, attempts: int) -> float:
    base = float(config["MAIL_RETRY_SECONDS"])
    return min(base * 2 ** max(attempts - 1, 0), float(config["MAIL_RETRY_MAX_SECONDS"]))


def _temporary(
    app: Flask, db: Session, message: _Claimed, worker_id: str, error: str, report: SendReport
) -> None:
    if message.attempts >= message.max_attempts:
        logger.warning("outbox message %s: failed after %s attempts: %s", message.id, message.attempts, error)
        if _mark(db, message.id, worker_id, state="failed", last_error=error[:4000]):
            report.failed += 1
        return
    later = utcnow() + timedelta(seconds=_retry_in(app.config, message.attempts))
    logger.info(
        "outbox message %s: attempt %s failed (%s); again after %s",
        message.id,
        message.attempts,
        error,
        later,
    )
    if _mark(db, message.id, worker_id, state="queued", run_after=later, last_error=error[:4000]):
        report.retried += 1


def send_due(
    app: Flask, worker_id: str | None = None, *, stop: threading.Event | None = None, batch: int | None = None
) -> SendReport:
    """Send every message due when it starts, batch after batch, each tried once at most (until ``stop`` is
    set). With no
    ``MAIL_SERVER`` nothing is sent: mail stays in the outbox."""
    report = SendReport()
    if not app.config["MAIL_SERVER"]:
        return report
    worker_id = worker_id or new_worker_id()
    batch = batch or int(app.config["MAIL_BATCH_SIZE"])
    # What was due when the run began: a message that failed in this run waits for the next one.
    started = utcnow()
    while not (stop is not None and stop.is_set()):
        claimed = claim(app, worker_id, batch, started)
        if not claimed:
            break
        _send_batch(app, claimed, worker_id, report)
    return report


def _send_batch(app: Flask, claimed: list[_Claimed], worker_id: str, report: SendReport) -> None:
    # One session (one pooled connection) writes every message's end, each in its own commit.
    with app.extensions["db_sessionmaker"]() as db:
        smtp: smtplib.SMTP | None = None
        try:
            for index, message in enumerate(claimed):
                if smtp is None:
                    try:
                        smtp = connect(app.config)
                    except (smtplib.SMTPException, OSError) as error:
                        # The server cannot be reached: every message of the batch waits for the next attempt.
                        answer = f"{error.__class__.__name__}: {error}"
                        for waiting in claimed[index:]:
                            _temporary(app, db, waiting, worker_id, answer, report)
                        return
                try:
                    answer = _send_one(smtp, message)
                except _Permanent as refused:
                    logger.warning("outbox message %s: refused: %s", message.id, refused)
                    if _mark(db, message.id, worker_id, state="failed", last_error=str(refused)[:4000]):
                        report.failed += 1
                except _Temporary as error:
                    _temporary(app, db, message, worker_id, str(error), report)
                    _close(smtp)
                    smtp = None  # a fresh connection for the next one
                else:
                    if _mark(db, message.id, worker_id, state="sent", sent_at=utcnow(), last_error=answer):
                        report.sent += 1
        finally:
            _close(smtp)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def poll(app: Flask, worker_id: str, stop: threading.Event | None = None) -> int:
    """The worker's turn at the outbox: what it sent, retried or failed."""
    return send_due(app, worker_id, stop=stop).total


POLLERS = [poll]
