"""Managing accounts: list, create, edit role and territory, deactivate, reset a password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from helpdesk import access
from helpdesk.admin.forms import FilterForm, NewUserForm, PasswordResetForm, UserForm
from helpdesk.admin.views import SECTIONS, bp, require
from helpdesk.audit import record_audit
from helpdesk.auth import operations as accounts
from helpdesk.auth.login import passwords
from helpdesk.auth.models import User
from helpdesk.db import get_session

SECTIONS.append(("admin.users", _l("Accounts"), access.can_manage_users))


def _account_error_message(code: str) -> str:
    return {
        "invalid_email": _("Enter a valid e-mail address."),
        "email_taken": _("An account with this e-mail address exists already."),
        "password_too_short": _("The password is too short."),
        "invalid_role": _("Unknown role."),
        "invalid_territory": _("Unknown territory."),
    }.get(code, _("The account could not be saved."))


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
                db, passwords(), email=form.email.data, password=form.password.data, role=form.role.data,
                territory=form.territory.data, name=form.name.data, locale=form.locale.data or None,
            )
        except accounts.AccountError as error:
            getattr(form, error.field, form.email).errors.append(_account_error_message(str(error)))
        else:
            if not form.active.data:
                accounts.set_user_active(db, user, False)
            record_audit(db, "user.create", user_id=current_user.id, object_type="user", object_id=user.id,
                         details={"role": user.role, "territory": user.territory})
            db.commit()
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
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
                accounts.update_user(db, user, name=form.name.data, role=form.role.data,
                                     territory=form.territory.data, locale=form.locale.data or None)
            except accounts.AccountError as error:
                getattr(form, error.field, form.name).errors.append(_account_error_message(str(error)))
            else:
                if form.active.data != user.active:
                    accounts.set_user_active(db, user, form.active.data)
                record_audit(db, "user.update", user_id=current_user.id, object_type="user", object_id=user.id,
                             details={"role": user.role, "territory": user.territory, "active": user.active})
                db.commit()
                flash(_("Account %(email)s saved.", email=user.email), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=PasswordResetForm()), 400 if form.errors else 200


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
def user_password(user_id: int):
    require(access.can_manage_users(current_user))
    user = _get_user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        db = get_session()
        accounts.change_password(db, passwords(), user, form.password.data)
        record_audit(db, "user.password_reset", user_id=current_user.id, object_type="user", object_id=user.id)
        db.commit()
        flash(_("New password set for %(email)s; their sessions are closed.", email=user.email), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    for error in form.password.errors:
        flash(error, "error")
    return redirect(url_for("admin.user_edit", user_id=user.id))
