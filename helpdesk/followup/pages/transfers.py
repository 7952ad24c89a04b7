"""Handing a request to another territory, sharing it for advice, and the advice given back as a note."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import access
from helpdesk.db import get_session
from helpdesk.followup import forms as f
from helpdesk.followup import operations as ops
from helpdesk.followup.pages.common import conflict, done, editable, failed, render_detail
from helpdesk.vocabularies.territories import TERRITORY_LABELS


@login_required
def transfer(request_id: int):
    db, req = editable(request_id)
    form = f.TransferForm(prefix="tr")
    form.to.validate_choice = False
    if not form.validate_on_submit():
        return render_detail(db, req, 400, transfer=form)
    moved = sum(1 for c in req.callbacks if c.done_at is None)
    try:
        ops.transfer_request(
            db,
            current_user,
            req,
            to=form.to.data,
            note=form.note.data,
            expected_version=form.version.data,
            identity_confirmed=form.confirm_identity.data,
            callbacks=form.callbacks.data or ops.CALLBACKS_MOVE,
        )
    except ops.RequestError as error:
        return failed(db, req, error, form, "transfer")
    message = _(
        "Request %(ref)s handed to %(territory)s.",
        ref=req.reference,
        territory=TERRITORY_LABELS[req.territory],
    )
    if moved:
        message += " " + (
            ngettext(
                "%(num)d planned callback was cancelled.",
                "%(num)d planned callbacks were cancelled.",
                moved,
            )
            if form.callbacks.data == ops.CALLBACKS_CANCEL
            else ngettext(
                "%(num)d planned callback moved with it, for whoever takes it there.",
                "%(num)d planned callbacks moved with it, for whoever takes it there.",
                moved,
            )
        )
    try:
        db.commit()
    except StaleDataError:
        return conflict(db, req.id)
    flash(message, "success")
    # The sender may still read it (and sees its outcome), but it now sits in the other queue.
    return redirect(url_for("followup.detail", request_id=req.id))


@login_required
def share(request_id: int):
    db, req = editable(request_id)
    form = f.ShareForm(prefix="sh")
    form.to.validate_choice = False
    if not form.validate_on_submit():
        return render_detail(db, req, 400, share=form)
    try:
        ops.share_request(
            db,
            current_user,
            req,
            to=form.to.data,
            note=form.note.data,
            identity_confirmed=form.confirm_identity.data,
        )
    except ops.RequestError as error:
        return failed(db, req, error, form, "share")
    return done(
        db, req, _("Request shared with %(territory)s for advice.", territory=TERRITORY_LABELS[form.to.data])
    )


@login_required
def comment(request_id: int):
    db = get_session()
    req = access.get_request_or_404(db, current_user, request_id)
    if not access.can_comment_request(db, current_user, req):
        abort(404)
    form = f.CommentForm(prefix="cm")
    if not form.validate_on_submit():
        return render_detail(db, req, 400, comment=form)
    try:
        ops.add_comment(
            db, current_user, req, note=form.note.data, identity_confirmed=form.confirm_identity.data
        )
    except ops.RequestError as error:
        return failed(db, req, error, form, "comment")
    return done(db, req, _("Note added."))
