"""Who follows a new request: the operator who records it, unless they tick "leave it in the queue for the
team"; what that does to the territory's queue and to the coordinators' "still unassigned" notifications.
Real HTTP with CSRF, the real notification poller."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from helpdesk.db import get_session
from helpdesk.followup.models import HelpRequest, RequestEvent
from helpdesk.notify.models import Notification
from helpdesk.notify.poller import run_notifications
from tests.conftest import csrf_token, login
from tests.test_followup import INTAKE


def record(client, **changes) -> int:
    data = {**INTAKE, **changes, "csrf_token": csrf_token(client, "/requests/new")}
    response = client.post("/requests/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/requests/(\d+)$", response.headers["Location"]).group(1))


def stored(app, request_id: int) -> HelpRequest:
    with app.app_context():
        return get_session().get(HelpRequest, request_id)


def queue_of(client) -> str:
    """The queue part of the requests page: the new or unassigned requests of the territory."""
    page = client.get("/requests/").get_data(as_text=True)
    return page[page.index('id="queue"') : page.index('id="all"')]


def unassigned_notifications(app) -> list[Notification]:
    with app.app_context():
        return list(get_session().scalars(select(Notification).where(Notification.kind == "unassigned")))


def test_intake_page_offers_to_leave_the_request_in_the_queue(client, logged_in, themes):
    logged_in("operator", "sud", locale="fr")
    page = client.get("/requests/new").get_data(as_text=True)
    assert 'name="leave_in_queue"' in page and "Laisser dans la file de l" in page
    assert 'name="leave_in_queue" type="checkbox" value="y">' in page  # not ticked: the default is to take it


def test_intake_the_recording_operator_follows_the_new_request(app, client, make_user, themes):
    operator = make_user("operator", "sud", name="Inès Operator", locale="en")
    colleague = make_user("operator", "sud")
    make_user("coordinator", "sud")
    assert login(client, operator.email).status_code == 302
    request_id = record(client)
    req = stored(app, request_id)
    assert (req.assigned_to_id, req.status) == (operator.id, "in_progress")
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert re.search(r"Followed by</dt><dd>Inès Operator</dd>", page)
    with app.app_context():
        kinds = list(
            get_session().scalars(
                select(RequestEvent.kind)
                .where(RequestEvent.request_id == request_id)
                .order_by(RequestEvent.id)
            )
        )
    assert kinds[:2] == ["created", "updated"]  # the timeline says who took it, as when taking it later
    other = app.test_client()
    assert login(other, colleague.email).status_code == 302
    assert req.reference not in queue_of(other)  # not in the queue
    assert run_notifications(app, now=req.created_at + timedelta(days=5)).found == 0
    assert unassigned_notifications(app) == []


def test_intake_left_in_the_queue_waits_unassigned_and_the_coordinator_is_told(
    app, client, make_user, themes
):
    operator = make_user("operator", "sud")
    colleague = make_user("operator", "sud")
    coordinator = make_user("coordinator", "sud")
    assert login(client, operator.email).status_code == 302
    request_id = record(client, leave_in_queue="y")
    req = stored(app, request_id)
    assert (req.assigned_to_id, req.status) == (None, "new")
    other = app.test_client()
    assert login(other, colleague.email).status_code == 302
    assert req.reference in queue_of(other)  # waits in the queue
    assert run_notifications(app, now=req.created_at + timedelta(minutes=5)).found == 0
    assert run_notifications(app, now=req.created_at + timedelta(days=5)).found == 1
    [told] = unassigned_notifications(app)
    assert (told.user_id, told.request_id) == (coordinator.id, request_id)


def test_correcting_a_request_has_no_queue_box_and_keeps_who_follows_it(app, client, logged_in, themes):
    logged_in("operator", "sud")
    request_id = record(client)
    page = client.get(f"/requests/{request_id}/edit").get_data(as_text=True)
    assert "leave_in_queue" not in page
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    data = {**INTAKE, "question": "Cherche un hébergement pour deux nuits.", "version": version}
    data["csrf_token"] = csrf_token(client, f"/requests/{request_id}/edit")
    assert client.post(f"/requests/{request_id}/edit", data=data).status_code == 302
    req = stored(app, request_id)
    assert req.question == "Cherche un hébergement pour deux nuits." and req.assigned_to_id is not None


def test_intake_checkboxes_carry_the_words_the_type_ahead_matches(client, logged_in, themes):
    logged_in("operator", "sud", locale="nl")
    page = client.get("/requests/new").get_data(as_text=True)
    assert re.search(
        r'data-search="arabic arabe arabisch"[^>]*value="ar"|value="ar"[^>]*data-search="arabic arabe arabisch"',
        page,
    )
    flag = re.search(r'<input[^>]*value="no_fixed_address"[^>]*>', page).group(0)
    assert all(word in flag for word in ("sans abri", "dakloos", "homeless", "sans domicile fixe"))
    theme = re.search(r'<input[^>]*value="housing"[^>]*>', page).group(0)
    assert "logement et sans abrisme" in theme and "huisvesting en dakloosheid" in theme
    assert "data-multiselect" in page and 'id="languages"' in page
