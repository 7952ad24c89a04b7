"""Sign in, sign out, change one's password."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk.auth import operations
from helpdesk.auth.forms import LoginForm, PasswordChangeForm
from helpdesk.auth.login import SESSION_TOKEN_KEY, passwords
from helpdesk.db import get_session

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login would help phishing. A control character would break
    the Location header (a 500), a backslash reads as a slash to browsers (``/\\evil``): home instead."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        cfg = current_app.config
        result = operations.authenticate(
            db,
            passwords(),
            form.email.data,
            form.password.data,
            max_failures=cfg["LOGIN_MAX_FAILURES"],
            window=timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"]),
            remote_addr=request.remote_addr or "",
        )
        if result.user is None:
            db.commit()
            if result.throttled:
                flash(_("Too many attempts. Wait a few minutes and try again."), "error")
                status = 429
            else:
                flash(_("Wrong e-mail address or password."), "error")
                status = 401
        else:
            token = operations.start_session(db, result.user)
            db.commit()
            # A fresh session at login: nothing from before survives (session fixation).
            session.clear()
            session[SESSION_TOKEN_KEY] = token
            if result.user.locale:
                session["locale"] = result.user.locale
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    db = get_session()
    operations.end_session(db, session.get(SESSION_TOKEN_KEY))
    db.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        db = get_session()
        if not passwords().verify(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            operations.change_password(db, passwords(), current_user, form.new_password.data)
            token = operations.start_session(db, current_user)
            db.commit()
            session[SESSION_TOKEN_KEY] = token
            flash(_("Your password is changed. Your other sessions are closed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
