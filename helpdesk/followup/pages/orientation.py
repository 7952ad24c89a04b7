"""The orientation e-mail to the asking professional: a preview of the message as it will leave, and sending
it (queued in the outbox with the request's timeline line, in one commit)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.followup import forms as f
from helpdesk.followup.changes import RequestError
from helpdesk.followup.orientation_mail import OrientationMail, compose_orientation, send_orientation
from helpdesk.followup.pages.common import editable
from helpdesk.identity_messages import put_identity_errors
from helpdesk.mail.outbox import mail_configured
from helpdesk.vocabularies.errors import field_error_message

_ERRORS = {
    "no_address": lambda: _("No address: type the professional's e-mail."),
    "no_lead": lambda: _("No lead to send yet: add the services found first."),
}


def _preview(req, form) -> tuple[OrientationMail | None, int]:
    try:
        mail = compose_orientation(
            req, to=form.to.data or None, language=form.language.data, message=form.message.data or ""
        )
    except RequestError as error:
        _put_error(form, error)
        return None, 400
    return mail, 200


def _put_error(form, error: RequestError) -> None:
    code = error.code
    if code in _ERRORS:
        form.form_errors.append(_ERRORS[code]())
        return
    if code in ("identity_refused", "identity_suspected"):
        form.form_errors.extend(put_identity_errors(form, error.fields, {}))
        return
    for name, field_code in error.fields.items():
        target = getattr(form, name, None)
        (
            target.errors if target is not None and isinstance(target.errors, list) else form.form_errors
        ).append(field_error_message(field_code))


def _page(req, form, mail, status):
    return render_template(
        "followup/orientation.html", req=req, form=form, mail=mail, mail_configured=mail_configured()
    ), status


@login_required
def orientation_preview(request_id: int):
    """The message as it will leave (GET: the values of the form in the query string)."""
    _db, req = editable(request_id)
    form = f.OrientationMailForm(request.args, meta={"csrf": False})
    if "language" not in request.args:
        form.language.data = req.caller_language or "fr"
    elif not form.validate():
        return _page(req, form, None, 400)
    mail, status = _preview(req, form)
    return _page(req, form, mail, status)


@login_required
def orientation_send(request_id: int):
    db, req = editable(request_id)
    form = f.OrientationMailForm()
    if not form.validate_on_submit():
        return _page(req, form, None, 400)
    try:
        queued = send_orientation(
            db,
            current_user,
            req,
            to=form.to.data or None,
            language=form.language.data,
            message=form.message.data or "",
            identity_confirmed=bool(form.confirm_identity.data),
        )
    except RequestError as error:
        db.rollback()
        _put_error(form, error)
        return _page(req, form, None, 400)
    db.commit()
    if mail_configured():
        flash(_("The orientation is on its way to %(email)s.", email=queued.to_address), "success")
    else:
        flash(_("The orientation waits in the outbox: no mail server is configured."), "info")
    return redirect(url_for("followup.detail", request_id=req.id) + "#timeline")
