"""Queueing mail: a message rendered from its templates in the reader's language, checked, built and added to
the outbox in the caller's transaction (flush, never commit): a change rolled back sends nothing."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.mail.messages import build_message, check_address
from helpdesk.mail.models import OutboxMessage, TerritoryAddress


def mail_configured() -> bool:
    """Whether a mail server is set: without one, mail stays in the outbox (read it on the admin page)."""
    return bool(current_app.config["MAIL_SERVER"])


class NotRetryable(Exception):
    """Only a queued or failed message can be sent again (not one being sent, nor one sent)."""


def retry_message(db: Session, message: OutboxMessage) -> None:
    """Send ``message`` again at the worker's next turn, with a fresh set of attempts; flushes."""
    if message.state not in ("queued", "failed"):
        raise NotRetryable(message.state)
    message.state, message.run_after, message.attempts = "queued", utcnow(), 0
    message.locked_by = None
    db.flush()


def territory_addresses(db: Session) -> dict[str, str]:
    """Each territory's shared address: the one set by admins, else ``TERRITORY_REPLY_TO``'s."""
    addresses = {str(k): str(v) for k, v in (current_app.config["TERRITORY_REPLY_TO"] or {}).items() if v}
    addresses.update(dict(db.execute(select(TerritoryAddress.territory, TerritoryAddress.address)).all()))
    return addresses


def set_territory_address(db: Session, territory: str, address: str, user_id: int | None) -> None:
    """Set (or, with an empty ``address``, remove) a territory's shared address; flushes. Raises
    ``MailError`` for an address that is not one."""
    row = db.scalar(select(TerritoryAddress).where(TerritoryAddress.territory == territory))
    address = address.strip()
    if not address:
        if row is not None:
            db.delete(row)
        db.flush()
        return
    address = check_address(address, "reply_to")
    if row is None:
        db.add(TerritoryAddress(territory=territory, address=address, updated_by_id=user_id))
    else:
        row.address, row.updated_by_id = address, user_id
    db.flush()


def render_mail(template: str, language: str, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies of ``templates/mail/<template>.txt|.html`` in ``language``."""
    with force_locale(language):
        text = render_template(f"mail/{template}.txt", language=language, **context)
        html = render_template(f"mail/{template}.html", language=language, **context)
    return text, html


def queue_mail(
    db: Session,
    *,
    kind: str,
    to: str,
    to_name: str = "",
    subject: str,
    text: str,
    html: str,
    language: str,
    reply_to: str = "",
    request_id: int | None = None,
    created_by_id: int | None = None,
) -> OutboxMessage:
    """Build the message and add it to the outbox; flushes. Raises ``MailError`` (bad address, CR/LF)."""
    config = current_app.config
    built = build_message(
        sender=config["MAIL_FROM"],
        sender_name=config["MAIL_FROM_NAME"],
        to=to,
        to_name=to_name,
        reply_to=reply_to,
        subject=subject,
        text=text,
        html=html,
        language=language,
    )
    message = OutboxMessage(
        message_id=built.message_id,
        kind=kind,
        state="queued",
        language=language,
        from_address=built.from_address,
        to_address=built.to_address,
        subject=built.subject[:500],
        raw=built.raw,
        attempts=0,
        max_attempts=int(config["MAIL_MAX_ATTEMPTS"]),
        run_after=utcnow(),
        last_error="",
        request_id=request_id,
        created_by_id=created_by_id,
    )
    db.add(message)
    db.flush()
    return message
