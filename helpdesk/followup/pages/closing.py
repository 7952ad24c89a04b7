"""Closing a request with the feedback given to the asking professional, and reopening it."""

from __future__ import annotations

from datetime import UTC

from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
from helpdesk.followup.pages.common import done, editable, failed, render_detail
from helpdesk.i18n import local_zone


@login_required
def close(request_id: int):
    db, req = editable(request_id)
    form = f.CloseForm(prefix="cl")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, close=form)
    given = form.feedback_given.data == "yes"
    feedback_at = None
    if form.feedback_at.data:
        feedback_at = form.feedback_at.data.replace(tzinfo=local_zone()).astimezone(UTC)
    closing = ops.ClosingRecord(
        feedback_given=given,
        feedback_at=feedback_at,
        feedback_channel=form.feedback_channel.data or "",
        feedback_text=form.feedback_text.data or "",
        missing_reason=form.missing_reason.data or "",
        identity_confirmed=form.confirm_identity.data,
    )
    try:
        ops.close_request(db, current_user, req, closing, expected_version=form.version.data)
    except ops.RequestError as error:
        if error.code == "invalid" and "feedback" in error.fields:
            error.fields["feedback_text" if given else "missing_reason"] = error.fields.pop("feedback")
        return failed(db, req, error, form, "close")
    return done(db, req, _("Request %(ref)s closed.", ref=req.reference))


@login_required
def reopen(request_id: int):
    db, req = editable(request_id)
    form = f.ReopenForm(prefix="ro")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, reopen=form)
    try:
        ops.reopen_request(
            db,
            current_user,
            req,
            reason=form.reason.data or "",
            expected_version=form.version.data,
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return failed(db, req, error, form, "reopen")
    return done(db, req, _("Request %(ref)s reopened.", ref=req.reference))
