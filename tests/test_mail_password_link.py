"""The one-time password link of a new account leaves by e-mail through the outbox when mail is configured;
the outbox page never shows it to the admin."""

from __future__ import annotations

import re

from sqlalchemy import select

from helpdesk.db import get_session
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.sender import send_due
from tests.conftest import csrf_token


def _create(client, email="new.person@cpas.example"):
    return client.post(
        "/admin/users/new",
        data={
            "email": email,
            "name": "New Person",
            "role": "operator",
            "territory": "sud",
            "locale": "nl",
            "active": "y",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )


def test_mail_password_link_is_mailed_and_works(mail_app, smtp_server, client, logged_in):
    logged_in("admin", "region")
    assert _create(client).status_code == 302
    assert send_due(mail_app).sent == 1
    [received] = smtp_server.received
    message = received.message
    assert received.rcpt_tos == ["new.person@cpas.example"]
    assert message["Content-Language"] == "nl" and "wachtwoord" in message["Subject"]
    link = re.search(r"https?://\S+/auth/\S+", message.get_body(("plain",)).get_content()).group(0)
    person = mail_app.test_client()
    path = "/" + link.split("/", 3)[3]
    assert person.get(path).status_code == 200


def test_mail_password_link_body_is_withheld_on_the_outbox_page(mail_app, smtp_server, client, logged_in):
    logged_in("admin", "region")
    _create(client)
    with mail_app.app_context():
        message = get_session().scalars(select(OutboxMessage)).one()
        assert message.kind == "password_link"
        token_path = re.search(r"/auth/[^\s\"<]+", message.raw.replace("=\r\n", "")).group(0)
    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert token_path not in page and "new.person@cpas.example" in page


def test_mail_password_link_without_server_stays_out_of_the_outbox(app, client, logged_in):
    logged_in("admin", "region")
    follow = client.get(_create(client).headers["Location"]).get_data(as_text=True)
    assert "helpdesk users reset-link new.person@cpas.example" in follow
    with app.app_context():
        assert get_session().scalars(select(OutboxMessage)).all() == []
