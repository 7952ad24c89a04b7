"""``helpdesk demo seed``: the demo accounts' year of invented activity, made by the request operations, and
the demo accounts opening in the browser's language."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from directory_import.territory import TERRITORIES
from helpdesk.cli import DEMO_ACCOUNTS, DEMO_PASSWORD
from helpdesk.db import get_session
from helpdesk.followup.models import Callback, HelpRequest, Lead, RequestEvent, Transfer, UnmetNeed
from helpdesk.identity import find_identity
from tests.conftest import login

N = 160


@pytest.fixture
def directory(runner, tmp_path):
    from directory_import.sample import write_sample

    path = tmp_path / "sample.json"
    write_sample(path, count=120)
    result = runner.invoke(args=["directory", "import", str(path), "--quiet"])
    assert result.exit_code == 0, result.output


def _seed(runner, count: int = N) -> str:
    result = runner.invoke(args=["demo", "seed", "--requests", str(count)])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_seed_generates_a_year_of_activity_once(app, runner, directory):
    output = _seed(runner)
    assert f"Demo activity: {N} requests generated" in output
    with app.app_context():
        db = get_session()
        requests = db.scalars(select(HelpRequest)).all()
        assert len(requests) == N
        territories = Counter(r.received_territory for r in requests)
        assert set(territories) == set(TERRITORIES), territories
        assert min(territories.values()) >= N // 20
        outcomes = set(db.scalars(select(Lead.outcome)))
        assert {"accepted", "waiting_list", "refused", "unreachable"} <= outcomes
        assert db.scalar(select(func.count(UnmetNeed.id))) > 0
        assert db.scalar(select(func.count(Transfer.id)).where(Transfer.kind == "transfer")) > 0
        kinds = set(db.scalars(select(RequestEvent.kind)))
        assert {"created", "lead_added", "lead_updated", "callback_added", "closed"} <= kinds
        closed = [r for r in requests if r.status == "closed"]
        assert closed and sum(1 for r in closed if r.feedback_given) > len(closed) / 2
        assert any(r.status != "closed" for r in requests)
        # Spread over the last twelve months, never in the future, each request's timeline after its creation.
        now = datetime.now(UTC)
        created = [r.created_at for r in requests]
        assert min(created) < now - timedelta(days=250) and max(created) <= now
        assert len({(c.year, c.month) for c in created}) >= 11
        late = db.scalar(
            select(func.count(RequestEvent.id))
            .join(HelpRequest, RequestEvent.request_id == HelpRequest.id)
            .where(RequestEvent.at < HelpRequest.created_at)
        )
        assert late == 0
        assert db.scalar(select(func.count(Callback.id)).where(Callback.done_at.is_(None))) > 0

    # Idempotent: a second run adds nothing; a larger count adds only the missing requests.
    assert "0 requests generated" in _seed(runner)
    assert "20 requests generated in" in _seed(runner, N + 20)
    with app.app_context():
        assert get_session().scalar(select(func.count(HelpRequest.id))) == N + 20


def test_demo_activity_texts_identify_nobody(app, runner, directory):
    _seed(runner)
    with app.app_context():
        db = get_session()
        texts = [r.question for r in db.scalars(select(HelpRequest))]
        texts += [r.feedback_text or r.feedback_missing_reason for r in db.scalars(select(HelpRequest))]
        texts += [note for note in db.scalars(select(Lead.note))]
        texts += [note for note in db.scalars(select(UnmetNeed.note))]
        texts += [note for note in db.scalars(select(Callback.note))]
        texts += [note for note in db.scalars(select(Transfer.note))]
        texts += [str(e.changes.get("note", "")) for e in db.scalars(select(RequestEvent))]
        texts = [t for t in texts if t]
        assert len(texts) > N
        found = {t: find_identity(t) for t in set(texts) if find_identity(t)}
        assert found == {}
        assert all(r.caller_name == "" for r in db.scalars(select(HelpRequest)))


def test_demo_seed_without_a_directory_creates_only_the_accounts(app, runner):
    output = _seed(runner)
    assert "No directory imported yet" in output
    with app.app_context():
        assert get_session().scalar(select(func.count(HelpRequest.id))) == 0


@pytest.mark.parametrize(
    ("header", "expected"), [("nl-BE,nl;q=0.9", "nl"), ("fr-BE,fr;q=0.8", "fr"), ("en", "en")]
)
def test_demo_accounts_open_in_the_browser_language(app, runner, header, expected):
    _seed(runner)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = header
    for email, *_ in DEMO_ACCOUNTS[:1] + DEMO_ACCOUNTS[-1:]:
        assert login(client, email, DEMO_PASSWORD).status_code == 302
        page = client.get("/").get_data(as_text=True)
        assert f'<html lang="{expected}">' in page, email
        client.post("/auth/logout", data={"csrf_token": _token(client)})


def test_demo_account_keeps_the_language_its_user_chose(app, runner):
    _seed(runner)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-BE,fr"
    assert login(client, "operator.sud@demo.example", DEMO_PASSWORD).status_code == 302
    assert client.post("/language", data={"language": "nl", "csrf_token": _token(client)}).status_code == 302
    client.post("/auth/logout", data={"csrf_token": _token(client)})
    other = app.test_client()  # another browser, in French: the account's choice wins
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-BE,fr"
    assert login(other, "operator.sud@demo.example", DEMO_PASSWORD).status_code == 302
    assert '<html lang="nl">' in other.get("/").get_data(as_text=True)


def _token(client) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/").get_data(as_text=True))
    assert match
    return match.group(1)
