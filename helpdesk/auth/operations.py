"""Accounts and sessions: create users, check passwords with a throttle, open and end sessions, API tokens,
one-time password links and the confirmation of accounts by a coordinator."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, func, select, text, update
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from directory_import.normalize import email_address
from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.audit import AuditEvent, record_audit
from helpdesk.auth.models import ROLES, ApiToken, LoginFailure, PasswordLink, User, UserSession
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


def _token_hash(token: str) -> str:
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


# --- Signing in, with a throttle per (account, address) and per address ------------------------------------


@dataclass(frozen=True)
class Throttle:
    """Limits of sign-in attempts, counted over ``window`` in the database (so across every worker).

    - ``max_failures`` failures for one account from one address stop that address for that account; the
      owner signing in from elsewhere is not concerned.
    - an address with ``address_slow_after`` failures (whatever the accounts) must wait between attempts,
      twice as long after each further failure (up to ``max_delay``); with ``address_max_failures`` it is
      stopped until its failures leave the window.
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    address_slow_after: int = 10
    address_max_failures: int = 30
    max_delay: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class LoginAttempt:
    """What ``reserve_login_attempt`` found: a refusal (``retry_after`` seconds) or a counted attempt."""

    email: str
    address: str
    retry_after: int = 0
    attempt_id: int | None = None
    user_id: int | None = None
    password_hash: str | None = None


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False
    retry_after: int = 0
    pending: bool = False  # right password, but the account waits for a coordinator's confirmation


def address_key(remote_addr: str) -> str:
    """The address a throttle counts: IPv4 as is, IPv6 as its /64 (one subscriber holds a whole /64)."""
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return (remote_addr or "")[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def reserve_login_attempt(session: Session, email: str, remote_addr: str, throttle: Throttle) -> LoginAttempt:
    """Count one sign-in attempt before its password is checked, or refuse it (``retry_after`` > 0).

    The attempt is written as a failure now, in a short transaction of its own (the caller commits), and
    removed by ``finish_login_attempt`` if the password was right: concurrent attempts, in any number of
    workers, are all counted, and the slow password check happens outside any transaction.
    Failures older than the window are pruned here.
    """
    email = normalize_email(email)[:254]
    key = address_key(remote_addr)
    _serialise_attempts(session, key)
    now = utcnow()
    since = now - throttle.window
    session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    pair = session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.remote_addr == key, LoginFailure.at >= since
        )
    ).one()
    by_address = session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at), func.max(LoginFailure.at)).where(
            LoginFailure.remote_addr == key, LoginFailure.at >= since
        )
    ).one()
    retry_after = 0
    if pair[0] >= throttle.max_failures:
        retry_after = _seconds_until(pair[1] + throttle.window, now)
    elif by_address[0] >= throttle.address_max_failures:
        retry_after = _seconds_until(by_address[1] + throttle.window, now)
    elif by_address[0] >= throttle.address_slow_after:
        excess = by_address[0] - throttle.address_slow_after
        delay = min(throttle.max_delay, timedelta(seconds=2 ** min(excess, 16)))
        if now < by_address[2] + delay:
            retry_after = _seconds_until(by_address[2] + delay, now)
    if retry_after:
        record_audit(
            session,
            "login.throttled",
            user_id=None,
            details={"email_hash": _token_hash(email)[:16]},
            remote_addr=remote_addr,
        )
        return LoginAttempt(email, key, retry_after=retry_after)
    user = get_user_by_email(session, email)
    row = LoginFailure(email=email, remote_addr=key, at=now)
    session.add(row)
    session.flush()
    return LoginAttempt(
        email,
        key,
        attempt_id=row.id,
        user_id=user.id if user else None,
        password_hash=user.password_hash if user else None,
    )


def finish_login_attempt(
    session: Session,
    attempt: LoginAttempt,
    *,
    password_ok: bool,
    new_hash: str | None = None,
    remote_addr: str = "",
) -> LoginResult:
    """Record the outcome of a checked attempt (the caller commits). ``new_hash``: the password rehashed
    at today's cost, computed by the caller before this short write."""
    user = session.get(User, attempt.user_id, populate_existing=True) if attempt.user_id else None
    # The account may have changed while its password was being checked: judge on what it is now.
    ok = password_ok and user is not None and user.active and user.password_hash == attempt.password_hash
    details = {"email_hash": _token_hash(attempt.email)[:16]}
    if not ok or user is None:
        record_audit(
            session,
            "login.failed",
            user_id=user.id if user else None,
            details=details,
            remote_addr=remote_addr,
        )
        return LoginResult(None)
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == attempt.email, LoginFailure.remote_addr == attempt.address
        )
    )
    if user.awaits_confirmation:
        record_audit(session, "login.pending", user_id=user.id, remote_addr=remote_addr)
        return LoginResult(None, pending=True)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    record_audit(session, "login.success", user_id=user.id, remote_addr=remote_addr)
    return LoginResult(user)


def _serialise_attempts(session: Session, key: str) -> None:
    """One attempt at a time per client address until the caller commits, whatever the number of workers.

    Without it, concurrent attempts on PostgreSQL all count the same failures and all get checked.
    SQLite needs nothing: its transactions start with BEGIN IMMEDIATE and are serialised already.
    The lock lasts the short counting transaction only, never the password check.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": "login:" + key}
        )


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
            .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
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
            token_hash=_token_hash(token),
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
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
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
            token_hash=_token_hash(token),
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
    link = session.scalar(select(PasswordLink).where(PasswordLink.token_hash == _token_hash(token)))
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
