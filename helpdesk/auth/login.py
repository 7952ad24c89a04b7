"""Flask-Login wiring: a user comes from a live server-side session or from an API bearer token.

A request that carries an ``Authorization`` header is authenticated by that header alone: a cookie sent
along is ignored (so a bad token never falls back to the browser's session, nor skips its CSRF check).
Signing in (``sign_in``) keeps the slow password check out of any database transaction.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager

from helpdesk.auth import operations, throttle
from helpdesk.auth.models import User
from helpdesk.auth.passwords import Passwords
from helpdesk.db import get_session

login_manager = LoginManager()
SESSION_TOKEN_KEY = "sid"


def passwords() -> Passwords:
    return current_app.extensions["passwords"]


class LoginGate:
    """How many sign-ins of this process check a password at once (``checks``); up to ``waiting`` more wait
    ``timeout`` seconds for their turn, the others are turned away at once. A storm of logins then holds
    neither every thread of the worker nor every CPU: the other pages keep being served."""

    def __init__(self, checks: int, waiting: int, timeout: float) -> None:
        self._slots = threading.BoundedSemaphore(max(1, checks))
        self._lock = threading.Lock()
        self._waiting = 0
        self.max_waiting, self.timeout = waiting, timeout

    def enter(self) -> bool:
        if self._slots.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.max_waiting:
                return False
            self._waiting += 1
        try:
            return self._slots.acquire(timeout=self.timeout)
        finally:
            with self._lock:
                self._waiting -= 1

    def leave(self) -> None:
        self._slots.release()


def init_app(app: Flask) -> None:
    app.extensions["passwords"] = Passwords(
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_COST"],
        app.config["ARGON2_PARALLELISM"],
        threads=app.config["LOGIN_CHECKS_PER_PROCESS"],
        niceness=app.config["PASSWORD_HASHING_NICENESS"],
    )
    app.extensions["login_gate"] = LoginGate(
        app.config["LOGIN_CHECKS_PER_PROCESS"],
        app.config["LOGIN_QUEUE_LENGTH"],
        app.config["LOGIN_QUEUE_SECONDS"],
    )
    login_manager.init_app(app)
    login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if "Authorization" in request.headers:
        return None  # the header decides alone (see _load_user_from_token); the cookie session stays as is
    cfg = current_app.config
    user = operations.load_session_user(
        get_session(),
        session.get(SESSION_TOKEN_KEY),
        idle=timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
        max_age=timedelta(hours=cfg["SESSION_MAX_HOURS"]),
    )
    _commit_touch()  # the touch, or the revocation of an expired session
    if user is None or str(user.id) != user_id:
        session.clear()
        return None
    return user


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    user = operations.user_for_api_token(
        get_session(), header[len("Bearer ") :].strip(), days=current_app.config["API_TOKEN_DAYS"]
    )
    _commit_touch()
    return user


def login_throttle() -> throttle.Throttle:
    cfg = current_app.config
    return throttle.Throttle(
        max_failures=cfg["LOGIN_MAX_FAILURES"],
        window=timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"]),
        address_slow_after=cfg["LOGIN_ADDRESS_SLOW_AFTER"],
        address_max_failures=cfg["LOGIN_ADDRESS_MAX_FAILURES"],
    )


def sign_in(email: str, password: str, remote_addr: str) -> throttle.LoginResult:
    """Check a password against the throttle, in three steps so that no lock is held while hashing:
    a short write that counts the attempt (committed), the Argon2 check with no transaction open, a short
    write that records the outcome (committed). The view then opens the session.

    The answer never tells whether the account exists: unknown addresses are throttled and hashed alike.
    """
    gate: LoginGate = current_app.extensions["login_gate"]
    if not gate.enter():
        # Busy checking other sign-ins: turned away before any work, to be tried again in a moment.
        return throttle.LoginResult(None, throttled=True, retry_after=5)
    try:
        db = get_session()
        attempt = throttle.reserve_login_attempt(db, email, remote_addr, login_throttle())
        db.commit()
        if attempt.retry_after:
            return throttle.LoginResult(None, throttled=True, retry_after=attempt.retry_after)
        hasher = passwords()
        ok = hasher.verify(attempt.password_hash, password)
        new_hash = hasher.hash(password) if ok and hasher.needs_rehash(attempt.password_hash or "") else None
        result = throttle.finish_login_attempt(
            db, attempt, password_ok=ok, new_hash=new_hash, remote_addr=remote_addr
        )
        db.commit()
        return result
    finally:
        gate.leave()


def end_read_transaction() -> None:
    """Before slow work (hashing) in a view: close the transaction opened by reading, so that on SQLite
    (BEGIN IMMEDIATE) no write lock is held meanwhile. Nothing may be pending."""
    db = get_session()
    if db.new or db.dirty or db.deleted:
        raise RuntimeError("end_read_transaction() with changes pending")
    db.commit()


def _commit_touch() -> None:
    db = get_session()
    if db.dirty:
        db.commit()


@login_manager.unauthorized_handler
def _unauthorized():
    if (request.blueprint or "").startswith("api_") or request.path.startswith("/api/"):
        return jsonify({"error": _("Authentication required."), "fields": {}}), 401
    flash(_("Please sign in to continue."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
