"""The notification tables: one row per thing a user (or a territory's shared address) is told, each made
once (a unique ``key``), its users' choices, and the digests sent (one per user and day)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_import.models import Base, utcnow
from helpdesk.followup.models import HelpRequest

NOTIFICATION_KINDS = ("transfer", "callback", "unassigned", "proposal")
NOTIFICATION_MODES = ("off", "immediate", "digest")
# How a notification's mail stands: none (in-app only), pending (to send now), digest (waits for the
# day's digest), queued (in the outbox, alone or in a digest).
MAIL_STATES = ("none", "pending", "digest", "queued")


class _OneUsersRow:
    """The columns every row kept for one user opens with: its id and its user (deleted with the user).
    First in the table, as the migrations made them (``sort_order``: a mixin's columns come last else)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), sort_order=-1)


class Notification(Base):
    """One thing one user is told about one request (or one of their proposals on the directory). ``key``
    makes it once: ``<user>:<kind>:<cause>`` (the transfer's id, the callback's id and local day, the
    request's id, the proposal's id). A row with no ``user_id`` is the
    mail to a territory's shared address (``to_address``)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(320), default="")
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    # A proposal on the directory the user made, accepted or refused (kind ``proposal``).
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    detail: Mapped[str] = mapped_column(
        String(20), default=""
    )  # share or transfer, overdue or today, urgency
    territory: Mapped[str] = mapped_column(String(20), default="")  # the territory concerned
    mail_state: Mapped[str] = mapped_column(String(20), default="none", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]

    request: Mapped[HelpRequest | None] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id} {self.mail_state}>"


class NotificationPreference(_OneUsersRow, Base):
    """A user's choice for one kind (``off``, ``immediate``, ``digest``); no row: ``NOTIFY_DEFAULTS``."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<NotificationPreference user={self.user_id} {self.kind}={self.mode}>"


class NotificationDigest(_OneUsersRow, Base):
    """The digest of one user for one local day (``day``: ISO date): its row is what makes it once."""

    __tablename__ = "notification_digests"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    day: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<NotificationDigest user={self.user_id} {self.day} ({self.count})>"
