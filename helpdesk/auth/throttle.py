"""Signing in, with a throttle per (account, address) and per address: an attempt is reserved before the
password is checked (outside any write transaction) and finished after, failures counted in the database so
that every process and machine sees them."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.audit import record_audit
from helpdesk.auth.models import LoginFailure, User
from helpdesk.auth.operations import get_user_by_email, normalize_email, token_hash


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
            details={"email_hash": token_hash(email)[:16]},
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
    details = {"email_hash": token_hash(attempt.email)[:16]}
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
