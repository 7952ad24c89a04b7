"""Notifications: found once by the poller, shown in the application, mailed immediately or in a daily digest
as each user chose, in their language, through the outbox and a real SMTP server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from helpdesk.auth.models import User
from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest
from helpdesk.followup.transfers import share_request, transfer_request
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.sender import send_due
from helpdesk.notify.finders import add_working_days
from helpdesk.notify.models import Notification, NotificationDigest
from helpdesk.notify.operations import set_preferences
from helpdesk.notify.poller import run_notifications
from tests.conftest import csrf_token, login

BRUSSELS = ZoneInfo("Europe/Brussels")


def act(app, fn):
    with app.app_context():
        db = get_session()
        result = fn(db)
        db.commit()
        return result


def hand_over(app, user, req, to="sud-est"):
    act(
        app,
        lambda db: transfer_request(
            db, db.merge(user), db.get(HelpRequest, req.id), to=to, note="Pour vous", expected_version=None
        ),
    )


def prefer(app, user, **choices):
    act(app, lambda db: set_preferences(db, db.get(User, user.id), choices))


def notifications(app, user=None):
    with app.app_context():
        query = select(Notification).order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        return list(get_session().scalars(query))


def outbox(app, kind=None):
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(get_session().scalars(query))


def test_add_working_days_skips_the_weekend():
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=BRUSSELS)
    assert add_working_days(friday, 1, BRUSSELS) == datetime(2026, 12, 7, 15, 0, tzinfo=BRUSSELS)
    saturday = datetime(2026, 12, 5, 11, 0, tzinfo=BRUSSELS)
    assert add_working_days(saturday, 1, BRUSSELS) == datetime(2026, 12, 8, 0, 0, tzinfo=BRUSSELS)
    tuesday = datetime(2026, 12, 1, 9, 30, tzinfo=BRUSSELS)
    assert add_working_days(tuesday, 1, BRUSSELS) == datetime(2026, 12, 2, 9, 30, tzinfo=BRUSSELS)


def test_notify_transfer_mails_the_operators_there_immediately_in_their_language_once(
    mail_app, smtp_server, make_user, make_request
):
    sender = make_user("operator", "sud")
    dutch = make_user("operator", "sud-est", locale="nl", email="an@nord.example")
    french = make_user("coordinator", "sud-est", locale="fr", email="claire@nord.example")
    make_user("operator", "nord", email="other@nord.example")
    req = make_request(sender)
    hand_over(mail_app, sender, req)

    first = run_notifications(mail_app)
    second = run_notifications(mail_app)  # the poller again: nothing new, nothing sent twice
    assert (first.found, first.mailed) == (2, 2)
    assert (second.found, second.mailed) == (0, 0)
    assert send_due(mail_app).sent == 2
    received = {m.rcpt_tos[0]: m.message for m in smtp_server.received}
    assert set(received) == {"an@nord.example", "claire@nord.example"}
    nl = received["an@nord.example"]
    assert nl["Content-Language"] == "nl"
    assert nl["Subject"] == f"[{req.reference}] Een aanvraag voor uw gebied"
    body = nl.get_body(("plain",)).get_content()
    assert f"/requests/{req.id}" in body and "Marie" not in body and "Arabic" not in body
    assert received["claire@nord.example"]["Content-Language"] == "fr"
    assert [n.user_id for n in notifications(mail_app)] == [dutch.id, french.id]


def test_notify_transfer_to_a_territory_with_a_shared_address_mails_that_address_only(
    mail_app, make_user, make_request
):
    mail_app.config["TERRITORY_REPLY_TO"] = {"sud-est": "sudest@helpdesk.example"}
    sender = make_user("operator", "sud")
    operator = make_user("operator", "sud-est")
    req = make_request(sender)
    act(
        mail_app,
        lambda db: share_request(
            db, db.merge(sender), db.get(HelpRequest, req.id), to="sud-est", note="Avis?"
        ),
    )
    run_notifications(mail_app)
    run_notifications(mail_app)
    assert [m.to_address for m in outbox(mail_app)] == ["sudest@helpdesk.example"]
    [in_app] = notifications(mail_app, operator)
    assert (in_app.detail, in_app.mail_state) == ("share", "none")


def test_notify_preference_off_and_digest_are_respected(app, make_user, make_request):
    sender = make_user("operator", "sud")
    quiet = make_user("operator", "sud-est")
    digest = make_user("operator", "sud-est")
    prefer(app, quiet, transfer="off")
    prefer(app, digest, transfer="digest")
    hand_over(app, sender, make_request(sender))
    run_notifications(app, now=datetime.now(UTC).replace(hour=4))  # before the digest hour (8:00)
    assert notifications(app, quiet) == []
    [waiting] = notifications(app, digest)
    assert waiting.mail_state == "digest"
    assert outbox(app) == []


def test_notify_digest_groups_a_users_notifications_once_a_day(app, make_user, make_request):
    sender = make_user("operator", "sud")
    reader = make_user("operator", "sud-est", email="digest@nord.example", locale="fr")
    prefer(app, reader, transfer="digest")
    first, second = make_request(sender), make_request(sender)
    hand_over(app, sender, first)
    hand_over(app, sender, second)
    morning = datetime(2026, 12, 2, 9, 0, tzinfo=BRUSSELS).astimezone(UTC)
    report = run_notifications(app, now=morning)
    assert (report.found, report.mailed, report.digests) == (2, 0, 1)
    assert run_notifications(app, now=morning + timedelta(hours=1)).digests == 0
    [mail] = outbox(app, "notification_digest")
    assert mail.to_address == "digest@nord.example"
    assert first.reference in mail.raw and second.reference in mail.raw
    assert "Marie" not in mail.raw
    with app.app_context():
        [row] = get_session().scalars(select(NotificationDigest))
        assert (row.day, row.count) == ("2026-12-02", 2)


def test_notify_callback_due_tells_its_owner_once_a_day(app, make_user, make_request):
    owner = make_user("operator", "sud", email="owner@sud.example")
    prefer(app, owner, callback="immediate")
    req = make_request(owner)
    now = datetime.now(UTC)
    act(
        app,
        lambda db: ops.add_callback(
            db, db.merge(owner), db.get(HelpRequest, req.id), due_at=now - timedelta(days=2), note=""
        ),
    )
    assert run_notifications(app, now=now).found == 1
    assert run_notifications(app, now=now + timedelta(minutes=5)).found == 0
    assert [n.detail for n in notifications(app, owner)] == ["overdue"]
    assert run_notifications(app, now=now + timedelta(days=1)).found == 1  # still overdue the next day
    assert [m.to_address for m in outbox(app)] == ["owner@sud.example"] * 2


@pytest.mark.parametrize(
    ("urgency", "late_after", "not_yet"),
    [
        ("urgent", timedelta(hours=1, minutes=1), timedelta(minutes=50)),
        ("high", timedelta(hours=5), timedelta(hours=3)),
    ],
)
def test_notify_unassigned_request_tells_the_coordinators_once(
    app, make_user, make_request, urgency, late_after, not_yet
):
    operator = make_user("operator", "sud")
    coordinator = make_user("coordinator", "sud")
    make_user("coordinator", "nord")
    req = make_request(operator, urgency=urgency)
    with app.app_context():
        created = get_session().get(HelpRequest, req.id).created_at
        assert get_session().get(HelpRequest, req.id).assigned_to_id is None
    assert run_notifications(app, now=created + not_yet).found == 0
    assert run_notifications(app, now=created + late_after).found == 1
    assert run_notifications(app, now=created + late_after * 2).found == 0
    [told] = notifications(app)
    assert (told.user_id, told.kind, told.detail) == (coordinator.id, "unassigned", urgency)


def test_notify_page_lists_marks_read_and_counts_in_the_navigation(app, client, make_user, make_request):
    sender = make_user("operator", "sud")
    reader = make_user("operator", "sud-est", locale="en")
    req = make_request(sender)
    hand_over(app, sender, req)
    run_notifications(app)
    assert login(client, reader.email).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert 'id="day-notifications"' in home and req.reference in home
    page = client.get("/notifications/").get_data(as_text=True)
    assert f"Request {req.reference} was handed over to" in page and "Mark as read" in page
    token = csrf_token(client, "/notifications/")
    response = client.post("/notifications/read", data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Mark as read" not in page
    assert 'id="day-notifications"' not in client.get("/").get_data(as_text=True)


def test_notify_preferences_on_the_account_page(app, client, make_user):
    user = make_user("operator", "sud", locale="fr")
    login(client, user.email)
    page = client.get("/auth/account").get_data(as_text=True)
    assert 'id="notification-preferences"' in page
    token = csrf_token(client, "/auth/account")
    response = client.post(
        "/notifications/preferences",
        data={
            "csrf_token": token,
            "transfer": "off",
            "callback": "immediate",
            "unassigned": "digest",
            "proposal": "immediate",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        from helpdesk.notify.operations import preferences_of

        assert preferences_of(get_session(), user.id) == {
            "transfer": "off",
            "callback": "immediate",
            "unassigned": "digest",
            "proposal": "immediate",
        }
    bad = client.post(
        "/notifications/preferences",
        data={"csrf_token": token, "transfer": "loud", "callback": "immediate", "unassigned": "digest"},
    )
    assert bad.status_code == 400
    assert "Choisissez une des options" in bad.get_data(as_text=True)


def test_notify_cli_runs_once_and_prints_a_summary(app, runner, make_user, make_request):
    sender = make_user("operator", "sud")
    make_user("operator", "sud-est")
    hand_over(app, sender, make_request(sender))
    result = runner.invoke(args=["notify", "run", "--json"])
    assert result.exit_code == 0, result.output
    assert '"found": 1' in result.output
    again = runner.invoke(args=["notify", "run"])
    assert again.output.startswith("0 new notifications")
    with app.app_context():
        assert get_session().scalar(select(func.count(Notification.id))) == 1


def test_notify_two_workers_at_once_make_and_mail_each_notification_once(app, make_user, make_request):
    sender = make_user("operator", "sud")
    readers = [make_user("operator", "sud-est") for _ in range(3)]
    for _ in range(4):
        hand_over(app, sender, make_request(sender))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            run_notifications(app)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(notifications(app)) == 4 * len(readers)
    mails = outbox(app, "notification")
    assert len(mails) == 4 * len(readers)
    assert len({(m.to_address, m.request_id) for m in mails}) == len(mails)


def test_notify_poller_is_registered_with_the_worker(app):
    from helpdesk.jobs.queue import POLLERS_EXTENSION
    from helpdesk.notify.poller import poll

    assert poll in app.extensions[POLLERS_EXTENSION]


def test_admin_sets_a_territory_address_used_for_transfers_and_reply_to(app, client, make_user, make_request):
    admin = make_user("admin", "region")
    login(client, admin.email)
    token = csrf_token(client, "/admin/territory-addresses")
    bad = client.post(
        "/admin/territory-addresses",
        data={"csrf_token": token, "address-sud-est": "not an address\r\nBcc: x"},
    )
    assert bad.status_code == 400
    saved = client.post(
        "/admin/territory-addresses", data={"csrf_token": token, "address-sud-est": "Sudest@Helpdesk.example"}
    )
    assert saved.status_code == 302
    assert 'value="Sudest@helpdesk.example"' in client.get("/admin/territory-addresses").get_data(
        as_text=True
    )
    sender = make_user("operator", "sud")
    make_user("operator", "sud-est")
    hand_over(app, sender, make_request(sender))
    run_notifications(app)
    assert [m.to_address for m in outbox(app)] == ["Sudest@helpdesk.example"]
    with app.test_request_context():
        from helpdesk.followup.orientation_mail import territory_reply_to

        assert territory_reply_to("sud-est") == "Sudest@helpdesk.example"
        assert territory_reply_to("nord") == ""


def test_notify_digest_leaves_out_a_kind_turned_off_meanwhile(app, make_user, make_request):
    sender = make_user("operator", "sud")
    reader = make_user("operator", "sud-est")
    prefer(app, reader, transfer="digest")
    hand_over(app, sender, make_request(sender))
    early = datetime(2026, 12, 2, 6, 0, tzinfo=BRUSSELS).astimezone(UTC)
    assert run_notifications(app, now=early).found == 1
    prefer(app, reader, transfer="off")
    assert run_notifications(app, now=early + timedelta(hours=3)).digests == 0
    assert outbox(app) == []
    [kept] = notifications(app, reader)  # still in the application until read
    assert kept.mail_state == "none"
