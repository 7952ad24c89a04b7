"""Accounts and sessions: create users, check passwords with a throttle, open and end sessions, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from directory_import.territory import TERRITORIES
from helpdesk.audit import record_audit
from helpdesk.auth.models import ROLES, ApiToken, LoginFailure, User, UserSession
from helpdesk.auth.passwords import MIN_PASSWORD_LENGTH, Passwords


class AccountError(ValueError):
    """A user-facing problem with account data; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes even for timezone-aware columns; they were stored as UTC."""
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    session: Session,
    passwords: Passwords,
    *,
    email: str,
    password: str,
    role: str,
    territory: str,
    name: str = "",
    locale: str | None = None,
) -> User:
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("invalid_email", "email")
    if role not in ROLES:
        raise AccountError("invalid_role", "role")
    if territory not in TERRITORIES:
        raise AccountError("invalid_territory", "territory")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", "password")
    if get_user_by_email(session, email) is not None:
        raise AccountError("email_taken", "email")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        territory=territory,
        locale=locale,
        password_hash=passwords.hash(password),
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False


def recent_failures(session: Session, email: str, window: timedelta) -> int:
    since = utcnow() - window
    return session.scalar(
        select(func.count(LoginFailure.id)).where(LoginFailure.email == email, LoginFailure.at >= since)
    ) or 0


def authenticate(
    session: Session,
    passwords: Passwords,
    email: str,
    password: str,
    *,
    max_failures: int,
    window: timedelta,
    remote_addr: str = "",
) -> LoginResult:
    """Check a password. Refuses after ``max_failures`` failures in ``window`` for that address.

    The answer never tells whether the account exists: unknown addresses are throttled and hashed alike.
    """
    email = normalize_email(email)[:254]
    _serialise_attempts(session, email)
    if recent_failures(session, email, window) >= max_failures:
        session.add(LoginFailure(email=email, remote_addr=remote_addr))
        record_audit(session, "login.throttled", user_id=None, details={"email_hash": _token_hash(email)[:16]},
                     remote_addr=remote_addr)
        return LoginResult(None, throttled=True)
    user = get_user_by_email(session, email)
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        session.add(LoginFailure(email=email, remote_addr=remote_addr))
        record_audit(session, "login.failed", user_id=user.id if user else None,
                     details={"email_hash": _token_hash(email)[:16]}, remote_addr=remote_addr)
        return LoginResult(None)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = utcnow()
    record_audit(session, "login.success", user_id=user.id, remote_addr=remote_addr)
    return LoginResult(user)


def _serialise_attempts(session: Session, email: str) -> None:
    """One attempt at a time per address until the caller commits, whatever the number of workers.

    Without it, concurrent attempts on PostgreSQL all count the same failures and all get checked.
    SQLite needs nothing: its transactions start with BEGIN IMMEDIATE and are serialised already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:email, 0))"), {"email": email})


def start_session(session: Session, user: User) -> str:
    """Open a server-side session for ``user``; returns the token to keep in the signed cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id))
    session.flush()
    return token


def load_session_user(
    session: Session, token: str | None, *, idle: timedelta, max_age: timedelta
) -> User | None:
    """The active user of a session token, or None when the session ended, expired or the user is inactive."""
    if not token:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if now - as_utc(row.last_seen_at) > idle or now - as_utc(row.created_at) > max_age:
        row.revoked_at = now
        return None
    user = row.user
    if not user.active:
        return None
    # Touch at most once a minute: one write per request would be wasteful.
    if now - as_utc(row.last_seen_at) > timedelta(minutes=1):
        row.last_seen_at = now
    return user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_user_sessions(session: Session, user: User) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(session: Session, passwords: Passwords, user: User, new_password: str) -> None:
    """Set a new password and end every session of the user (the caller opens a fresh one if needed)."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", "password")
    user.password_hash = passwords.hash(new_password)
    user.password_changed_at = utcnow()
    revoke_user_sessions(session, user)


def set_user_active(session: Session, user: User, active: bool) -> None:
    user.active = active
    if not active:
        revoke_user_sessions(session, user)
        session.execute(
            update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def update_user(session: Session, user: User, *, name: str, role: str, territory: str, locale: str | None) -> None:
    if role not in ROLES:
        raise AccountError("invalid_role", "role")
    if territory not in TERRITORIES:
        raise AccountError("invalid_territory", "territory")
    changed_scope = (user.role, user.territory) != (role, territory)
    user.name, user.role, user.territory, user.locale = name.strip(), role, territory, locale
    if changed_scope:
        # What a session may see changed: make the user sign in again.
        revoke_user_sessions(session, user)


def create_api_token(session: Session, user: User, label: str = "") -> str:
    """A new bearer token for ``user``; the clear token is returned once and never stored."""
    token = "hd_" + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=_token_hash(token), user_id=user.id, label=label))
    session.flush()
    return token


def user_for_api_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - as_utc(row.last_used_at) > timedelta(minutes=1):
        row.last_used_at = now
    return row.user
