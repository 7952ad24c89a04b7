"""The home page: the operator's day at a glance, by role and territory, in French and Dutch (real HTTP)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from helpdesk.auth import operations as accounts
from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest
from tests.conftest import csrf_token, login

TEXTS = {
    "fr": {
        "overdue": "Rappels en retard",
        "handed": "Transmises à nous",
        "no_news": "Pas de nouvelles depuis votre dernière consultation.",
        "queue_empty": "La file est vide.",
        "confirm": "1 compte à confirmer",
        "shared_by": "partagée pour avis par Bassin Nord",
        "report": r"Lire le rapport de [a-zéû]+ \d{4}",
    },
    "nl": {
        "overdue": "Achterstallige terugbelafspraken",
        "handed": "Aan ons doorgegeven",
        "no_news": "Geen nieuws sinds u ze laatst opende.",
        "queue_empty": "De wachtrij is leeg.",
        "confirm": "1 account te bevestigen",
        "shared_by": "gedeeld voor advies door",
        "report": r"Het verslag van [a-z]+ \d{4} lezen",
    },
}


def block(page: str, name: str) -> str:
    start = page.find(f'id="day-{name}"')
    assert start != -1, f"no block {name}"
    return page[start : page.find("</section>", start)]


def act(app, fn):
    with app.app_context():
        db = get_session()
        result = fn(db)
        db.commit()
        return result


def plan_callback(app, user, req, due_at):
    return act(
        app,
        lambda db: (
            ops.add_callback(
                db, db.merge(user), db.get(HelpRequest, req.id), due_at=due_at, note="rappeler"
            ).id
        ),
    )


def take(app, user, req):
    act(
        app,
        lambda db: ops.update_request(
            db, db.merge(user), db.get(HelpRequest, req.id), expected_version=None, assign_to=db.merge(user)
        ),
    )


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_home_operator_sees_the_day_of_their_territory_only(app, client, make_user, make_request, locale):
    sud = make_user("operator", "sud", locale=locale)
    nord = make_user("operator", "nord")
    region = make_user("operator", "region")
    late, today, queued = make_request(sud), make_request(sud), make_request(sud)
    take(app, sud, late)
    take(app, sud, today)
    now = datetime.now(UTC)
    plan_callback(app, sud, late, now - timedelta(hours=2))
    plan_callback(app, sud, today, now + timedelta(minutes=1))
    elsewhere = make_request(nord)
    plan_callback(app, nord, elsewhere, now - timedelta(hours=2))
    shared = make_request(nord)
    act(
        app,
        lambda db: ops.share_request(
            db, db.merge(nord), db.get(HelpRequest, shared.id), to="sud", note="Un avis ?"
        ),
    )
    handed = make_request(region)
    act(
        app,
        lambda db: ops.transfer_request(
            db,
            db.merge(region),
            db.get(HelpRequest, handed.id),
            to="sud",
            note="Pour vous",
            expected_version=None,
        ),
    )
    login(client, sud.email)
    page = client.get("/").get_data(as_text=True)
    assert TEXTS[locale]["overdue"] in page
    assert late.reference in block(page, "overdue") and today.reference not in block(page, "overdue")
    assert today.reference in block(page, "today")
    assert queued.reference in block(page, "queue") and handed.reference not in block(page, "queue")
    assert handed.reference in block(page, "handed") and shared.reference in block(page, "handed")
    assert TEXTS[locale]["shared_by"] in block(page, "handed")
    assert TEXTS[locale]["no_news"] in block(page, "news")
    assert 'href="/requests/todo#overdue"' in block(page, "overdue")
    assert elsewhere.reference not in page  # nothing from another basin
    assert 'id="day-coordination"' not in page
    # The navigation counts the callbacks due (overdue and today) and the queue (queued and handed).
    nav = page[page.find('class="main-nav"') : page.find("</nav>")]
    assert re.search(r"/requests/todo\">[^<]*<span class=\"badge nav-count\">2</span>", nav)
    assert re.search(r"/requests/\">[^<]*<span class=\"badge nav-count\">2</span>", nav)


def test_home_a_share_answered_by_our_territory_leaves_the_handed_block(app, client, make_user, make_request):
    sud, nord = make_user("operator", "sud"), make_user("operator", "nord")
    shared = make_request(nord)
    act(
        app,
        lambda db: ops.share_request(db, db.merge(nord), db.get(HelpRequest, shared.id), to="sud", note="?"),
    )
    act(app, lambda db: ops.add_comment(db, db.merge(sud), db.get(HelpRequest, shared.id), note="Essayez X."))
    login(client, sud.email)
    page = client.get("/").get_data(as_text=True)
    assert shared.reference not in block(page, "handed")


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_home_news_on_a_followed_request_until_it_is_opened(app, client, make_user, make_request, locale):
    sud, colleague = make_user("operator", "sud", locale=locale), make_user("operator", "sud")
    req = make_request(sud)
    take(app, sud, req)
    login(client, sud.email)
    client.get(f"/requests/{req.id}")
    assert req.reference not in block(client.get("/").get_data(as_text=True), "news")
    act(
        app, lambda db: ops.add_comment(db, db.merge(colleague), db.get(HelpRequest, req.id), note="Rappelé.")
    )
    page = client.get("/").get_data(as_text=True)
    assert req.reference in block(page, "news") and f'href="/requests/{req.id}#timeline"' in block(
        page, "news"
    )
    client.get(f"/requests/{req.id}")
    page = client.get("/").get_data(as_text=True)
    assert req.reference not in block(page, "news") and TEXTS[locale]["no_news"] in block(page, "news")


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_home_regional_coordinator_sees_accounts_to_confirm_and_last_months_report(
    app, client, make_user, locale
):
    coordinator = make_user("coordinator", "region", locale=locale)
    act(
        app,
        lambda db: accounts.create_user(
            db,
            app.extensions["passwords"],
            email="new.operator@test.example",
            password=None,
            role="operator",
            territory="region",
            confirmed=False,
        ),
    )
    login(client, coordinator.email)
    page = client.get("/").get_data(as_text=True)
    waiting = block(page, "coordination")
    assert TEXTS[locale]["confirm"] in waiting and 'href="/auth/confirmations"' in waiting
    assert re.search(r'href="/reports/\?month=\d{4}-\d{2}"', waiting)
    assert re.search(TEXTS[locale]["report"], waiting)
    assert TEXTS[locale]["queue_empty"] in block(page, "queue")


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_home_admin_gets_the_menu_without_request_blocks(client, logged_in, locale):
    logged_in("admin", "region", locale=locale)
    page = client.get("/").get_data(as_text=True)
    assert 'id="day-' not in page
    assert 'href="/admin/' in page


# ---------------------------------------------------------------- request page: closing, transfer, timeline


def test_closing_form_prefills_when_with_local_now_and_groups_the_fields(
    app, client, logged_in, make_request
):
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    value = re.search(
        r'id="cl-feedback_at" name="cl-feedback_at" type="datetime-local" value="([^"]+)"', page
    )
    assert value, page[page.find('id="close-form"') :][:2000]
    with app.app_context():
        from helpdesk.i18n import local_zone

        shown = datetime.strptime(value.group(1), "%Y-%m-%dT%H:%M").replace(tzinfo=local_zone())
    assert abs(shown - datetime.now(UTC)) < timedelta(minutes=5)
    form = page[page.find('id="close-form"') : page.find("</form>", page.find('id="close-form"'))]
    assert 'data-feedback="yes"' in form and 'data-feedback="no"' in form
    assert form.find('id="cl-missing_reason"') > form.find('data-feedback="no"')
    assert "js/closing.js" in page


def transfer(client, req, choice: str | None):
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    version = re.search(r'id="tr-version" name="tr-version" type="hidden" value="(\d+)"', page).group(1)
    data = {
        "tr-version": version,
        "tr-to": "region",
        "tr-note": "Pour le régional",
        "csrf_token": csrf_token(client, "/"),
    }
    if choice:
        data["tr-callbacks"] = choice
    return client.post(f"/requests/{req.id}/transfer", data=data, follow_redirects=True)


def test_transfer_asks_what_becomes_of_a_planned_callback(app, client, logged_in, make_request):
    user = logged_in("operator", "sud", locale="nl")
    req = make_request(user)
    plan_callback(app, user, req, datetime.now(UTC) + timedelta(days=1))
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'id="transfer-callbacks"' in page and 'value="move"' in page and 'value="cancel"' in page


def test_transfer_moves_the_callback_to_whoever_takes_it_there(app, client, make_user, make_request):
    sud, region = make_user("operator", "sud", locale="nl"), make_user("operator", "region")
    req = make_request(sud)
    callback_id = plan_callback(app, sud, req, datetime.now(UTC) - timedelta(hours=1))
    login(client, sud.email)
    page = transfer(client, req, "move").get_data(as_text=True)
    assert "1 geplande terugbelafspraak gaat mee" in page
    assert "Terugbelafspraak gaat mee met de aanvraag" in page  # the timeline line
    with app.app_context():
        from helpdesk.followup.models import Callback

        callback = get_session().get(Callback, callback_id)
        assert callback.done_at is None and callback.assigned_to_id is None
    other = app.test_client()
    login(other, region.email)
    queue = other.get("/requests/").get_data(as_text=True)
    queue = queue[queue.find('id="queue"') : queue.find('id="all"')]
    assert req.reference in queue and "Rappel " in queue  # the callback shows in the new territory's queue
    assert "Rappel " in block(other.get("/").get_data(as_text=True), "handed")
    take(app, region, req)
    assert req.reference in block(other.get("/").get_data(as_text=True), "overdue")


def test_transfer_can_cancel_the_callback_with_a_line_in_the_timeline(app, client, make_user, make_request):
    sud = make_user("operator", "sud", locale="nl")
    req = make_request(sud)
    take(app, sud, req)
    callback_id = plan_callback(app, sud, req, datetime.now(UTC) - timedelta(hours=1))
    login(client, sud.email)
    page = transfer(client, req, "cancel").get_data(as_text=True)
    assert "1 geplande terugbelafspraak werd geannuleerd." in page
    assert "Terugbelafspraak geannuleerd" in page and "geannuleerd</span>" in page
    with app.app_context():
        from helpdesk.followup.models import Callback

        callback = get_session().get(Callback, callback_id)
        assert callback.cancelled_at is not None and callback.done_at is not None
    assert req.reference not in client.get("/").get_data(as_text=True).split('id="day-overdue"')[1][:2000]


def test_transfer_refuses_an_unknown_callback_choice(app, client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user)
    plan_callback(app, user, req, datetime.now(UTC) + timedelta(days=1))
    response = transfer(client, req, "lose")
    assert response.status_code == 400


def test_timeline_shows_the_closing_channel_label_in_dutch(app, client, logged_in, make_request):
    user = logged_in("operator", "sud", locale="nl")
    req = make_request(user)
    act(
        app,
        lambda db: ops.close_request(
            db,
            db.merge(user),
            db.get(HelpRequest, req.id),
            ops.ClosingRecord(feedback_given=True, feedback_channel="phone", feedback_text="Doorverwezen."),
            expected_version=None,
        ),
    )
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    timeline = page[page.find('id="timeline"') :]
    assert "Telefoon" in timeline and not re.search(r"\bphone\b", timeline)


def home_statements(app, client) -> int:
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_home_runs_as_many_queries_for_one_request_as_for_many(app, client, make_user, make_request):
    sud, colleague = make_user("operator", "sud"), make_user("operator", "sud")
    login(client, sud.email)

    def add_followed_request_with_news() -> None:
        req = make_request(sud)
        take(app, sud, req)
        plan_callback(app, sud, req, datetime.now(UTC) - timedelta(hours=1))
        act(app, lambda db: ops.add_comment(db, db.merge(colleague), db.get(HelpRequest, req.id), note="Vu."))
        make_request(sud)

    add_followed_request_with_news()
    few = home_statements(app, client)
    for _ in range(5):
        add_followed_request_with_news()
    assert home_statements(app, client) == few  # no query per row (no N+1)
