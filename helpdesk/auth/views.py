"""Sign in, sign out, one's account (password, API tokens), password links, confirmation of accounts."""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from directory_import.models import utcnow
from helpdesk import access
from helpdesk.audit import record_audit
from helpdesk.auth import operations
from helpdesk.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    RevokeForm,
    SetPasswordForm,
)
from helpdesk.auth.login import SESSION_TOKEN_KEY, end_read_transaction, passwords, sign_in
from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.password_policy import strength
from helpdesk.db import get_session
from helpdesk.redirects import safe_next
from helpdesk.vocabularies.account_events import AccountEvent
from helpdesk.vocabularies.errors import account_error_message

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        result = sign_in(form.email.data, form.password.data, request.remote_addr or "")
        if result.throttled:
            minutes = max(1, math.ceil(result.retry_after / 60))
            flash(_("Too many attempts. Try again in %(minutes)s minutes at most.", minutes=minutes), "error")
            status, headers = 429, {"Retry-After": str(result.retry_after)}
        elif result.pending:
            flash(
                _("Your account is not open yet: a coordinator of your territory must first confirm it."),
                "error",
            )
            status = 403
        elif result.user is None:
            flash(_("Wrong e-mail address or password."), "error")
            status = 401
        else:
            db = get_session()
            token = operations.start_session(db, result.user)
            db.commit()
            # A fresh session at login: nothing from before survives (session fixation).
            session.clear()
            session[SESSION_TOKEN_KEY] = token
            if result.user.locale:
                session["locale"] = result.user.locale
            login_user(result.user)
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status, headers


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


def _keep_signed_in_after_password_change(db) -> None:
    token = operations.start_session(db, current_user)
    db.commit()
    session[SESSION_TOKEN_KEY] = token


def _strength_hint(password: str, email: str) -> None:
    if strength(password, email) <= 2:
        flash(
            _(
                "Your password is accepted, but it could be guessed more easily than most: a longer one would "
                "be safer."
            ),
            "info",
        )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        db = get_session()
        end_read_transaction()  # no lock held while hashing
        if not passwords().verify(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            try:
                new_hash = operations.check_new_password(passwords(), current_user, form.new_password.data)
            except operations.AccountError as error:
                form.new_password.errors.append(account_error_message(str(error)))
            else:
                user = db.get(User, current_user.id)
                operations.change_password(db, user, new_hash)
                record_audit(
                    db,
                    "user.password_change",
                    user_id=user.id,
                    object_type="user",
                    object_id=user.id,
                    remote_addr=request.remote_addr or "",
                )
                _keep_signed_in_after_password_change(db)
                flash(
                    _(
                        "Your password is changed. All your sessions and API tokens are closed, except this "
                        "session."
                    ),
                    "success",
                )
                _strength_hint(form.new_password.data, user.email)
                return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/account")
@login_required
def account():
    from helpdesk.notify.forms import PreferencesForm
    from helpdesk.notify.operations import preferences_of

    db = get_session()
    tokens = operations.user_tokens(db, current_user)
    return render_template(
        "auth/account.html",
        notify_form=PreferencesForm(formdata=None, data=preferences_of(db, current_user.id)),
        tokens=tokens,
        revoke_form=RevokeForm(),
        now=utcnow(),
        token_expiry=token_expiry,
        revoke_url=lambda token: url_for("auth.token_revoke", token_id=token.id),
    )


def token_expiry(token: ApiToken):
    """When ``token`` expires, for the token tables (aware UTC, comparable with ``utcnow()``)."""
    return operations.token_expiry(token, current_app.config["API_TOKEN_DAYS"])


def revoke_token_of(owner_id: int, token_id: int, form) -> None:
    """Revoke a token of ``owner_id`` if the button's form is valid; a token of anyone else is 404."""
    db = get_session()
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != owner_id:
        abort(404)
    if form.validate_on_submit() and operations.revoke_api_token(db, token):
        record_audit(
            db,
            "token.revoke",
            user_id=current_user.id,
            object_type="api_token",
            object_id=token.id,
            details={"owner": owner_id},
            remote_addr=request.remote_addr or "",
        )
        db.commit()
        flash(_("The token %(label)s is revoked.", label=token.label or token.id), "success")


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(token_id: int):
    revoke_token_of(current_user.id, token_id, RevokeForm())
    return redirect(url_for("auth.account"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """A one-time link: its owner chooses a password. Unknown, used or expired links are 404."""
    db = get_session()
    link = operations.live_password_link(db, token)
    if link is None:
        abort(404)
    user = link.user
    form = SetPasswordForm()
    if form.validate_on_submit():
        end_read_transaction()  # the rules and the hash take time: no lock meanwhile
        try:
            new_hash = operations.check_new_password(passwords(), user, form.new_password.data)
        except operations.AccountError as error:
            form.new_password.errors.append(account_error_message(str(error)))
        else:
            if operations.use_password_link(db, link, new_hash):
                db.commit()
                logout_user()
                session.clear()
                if user.awaits_confirmation:
                    flash(
                        _(
                            "Your password is set. Your account opens once a coordinator of your territory has "
                            "confirmed it."
                        ),
                        "success",
                    )
                else:
                    flash(_("Your password is set. You can sign in."), "success")
                _strength_hint(form.new_password.data, user.email)
                return redirect(url_for("auth.login"))
            abort(404)
    return render_template("auth/set_password.html", form=form, user=user), 400 if form.errors else 200


@bp.route("/confirmations")
@login_required
def confirmations():
    """Coordinators: the accounts of their territory waiting for confirmation, and the latest account events."""
    if not access.can_confirm_accounts(current_user):
        abort(403)
    db = get_session()
    events = operations.account_events(db, current_user)
    ids = {int(e.object_id) for e in events if e.object_id.isdigit()} | {
        e.user_id for e in events if e.user_id
    }
    people = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    pending = operations.accounts_awaiting_confirmation(db, current_user)
    return render_template(
        "auth/confirmations.html",
        pending=pending,
        events=events,
        people=people,
        confirm_form=RevokeForm(),
        account_event_labels=AccountEvent.labels(),
    )


@bp.route("/confirmations/<int:user_id>", methods=["POST"])
@login_required
def confirm_account(user_id: int):
    if not access.can_confirm_accounts(current_user):
        abort(403)
    db = get_session()
    user = db.get(User, user_id)
    if user is None or user.territory != current_user.territory:
        abort(404)
    if RevokeForm().validate_on_submit():
        try:
            operations.confirm_account(db, current_user, user)
        except operations.AccountError as error:
            flash(account_error_message(str(error)), "error")
        else:
            db.commit()
            flash(_("Account %(email)s confirmed: it can sign in.", email=user.email), "success")
    return redirect(url_for("auth.confirmations"))
