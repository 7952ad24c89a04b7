"""Flask-Login wiring: a user comes from a live server-side session or from an API bearer token."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager

from helpdesk.auth import operations
from helpdesk.auth.models import User
from helpdesk.auth.passwords import Passwords
from helpdesk.db import get_session

login_manager = LoginManager()
SESSION_TOKEN_KEY = "sid"


def passwords() -> Passwords:
    return current_app.extensions["passwords"]


def init_app(app: Flask) -> None:
    app.extensions["passwords"] = Passwords(
        app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"], app.config["ARGON2_PARALLELISM"]
    )
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(seconds=0))
    login_manager.init_app(app)
    login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
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
    user = operations.user_for_api_token(get_session(), header[len("Bearer "):].strip())
    _commit_touch()
    return user


def _commit_touch() -> None:
    db = get_session()
    if db.dirty:
        db.commit()


@login_manager.unauthorized_handler
def _unauthorized():
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return jsonify({"error": _("Authentication required."), "fields": {}}), 401
    flash(_("Please sign in to continue."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
