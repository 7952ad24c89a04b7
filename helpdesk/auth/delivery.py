"""Where a one-time password link leaves the application: by e-mail through the outbox when a mail server is
configured, queued in the caller's transaction (the link and the account change are committed together).

Without a mail server, a link made on the web (account creation, an administrator's reset) goes nowhere: the
log says only that one was issued, never the link. The person running the server prints a fresh one with
``helpdesk users reset-link EMAIL`` and hands it over. The outbox page never shows these messages' bodies.
"""

from __future__ import annotations

import logging

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.mail.messages import MAIL_LANGUAGES, MailError
from helpdesk.mail.outbox import mail_configured, queue_mail, render_mail

logger = logging.getLogger(__name__)

PASSWORD_LINK_KIND = "password_link"


def password_link_url(token: str) -> str:
    """The full address of a password link, from ``PUBLIC_URL`` (works outside a request, e.g. the CLI)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for("auth.set_password", token=token, _external=True)


def deliver_password_link(user: User, token: str, purpose: str, db: Session | None = None) -> bool:
    """Send ``user`` the link of ``token`` (``purpose``: "invite" or "reset"). True once it is on its way
    (queued in the outbox, in ``db``'s transaction: the caller commits); False when no mail is configured or
    the account's address cannot receive mail. Nothing sensitive is logged."""
    if not mail_configured():
        logger.info(
            "password link (%s) issued for account %s; not sent (no mail configured): "
            "print one on the server with `helpdesk users reset-link`",
            purpose,
            user.id,
        )
        return False
    if db is None:
        from helpdesk.db import get_session

        db = get_session()
    language = (user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE") or "fr").split("_")[0]
    language = language if language in MAIL_LANGUAGES else "fr"
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    link = password_link_url(token)
    with force_locale(language):
        subject = (
            _("Your helpdesk account: choose your password")
            if purpose == "invite"
            else _("Helpdesk: choose a new password")
        )
        text, html = render_mail(
            "password_link", language, link=link, hours=hours, purpose=purpose, name=user.name or ""
        )
    try:
        queue_mail(
            db,
            kind=PASSWORD_LINK_KIND,
            to=user.email,
            to_name=user.name or "",
            subject=subject,
            text=text,
            html=html,
            language=language,
        )
    except MailError:
        logger.warning("password link (%s) for account %s: its address cannot receive mail", purpose, user.id)
        return False
    logger.info("password link (%s) for account %s queued in the outbox", purpose, user.id)
    return True
