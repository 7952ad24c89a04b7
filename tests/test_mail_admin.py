"""Administration → Outbox: queued, sent and failed messages, each in full, and a retry."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.db import get_session
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.outbox import queue_mail
from helpdesk.mail.sender import send_due
from tests.conftest import csrf_token


def _queue(app, to="pro@example.org") -> int:
    with app.app_context():
        db = get_session()
        message = queue_mail(
            db,
            kind="test",
            to=to,
            subject="[SUD-2026-00001] Oriëntatie",
            text="Hallo",
            html="<p>Hallo</p>",
            language="nl",
        )
        db.commit()
        return message.id


def test_mail_admin_outbox_without_server_keeps_and_shows_the_message(app, client, logged_in):
    message_id = _queue(app)
    logged_in("admin", "region")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert (
        "pro@example.org" in page and "[SUD-2026-00001] Oriëntatie" in page and "HELPDESK_MAIL_SERVER" in page
    )
    detail = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "Content-Language" in detail and "Hallo" in detail and "Message-ID" in detail


def test_mail_admin_outbox_failed_message_shows_the_answer_and_is_retried(
    mail_app, smtp_server, client, logged_in
):
    smtp_server.answers[:] = ["550 5.1.1 mailbox unavailable"]
    message_id = _queue(mail_app)
    assert send_due(mail_app).failed == 1
    logged_in("admin", "region")
    page = client.get("/admin/outbox?state=failed").get_data(as_text=True)
    assert "550 5.1.1 mailbox unavailable" in page
    response = client.post(
        f"/admin/outbox/{message_id}/retry", data={"csrf_token": csrf_token(client, "/admin/outbox")}
    )
    assert response.status_code == 302
    assert send_due(mail_app).sent == 1
    assert len(smtp_server.received) == 1
    with mail_app.app_context():
        assert get_session().scalars(select(OutboxMessage.state)).all() == ["sent"]
    # A sent message is never sent again from the page.
    client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": csrf_token(client, "/admin/outbox")})
    assert send_due(mail_app).total == 0 and len(smtp_server.received) == 1


def test_mail_admin_outbox_is_for_admins(app, client, logged_in):
    _queue(app)
    logged_in("coordinator", "region")
    assert client.get("/admin/outbox").status_code == 403
