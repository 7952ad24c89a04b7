"""Accounts and sessions: create users, open and end sessions, API tokens, one-time password links and the
confirmation of accounts by a coordinator. Signing in, with its throttle, is ``helpdesk.auth.throttle``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, func, select, update
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from directory_import.normalize import email_address
from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.audit import AuditEvent, record_audit
from helpdesk.auth.models import ROLES, ApiToken, PasswordLink, User, UserSession
from helpdesk.auth.password_policy import password_problem
from helpdesk.auth.passwords import Passwords
from helpdesk.vocabularies import Role
from helpdesk.vocabularies.account_events import AccountEvent

REQUEST_ROLES = (Role.OPERATOR.value, Role.COORDINATOR.value)
API_TOKEN_DAYS = 90
PASSWORD_LINK_HOURS = 24
LAST_USED_RESOLUTION = timedelta(minutes=1)


class AccountError(ValueError):
    """A user-facing problem with account data; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    session: Session,
    passwords: Passwords,
    *,
    email: str,
    password: str | None,
    role: str,
    territory: str,
    name: str = "",
    locale: str | None = None,
    confirmed: bool = True,
) -> User:
    """A new account. With ``password`` (the server's command line) it is usable at once; without, it has no
    password until its owner chooses one through a link (see ``issue_password_link``), and an account that
    reads requests created with ``confirmed=False`` waits for a coordinator's confirmation.

    The password is checked and hashed before anything is read, so no lock is held while hashing.
    """
    checked = email_address(email or "")
    if checked is None:
        raise AccountError("invalid_email", "email")
    email = checked
    if role not in ROLES:
        raise AccountError("invalid_role", "role")
    if territory not in TERRITORIES:
        raise AccountError("invalid_territory", "territory")
    password_hash = ""
    if password is not None:
        problem = password_problem(password, email)
        if problem:
            raise AccountError(problem, "password")
        password_hash = passwords.hash(password)
    if get_user_by_email(session, email) is not None:
        raise AccountError("email_taken", "email")
    now = utcnow()
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        territory=territory,
        locale=locale,
        password_hash=password_hash,
        password_changed_at=now if password_hash else None,
        confirmed_at=now if confirmed or role not in REQUEST_ROLES else None,
    )
    session.add(user)
    session.flush()
    return user


