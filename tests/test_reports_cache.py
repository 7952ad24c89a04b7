"""The report's figures are kept per period, territory and data generation: a page viewed again is not
counted again, and any new or changed request gives new figures."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from helpdesk.db import get_engine, get_session
from helpdesk.followup.models import HelpRequest
from helpdesk.reports.cache import EXTENSION, data_generation
from tests.fixtures.reports import add_request


@pytest.fixture
def statements(app):
    """The SQL statements the app's engine runs, as they run (SQLAlchemy's cursor hook)."""
    seen: list[str] = []
    with app.app_context():
        engine = get_engine()

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _reading_requests(seen: list[str]) -> int:
    """Statements that read the requests (every query of the figures does, and the data generation)."""
    return sum(1 for s in seen if "help_requests" in s)


def _record(app, *created: str, territory: str = "sud") -> list[int]:
    """Requests created at those moments (UTC), committed; their ids."""
    with app.app_context():
        session = get_session()
        ids = [add_request(session, moment, territory, channel="phone").id for moment in created]
        session.commit()
    return ids


def _received(client, query: str) -> int:
    response = client.get(f"/reports/?{query}&format=json")
    assert response.status_code == 200
    return json.loads(response.data)["requests"]["received"]


def test_report_cache_second_public_quarter_view_is_not_recomputed(app, client, logged_in, statements):
    _record(app, *(f"2026-08-{day:02d}T09:00:00" for day in range(1, 7)))
    logged_in("coordinator", "region", locale="fr")
    cache = app.extensions[EXTENSION]

    statements.clear()
    first = client.get("/reports/?period=2026-Q3&territory=sud&public=1&format=json")
    assert first.status_code == 200
    # the quarter's family: the quarter and its three months, for the five basins, the region and all
    assert cache.computed["figures"] == 28 and cache.computed["family"] == 1
    assert _reading_requests(statements) > 28 * 10  # a report's figures take about twenty queries

    statements.clear()
    second = client.get("/reports/?period=2026-Q3&territory=sud&public=1&format=json")
    assert second.status_code == 200
    assert second.data == first.data
    assert json.loads(second.data)["requests"]["received"] == 6
    assert cache.computed["figures"] == 28 and cache.computed["family"] == 1
    assert cache.served["family"] >= 1
    assert _reading_requests(statements) == 1  # the data generation, nothing else

    # Another report of the same family (a month of the quarter, another basin) is counted already too.
    client.get("/reports/?period=2026-08&territory=nord&public=1")
    assert cache.computed["figures"] == 28


def test_report_cache_a_new_request_changes_the_figures(app, client, logged_in):
    _record(app, "2026-08-03T09:00:00")
    logged_in("coordinator", "region")
    cache = app.extensions[EXTENSION]
    assert _received(client, "period=2026-Q3&territory=sud") == 1
    assert _received(client, "period=2026-Q3&territory=sud") == 1
    computed = cache.computed["figures"]

    _record(app, "2026-08-04T09:00:00")
    assert _received(client, "period=2026-Q3&territory=sud") == 2
    assert cache.computed["figures"] == computed + 1


def test_report_cache_a_changed_request_changes_the_figures(app, client, logged_in):
    """A change in place (no new row) gives a new generation too: the request's version moves."""
    (request_id,) = _record(app, "2026-08-03T09:00:00")
    logged_in("coordinator", "region")
    assert _received(client, "period=2026-Q3&territory=sud") == 1
    assert _received(client, "period=2026-Q3&territory=nord") == 0
    with app.app_context():
        session = get_session()
        before = data_generation(session)
        session.get(HelpRequest, request_id).territory = "nord"
        session.commit()
        assert data_generation(session) != before
    assert _received(client, "period=2026-Q3&territory=sud") == 0
    assert _received(client, "period=2026-Q3&territory=nord") == 1


def test_report_cache_side_by_side_reads_the_same_cached_figures(app, client, logged_in):
    _record(app, "2026-08-03T09:00:00")
    logged_in("coordinator", "region")
    cache = app.extensions[EXTENSION]
    assert client.get("/reports/territories?period=2026-Q3&public=1").status_code == 200
    computed = dict(cache.computed)
    assert computed["figures"] == 28
    assert client.get("/reports/?period=2026-Q3&territory=nord&public=1").status_code == 200
    assert client.get("/reports/territories?period=2026-Q3").status_code == 200
    assert dict(cache.computed) == computed
