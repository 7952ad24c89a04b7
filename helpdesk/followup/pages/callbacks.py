"""Planning a callback and marking it done."""

from __future__ import annotations

from datetime import datetime

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
from helpdesk.followup.models import Callback
from helpdesk.followup.pages.common import done, editable, failed, render_detail
from helpdesk.i18n import local_zone


@login_required
def add_callback(request_id: int):
    db, req = editable(request_id)
    form = f.CallbackForm(prefix="cb")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, callback=form)
    due = datetime.combine(form.due_date.data, form.due_time.data, tzinfo=local_zone())
    try:
        ops.add_callback(
            db,
            current_user,
            req,
            due_at=due,
            note=form.note.data or "",
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return failed(db, req, error, form, "callback")
    return done(db, req, _("Callback planned."))


@login_required
def complete_callback(request_id: int, callback_id: int):
    db, req = editable(request_id)
    callback = db.get(Callback, callback_id)
    if callback is None or callback.request_id != req.id:
        abort(404)
    if not f.FlaskForm().validate_on_submit():
        return render_detail(db, req, 400)
    ops.complete_callback(db, current_user, req, callback)
    return done(db, req, _("Callback done."))
