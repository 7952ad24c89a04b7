"""The notifications page (read them, mark them read) and the choices of what to receive."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.db import get_session
from helpdesk.followup.models import HelpRequest
from helpdesk.notify import operations
from helpdesk.notify.forms import MarkReadForm, PreferencesForm
from helpdesk.notify.models import NOTIFICATION_KINDS

bp = Blueprint("notify", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def index():
    db = get_session()
    notifications = operations.notifications_of(db, current_user)
    ids = {n.request_id for n in notifications if n.request_id}
    references = (
        dict(db.execute(select(HelpRequest.id, HelpRequest.reference).where(HelpRequest.id.in_(ids))).all())
        if ids
        else {}
    )
    return render_template(
        "notify/index.html",
        notifications=notifications,
        references=references,
        proposals=operations.proposal_references(db, notifications),
        describe=operations.describe,
        form=MarkReadForm(),
    )


@bp.route("/read", methods=["POST"])
@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int | None = None):
    if MarkReadForm().validate_on_submit():
        db = get_session()
        operations.mark_read(db, current_user, notification_id)
        db.commit()
    return redirect(url_for("notify.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    db = get_session()
    form = PreferencesForm(data=operations.preferences_of(db, current_user.id))
    if form.validate_on_submit():
        operations.set_preferences(db, current_user, {kind: form[kind].data for kind in NOTIFICATION_KINDS})
        db.commit()
        flash(_("Your notification choices are saved."), "success")
        return redirect(url_for("auth.account"))
    if form.errors:
        flash(_("Choose one of the options for each kind of notification."), "error")
    return render_template("notify/preferences.html", form=form), 400 if form.errors else 200
