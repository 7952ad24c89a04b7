"""Where a one-time password link leaves the application: the one place the mail outbox will plug into.

Mail does not exist yet. Until it does, a link made on the web (account creation, an administrator's reset)
goes nowhere: the log says only that one was issued, never the link. The person running the server prints
a fresh one with ``helpdesk users reset-link EMAIL`` and hands it over.
"""

from __future__ import annotations

import logging

from flask import current_app, url_for

from helpdesk.auth.models import User

logger = logging.getLogger(__name__)


def password_link_url(token: str) -> str:
    """The full address of a password link, from ``PUBLIC_URL`` (works outside a request, e.g. the CLI)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for("auth.set_password", token=token, _external=True)


def deliver_password_link(user: User, token: str, purpose: str) -> bool:
    """Send ``user`` the link of ``token`` (``purpose``: "invite" or "reset"). True once it is on its way.

    Today: not delivered (no mail); nothing sensitive is logged. The mail issue replaces the body with an
    outbox row written in the caller's transaction.
    """
    logger.info(
        "password link (%s) issued for account %s; not sent (no mail configured): "
        "print one on the server with `helpdesk users reset-link`",
        purpose,
        user.id,
    )
    return False
