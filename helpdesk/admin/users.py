"""Managing accounts: list, create, edit role and territory, deactivate, reset a password, revoke API tokens.

An administrator never knows a password: a new account or a reset gets a one-time link through which its
owner chooses one, and an account that reads requests opens only once a coordinator of its territory
confirmed it (see ``auth.confirmations``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from helpdesk import access
from helpdesk.admin.forms import FilterForm, NewUserForm, PasswordResetForm, TokenRevokeForm, UserForm
from helpdesk.admin.views import require
from helpdesk.audit import record_audit
from helpdesk.auth import operations as accounts
from helpdesk.auth.delivery import deliver_password_link
from helpdesk.auth.login import passwords
from helpdesk.auth.models import User
from helpdesk.auth.views import revoke_token_of, token_expiry
from helpdesk.db import get_session
from helpdesk.vocabularies.errors import account_error_message

bp = Blueprint("admin_users", __name__, url_prefix="/admin")


def _send_password_link(db, user: User, purpose: str) -> None:
    token = accounts.issue_password_link(
        db, user, purpose=purpose, hours=current_app.config["PASSWORD_LINK_HOURS"]
    )
    record_audit(
        db,
        "user.password_link",
        user_id=current_user.id,
        object_type="user",
        object_id=user.id,
        details={"purpose": purpose},
    )
    if deliver_password_link(user, token, purpose, db):
        flash(_("A link to choose a password is on its way to %(email)s.", email=user.email), "info")
    else:
        flash(
            _(
                "No mail is configured: get the person's password link on the server with "
                "“helpdesk users reset-link %(email)s” and hand it over. It works once, for %(hours)s hours.",
                email=user.email,
                hours=current_app.config["PASSWORD_LINK_HOURS"],
            ),
            "info",
        )
    if user.awaits_confirmation:
        flash(_("The account opens once a coordinator of its territory has confirmed it."), "info")


def _get_user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@login_required
def users():
    require(access.can_manage_users(current_user))
    form = FilterForm(request.args)
    stmt = select(User).order_by(User.territory, User.email)
    if form.validate() and form.q.data:
        pattern = f"%{form.q.data.strip()}%"
        stmt = stmt.where(or_(User.email.ilike(pattern), User.name.ilike(pattern)))
    return render_template("admin/users.html", users=get_session().scalars(stmt).all(), form=form)


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    require(access.can_manage_users(current_user))
    form = NewUserForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = accounts.create_user(
                db,
                passwords(),
                email=form.email.data,
                password=None,
                role=form.role.data,
                territory=form.territory.data,
                name=form.name.data,
                locale=form.locale.data or None,
                confirmed=False,
            )
        except accounts.AccountError as error:
            getattr(form, error.field, form.email).errors.append(account_error_message(str(error)))
        else:
            if not form.active.data:
                accounts.set_user_active(db, user, False)
            record_audit(
                db,
                "user.create",
                user_id=current_user.id,
                object_type="user",
                object_id=user.id,
                details={"role": user.role, "territory": user.territory},
            )
            flash(_("Account %(email)s created.", email=user.email), "success")
            _send_password_link(db, user, "invite")
            db.commit()
            return redirect(url_for("admin_users.user_edit", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None), 400 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int):
    require(access.can_manage_users(current_user))
    user = _get_user_or_404(user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.locale.data = user.locale or ""
    if form.validate_on_submit():
        db = get_session()
        if user.id == current_user.id and (not form.active.data or form.role.data != user.role):
            form.role.errors.append(_("You cannot remove your own administrator access."))
        else:
            try:
                accounts.update_user(
                    db,
                    user,
                    name=form.name.data,
                    role=form.role.data,
                    territory=form.territory.data,
                    locale=form.locale.data or None,
                )
            except accounts.AccountError as error:
                getattr(form, error.field, form.name).errors.append(account_error_message(str(error)))
            else:
                if form.active.data != user.active:
                    accounts.set_user_active(db, user, form.active.data)
                record_audit(
                    db,
                    "user.update",
                    user_id=current_user.id,
                    object_type="user",
                    object_id=user.id,
                    details={"role": user.role, "territory": user.territory, "active": user.active},
                )
                db.commit()
                flash(_("Account %(email)s saved.", email=user.email), "success")
                return redirect(url_for("admin_users.users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        reset_form=PasswordResetForm(),
        tokens=accounts.user_tokens(get_session(), user),
        revoke_form=TokenRevokeForm(),
        token_expiry=token_expiry,
        now=accounts.utcnow(),
        revoke_url=lambda t: url_for("admin_users.user_token_revoke", user_id=user.id, token_id=t.id),
    ), 400 if form.errors else 200


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
def user_password(user_id: int):
    """Reset: the password stops working, sessions and tokens end; the owner gets a link to choose a new one."""
    require(access.can_manage_users(current_user))
    user = _get_user_or_404(user_id)
    if PasswordResetForm().validate_on_submit():
        db = get_session()
        accounts.reset_password(db, user, by=current_user)
        record_audit(
            db, "user.password_reset", user_id=current_user.id, object_type="user", object_id=user.id
        )
        flash(
            _(
                "The password of %(email)s no longer works; their sessions and API tokens are closed.",
                email=user.email,
            ),
            "success",
        )
        _send_password_link(db, user, "reset")
        db.commit()
    return redirect(url_for("admin_users.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def user_token_revoke(user_id: int, token_id: int):
    require(access.can_manage_users(current_user))
    user = _get_user_or_404(user_id)
    revoke_token_of(user.id, token_id, TokenRevokeForm())
    return redirect(url_for("admin_users.user_edit", user_id=user.id))