def start_session(session: Session, user: User) -> str:
    """Open a server-side session for ``user``; returns the token to keep in the signed cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id))
    session.flush()
    return token


def load_session_user(
    session: Session, token: str | None, *, idle: timedelta, max_age: timedelta
) -> User | None:
    """The active user of a session token, or None when the session ended, expired or the user is inactive."""
    if not token:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle or now - row.created_at > max_age:
        row.revoked_at = now
        return None
    user = row.user
    if not user.is_active:
        return None
    # Touch at most once a minute: one write per request would be wasteful.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_user_sessions(session: Session, user: User) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_user_tokens(session: Session, user: User) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def check_new_password(passwords: Passwords, user: User, new_password: str) -> str:
    """Apply the password rules to a password ``user`` wants, and hash it; raises ``AccountError``.

    Slow (two Argon2 computations): call it before opening the write transaction that stores the hash.
    """
    problem = password_problem(new_password, user.email)
    if problem:
        raise AccountError(problem, "password")
    if passwords.verify(unlocked_hash(user.password_hash), new_password):
        raise AccountError("password_same_as_before", "password")
    return passwords.hash(new_password)


def change_password(session: Session, user: User, new_hash: str) -> None:
    """Store a new password hash (from ``check_new_password``) and end every session and API token of the
    user (the caller opens a fresh session if the user stays signed in)."""
    user.password_hash = new_hash
    user.password_changed_at = utcnow()
    revoke_user_sessions(session, user)
    revoke_user_tokens(session, user)


LOCKED_PREFIX = "!"


def unlocked_hash(stored_hash: str) -> str:
    """The hash a locked password had (to refuse setting it again); a locked hash never verifies."""
    return stored_hash[len(LOCKED_PREFIX) :] if stored_hash.startswith(LOCKED_PREFIX) else stored_hash


def reset_password(session: Session, user: User, *, by: User | None) -> None:
    """An administrator's reset: the password stops working, every session and token ends, and an account
    that reads requests waits again for a coordinator's confirmation. The owner chooses a new password
    through a link (``issue_password_link``)."""
    if user.password_hash and not user.password_hash.startswith(LOCKED_PREFIX):
        user.password_hash = LOCKED_PREFIX + user.password_hash
    revoke_user_sessions(session, user)
    revoke_user_tokens(session, user)
    if by is not None and user.reads_requests:
        user.confirmed_at = None
        user.confirmed_by_id = None


def set_user_active(session: Session, user: User, active: bool) -> None:
    user.active = active
    if not active:
        revoke_user_sessions(session, user)
        revoke_user_tokens(session, user)


def update_user(
    session: Session, user: User, *, name: str, role: str, territory: str, locale: str | None
) -> None:
    if role not in ROLES:
        raise AccountError("invalid_role", "role")
    if territory not in TERRITORIES:
        raise AccountError("invalid_territory", "territory")
    changed_scope = (user.role, user.territory) != (role, territory)
    user.name, user.role, user.territory, user.locale = name.strip(), role, territory, locale
    if changed_scope:
        # What a session may see changed: make the user sign in again, and have a coordinator of the new
        # territory confirm an account that now reads its requests.
        revoke_user_sessions(session, user)
        revoke_user_tokens(session, user)
        if user.reads_requests:
            user.confirmed_at = None
            user.confirmed_by_id = None


def create_api_token(session: Session, user: User, label: str = "", *, days: int = API_TOKEN_DAYS) -> str:
    """A new bearer token for ``user``, valid ``days`` days; the clear token is returned once, never stored."""
    token = "hd_" + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ApiToken(
            token_hash=token_hash(token),
            user_id=user.id,
            label=label[:200],
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return token


def token_expiry(token: ApiToken, days: int = API_TOKEN_DAYS) -> datetime:
    return token.expires_at if token.expires_at else token.created_at + timedelta(days=days)


def user_for_api_token(session: Session, token: str, *, days: int = API_TOKEN_DAYS) -> User | None:
    """The owner of a live token (not revoked, not expired, owner active), or None.

    ``last_used_at`` is written at most once a minute per token: under load the API does not write on
    every call.
    """
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if token_expiry(row, days) <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row.user


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """Every token of ``user``, newest first (revoked and expired ones too, for the record)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_api_token(session: Session, token: ApiToken) -> bool:
    """End one token; False when it had ended already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


# --- One-time links through which a person chooses their password --------------------------------------


def issue_password_link(
    session: Session, user: User, *, purpose: str, hours: int = PASSWORD_LINK_HOURS
) -> str:
    """A new single-use token for ``user`` to choose a password, valid ``hours`` hours; earlier unused links of
    the user stop working. Returns the clear token (only its hash is stored): hand it to ``deliver``."""
    now = utcnow()
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordLink(
            token_hash=token_hash(token),
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def live_password_link(session: Session, token: str) -> PasswordLink | None:
    """The unused, unexpired link of ``token`` whose account is active, or None."""
    if not token or len(token) > 200:
        return None
    link = session.scalar(select(PasswordLink).where(PasswordLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def use_password_link(session: Session, link: PasswordLink, new_hash: str) -> bool:
    """Set the password chosen through ``link`` (hash from ``check_new_password``); False when the link was
    used meanwhile (two submissions at once: only one wins)."""
    claimed = session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        return False
    change_password(session, link.user, new_hash)
    record_audit(
        session,
        "user.password_set",
        user_id=link.user_id,
        object_type="user",
        object_id=link.user_id,
        details={"purpose": link.purpose},
    )
    return True


# --- Confirmation of accounts that read requests, by a coordinator of their territory ----------------------

ACCOUNT_EVENTS = AccountEvent.codes()


def accounts_awaiting_confirmation(session: Session, coordinator: User) -> list[User]:
    if not access.can_confirm_accounts(coordinator):
        return []
    return list(
        session.scalars(
            select(User)
            .where(
                User.territory == coordinator.territory,
                User.confirmed_at.is_(None),
                User.role.in_(REQUEST_ROLES),
                User.active.is_(True),
                User.id != coordinator.id,
            )
            .order_by(User.created_at, User.id)
        )
    )


def account_events(session: Session, coordinator: User, limit: int = 50) -> list[AuditEvent]:
    """The latest creations, resets, password choices and confirmations of the accounts of the territory."""
    if not access.can_confirm_accounts(coordinator):
        return []
    ids = select(func.cast(User.id, String)).where(User.territory == coordinator.territory)
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "user",
                AuditEvent.action.in_(ACCOUNT_EVENTS),
                AuditEvent.object_id.in_(ids),
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def confirm_account(session: Session, coordinator: User, user: User) -> None:
    """``coordinator`` vouches for ``user``, an account of their territory that reads requests."""
    if (
        not access.can_confirm_accounts(coordinator)
        or user.territory != coordinator.territory
        or user.id == coordinator.id
        or not user.awaits_confirmation
    ):
        raise AccountError("cannot_confirm")
    user.confirmed_at = utcnow()
    user.confirmed_by_id = coordinator.id
    record_audit(
        session,
        "user.confirm",
        user_id=coordinator.id,
        object_type="user",
        object_id=user.id,
        details={"role": user.role, "territory": user.territory},
    )
