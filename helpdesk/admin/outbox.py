"""Admin section: the mail outbox (blueprint ``admin_outbox``): what is queued, being sent, sent or failed
with the server's answer, each message in full as it leaves, and a retry. With no mail server configured the
messages stay here, where admins read them (a developer's mail catcher)."""

from __future__ import annotations

from email import message_from_string, policy

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from helpdesk import access
from helpdesk.admin.views import require
from helpdesk.db import get_session
from helpdesk.forms import parse_id
from helpdesk.mail.models import OUTBOX_STATES, OutboxMessage
from helpdesk.mail.outbox import NotRetryable, retry_message

bp = Blueprint("admin_outbox", __name__, url_prefix="/admin")

STATE_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}
PAGE_SIZE = 100
WITHHELD_KINDS = ("password_link",)


@bp.route("/outbox")
@login_required
def outbox():
    require(access.can_read_outbox(current_user))
    db = get_session()
    state = request.args.get("state", "")
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
    if state in OUTBOX_STATES:
        stmt = stmt.where(OutboxMessage.state == state)
    else:
        state = ""
    counts = dict(db.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
    return render_template(
        "admin/outbox.html",
        messages=db.scalars(stmt).all(),
        counts=counts,
        state=state,
        states=STATE_LABELS,
        mail_server=current_app.config["MAIL_SERVER"],
        retry_form=FlaskForm(),
    )


def _message_or_404(message_id: int) -> OutboxMessage:
    message = get_session().get(OutboxMessage, message_id) if parse_id(message_id) else None
    if message is None:
        abort(404)
    return message


@bp.route("/outbox/<int:message_id>")
@login_required
def outbox_message(message_id: int):
    require(access.can_read_outbox(current_user))
    message = _message_or_404(message_id)
    parsed = message_from_string(message.raw, policy=policy.default)
    text = parsed.get_body(("plain",))
    # A password link is its owner's alone: an admin who read it could choose the password.
    withheld = message.kind in WITHHELD_KINDS
    return render_template(
        "admin/outbox_message.html",
        message=message,
        headers=[(k, str(v)) for k, v in parsed.items() if not k.lower().startswith("content-t")],
        text="" if withheld or text is None else text.get_content(),
        withheld=withheld,
        states=STATE_LABELS,
        retry_form=FlaskForm(),
    )


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
def outbox_retry(message_id: int):
    require(access.can_read_outbox(current_user))
    message = _message_or_404(message_id)
    if FlaskForm().validate_on_submit():
        db = get_session()
        try:
            retry_message(db, message)
        except NotRetryable:
            db.rollback()
            flash(_("This message is being sent or was sent: it is not sent again."), "error")
        else:
            db.commit()
            flash(_("Message %(id)s will be sent again at the worker's next turn.", id=message_id), "success")
    return redirect(url_for("admin_outbox.outbox_message", message_id=message_id))
