"""The ``outbox_messages`` table: every e-mail the helpdesk sends, queued in the transaction of its cause."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory_import.models import Base, utcnow

OUTBOX_STATES = ("queued", "sending", "sent", "failed")


class OutboxMessage(Base):
    """One message, stored whole (``raw``: the MIME text as it is sent). A sender claims it by setting
    ``state='sending'`` with ``locked_by``/``locked_at``; it is then ``sent`` (once), queued again for a later
    attempt (``run_after``, ``last_error``: the server's answer), or ``failed`` for good."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_state_run_after", "state", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    language: Mapped[str] = mapped_column(String(5), default="")
    from_address: Mapped[str] = mapped_column(String(320))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500), default="")
    raw: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(200))
    locked_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.state} to={self.to_address}>"


class TerritoryAddress(Base):
    """A territory's shared address, set by admins (Administration → Territory addresses): the Reply-To of
    mail sent on its behalf and where notifications of transfers to it go. None for a territory: the
    ``TERRITORY_REPLY_TO`` setting's, if any."""

    __tablename__ = "territory_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory: Mapped[str] = mapped_column(String(20), unique=True)
    address: Mapped[str] = mapped_column(String(320))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<TerritoryAddress {self.territory}>"
