"""The outbox: messages built right, sent once, retried while the server is down, never for a rollback."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from directory_import.models import utcnow
from helpdesk.db import get_session
from helpdesk.mail.messages import MailError, build_message
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.outbox import queue_mail
from helpdesk.mail.sender import send_due


def _queue(app, n: int = 1, **fields) -> list[int]:
    with app.app_context():
        db = get_session()
        ids = []
        for i in range(n):
            values = {
                "kind": "test",
                "to": f"pro{i}@example.org",
                "subject": f"Test {i}",
                "text": f"Hello {i}",
                "html": f"<p>Hello {i}</p>",
                "language": "fr",
            }
            values.update(fields)
            ids.append(queue_mail(db, **values).id)
        db.commit()
    return ids


def _states(app) -> dict[int, str]:
    with app.app_context():
        return dict(get_session().execute(select(OutboxMessage.id, OutboxMessage.state)).all())


def test_mail_outbox_message_arrives_with_its_headers_and_parts(mail_app, smtp_server):
    _queue(
        mail_app, to="marie@example.org", subject="[SUD-2026-00001] Orientation", reply_to="sud@example.org"
    )
    report = send_due(mail_app)
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [received] = smtp_server.received
    assert received.rcpt_tos == ["marie@example.org"]
    message = received.message
    assert message["From"] == "helpdesk@example.org"
    assert message["To"] == "marie@example.org"
    assert message["Reply-To"] == "sud@example.org"
    assert message["Subject"] == "[SUD-2026-00001] Orientation"
    assert message["Content-Language"] == "fr"
    assert message["Date"] and message["Message-ID"].endswith("@example.org>")
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content().strip() == "Hello 0"
    with mail_app.app_context():
        stored = get_session().scalars(select(OutboxMessage)).one()
        assert stored.state == "sent" and stored.sent_at is not None and stored.attempts == 1
        assert stored.message_id == message["Message-ID"]


def test_mail_outbox_no_server_configured_keeps_mail_in_the_outbox(app):
    ids = _queue(app)
    assert send_due(app).total == 0
    assert _states(app) == {ids[0]: "queued"}


def test_mail_outbox_server_down_retries_and_delivers_once_when_it_returns(mail_app, smtp_server):
    smtp_server.stop()
    [message_id] = _queue(mail_app)
    report = send_due(mail_app)
    assert (report.sent, report.retried) == (0, 1)
    with mail_app.app_context():
        stored = get_session().get(OutboxMessage, message_id)
        assert stored.state == "queued" and stored.attempts == 1
        assert "Connection" in stored.last_error or "refused" in stored.last_error.lower()
    smtp_server.start()
    assert send_due(mail_app).sent == 1
    assert send_due(mail_app).total == 0
    assert len(smtp_server.received) == 1
    assert _states(mail_app) == {message_id: "sent"}


def test_mail_outbox_a_temporary_refusal_is_retried_a_permanent_one_fails(mail_app, smtp_server):
    smtp_server.answers[:] = ["451 4.3.0 try again later"]
    [first] = _queue(mail_app)
    assert send_due(mail_app).retried == 1
    assert send_due(mail_app).sent == 1
    smtp_server.answers[:] = ["550 5.1.1 no such user"]
    [second] = _queue(mail_app, to="nobody@example.org")
    assert send_due(mail_app).failed == 1
    with mail_app.app_context():
        stored = get_session().get(OutboxMessage, second)
        assert stored.state == "failed" and "550" in stored.last_error
    assert _states(mail_app) == {first: "sent", second: "failed"}


def test_mail_outbox_is_failed_after_its_last_attempt(mail_app, smtp_server):
    smtp_server.stop()
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 2
    [message_id] = _queue(mail_app)
    assert send_due(mail_app).retried == 1
    assert send_due(mail_app).failed == 1
    assert _states(mail_app) == {message_id: "failed"}


def test_mail_outbox_a_later_attempt_waits_its_back_off(mail_app, smtp_server):
    mail_app.config["MAIL_RETRY_SECONDS"] = 600
    smtp_server.stop()
    _queue(mail_app)
    assert send_due(mail_app).retried == 1
    smtp_server.start()
    assert send_due(mail_app).total == 0  # not due yet
    with mail_app.app_context():
        db = get_session()
        db.execute(update(OutboxMessage).values(run_after=utcnow()))
        db.commit()
    assert send_due(mail_app).sent == 1


@pytest.mark.parametrize("senders", [3])
def test_mail_outbox_two_senders_at_once_send_each_message_once(mail_app, smtp_server, senders):
    ids = _queue(mail_app, 60)
    threads = [
        threading.Thread(target=send_due, args=(mail_app, f"sender-{n}"), kwargs={"batch": 4})
        for n in range(senders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids_received = [r.message["Message-ID"] for r in smtp_server.received]
    assert len(ids_received) == len(ids) == len(set(ids_received))
    assert set(_states(mail_app).values()) == {"sent"}


def test_mail_outbox_a_rolled_back_change_sends_nothing(mail_app, smtp_server):
    with mail_app.app_context():
        db = get_session()
        queue_mail(db, kind="test", to="a@example.org", subject="s", text="t", html="<p>t</p>", language="nl")
        db.rollback()
    assert send_due(mail_app).total == 0
    assert smtp_server.received == [] and _states(mail_app) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\r\nBcc: victim@example.org"),
        ("subject", "Hello\nBcc: victim@example.org"),
        ("to", "a@example.org\r\nBcc: victim@example.org"),
        ("to_name", "Marie\rBcc: victim@example.org"),
        ("reply_to", "sud@example.org\nBcc: victim@example.org"),
        ("sender_name", "Helpdesk\r\nX-Evil: 1"),
    ],
)
def test_mail_message_refuses_header_injection(field, value):
    values = {
        "sender": "helpdesk@example.org",
        "to": "a@example.org",
        "subject": "s",
        "text": "t",
        "html": "<p>t</p>",
        "language": "fr",
        field: value,
    }
    with pytest.raises(MailError) as raised:
        build_message(**values)
    assert raised.value.code == "header_injection"


@pytest.mark.parametrize("address", ["", "not an address", "a@", "a@b@example.org", "a,b@example.org"])
def test_mail_message_refuses_an_invalid_address(address):
    with pytest.raises(MailError) as raised:
        build_message(
            sender="helpdesk@example.org", to=address, subject="s", text="t", html="", language="fr"
        )
    assert raised.value.code == "invalid_address"


def test_mail_message_non_ascii_names_and_subjects_are_encoded():
    built = build_message(
        sender="helpdesk@example.org",
        sender_name="Helpdesk Sud — Zuid",
        to="marie@example.org",
        to_name="Marie Dupont-Élise",
        subject="Orientation – démarches à suivre",
        text="Voilà les pistes.",
        html="<p>Voilà</p>",
        language="fr",
    )
    assert built.raw.isascii()
    from email import message_from_string, policy

    parsed = message_from_string(built.raw, policy=policy.default)
    assert parsed["Subject"] == "Orientation – démarches à suivre"
    assert parsed["To"].addresses[0].display_name == "Marie Dupont-Élise"
    assert "Voilà les pistes." in parsed.get_body(("plain",)).get_content()


def test_mail_outbox_a_dead_senders_messages_are_taken_again_after_the_lease(mail_app, smtp_server):
    from helpdesk.mail.sender import claim

    [message_id] = _queue(mail_app)
    assert [m.id for m in claim(mail_app, "sender-that-dies", 10)] == [message_id]
    assert send_due(mail_app, "other").total == 0  # still held
    mail_app.config["MAIL_LEASE_SECONDS"] = 0
    assert send_due(mail_app, "other").sent == 1
    assert len(smtp_server.received) == 1 and _states(mail_app) == {message_id: "sent"}


def test_mail_outbox_cli_send_and_the_worker_poller_send_what_is_due(mail_app, smtp_server):
    runner = mail_app.test_cli_runner()
    _queue(mail_app, 2)
    result = runner.invoke(args=["mail", "send", "--json"])
    assert result.exit_code == 0 and '"sent": 2' in result.output
    _queue(mail_app, 1, to="late@example.org")
    from helpdesk.jobs.queue import run_pollers

    assert run_pollers(mail_app, "worker-1") == 1  # the worker's turn at the outbox, between jobs
    assert [r.rcpt_tos for r in smtp_server.received][-1] == ["late@example.org"]
    assert len(smtp_server.received) == 3


def test_mail_outbox_cli_send_without_server_sends_nothing(app):
    _queue(app)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "0 sent" in result.output
