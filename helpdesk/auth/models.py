"""Accounts, their server-side sessions, API tokens, one-time password links and failed login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_import.models import Base, utcnow
from helpdesk.vocabularies import Role

ROLES: tuple[str, ...] = tuple(r.value for r in Role)


class User(Base):
    """A person who signs in: one territory (a basin or the region), one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.OPERATOR.value)
    territory: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    password_changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # An account that can read requests opens only once a coordinator of its territory confirmed it
    # (after its creation on the admin page, an admin's password reset or a move to another territory).
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    sessions: Mapped[list[UserSession]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Flask-Login protocol. ``is_active`` is what Flask-Login checks before it logs a user in.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active and not self.awaits_confirmation

    @property
    def reads_requests(self) -> bool:
        return self.role in (Role.OPERATOR, Role.COORDINATOR)

    @property
    def awaits_confirmation(self) -> bool:
        return self.reads_requests and self.confirmed_at is None

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}@{self.territory}>"


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored.

    Revoking the row ends the session for real, even for a copy of the cookie.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id} revoked={self.revoked_at is not None}>"


class LoginFailure(Base):
    """A sign-in attempt counted against an e-mail address and a client address, across all worker processes.

    A row is written before the password is checked (so concurrent attempts are all counted) and removed
    when the password was right. ``remote_addr`` holds the client's address (an IPv6 address as its /64).
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_remote_addr_at", "remote_addr", "at"),
        Index("ix_login_failures_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")

    def __repr__(self) -> str:
        return f"<LoginFailure {self.email} {self.at}>"


class ApiToken(Base):
    """A bearer token for the JSON API, acting as its owner; only the hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    # None only for tokens made before tokens expired: they count from ``created_at``.
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"


class PasswordLink(Base):
    """A one-time link through which a person chooses their password; only the token's hash is stored."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20), default="reset")  # "invite" or "reset"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordLink {self.id} user={self.user_id} {self.purpose} used={self.used_at is not None}>"
