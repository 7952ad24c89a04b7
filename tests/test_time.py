"""Time: every stored instant comes back timezone-aware UTC, on SQLite and PostgreSQL alike, and the one
``TIMEZONE`` setting decides the local days and months of pages, reports and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from helpdesk import create_app
from helpdesk.auth.models import LoginFailure
from helpdesk.db import get_session
from helpdesk.followup.models import HelpRequest
from tests.conftest import app_config

SUMMER = timezone(timedelta(hours=2))  # Brussels in summer, written as an offset


def _fresh_session(app):
    return app.extensions["db_sessionmaker"]()


def test_utc_datetime_round_trip_returns_aware_utc(app):
    moment = datetime(2026, 7, 1, 14, 30, tzinfo=SUMMER)
    with app.app_context():
        db = get_session()
        db.add(LoginFailure(email="a@example.org", at=moment))
        db.commit()
        fresh = _fresh_session(app)
        try:
            stored = fresh.scalar(select(LoginFailure.at))
            # The same instant, handed back in UTC, whatever offset it was written with.
            assert stored == moment and stored.tzinfo is UTC and stored.hour == 12
            # Comparisons in SQL see the instant too (SQLite would otherwise compare wall clocks).
            assert fresh.scalar(select(LoginFailure.id).where(LoginFailure.at == moment)) is not None
            later = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # 15:00 in Brussels: after the failure
            assert fresh.scalar(select(LoginFailure.id).where(LoginFailure.at < later)) is not None
        finally:
            fresh.close()


def test_utc_datetime_takes_a_naive_value_as_utc(app):
    with app.app_context():
        db = get_session()
        db.add(LoginFailure(email="b@example.org", at=datetime(2026, 1, 5, 9, 0)))
        db.commit()
        fresh = _fresh_session(app)
        try:
            assert fresh.scalar(select(LoginFailure.at)) == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
            # Aggregates keep the column's type: aware too.
            assert fresh.scalar(select(func.max(LoginFailure.at))).tzinfo is UTC
        finally:
            fresh.close()


def test_timezone_setting_drives_the_pages_times_and_refuses_a_bad_zone(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config(database_url, tmp_path) | {"TIMEZONE": "America/New_York"})
    try:
        assert app.config["BABEL_DEFAULT_TIMEZONE"] == "America/New_York"
        with app.test_request_context():
            # What pages show: 12:00 UTC on 1 July is 08:00 in New York (summer time).
            rendered = app.jinja_env.from_string("{{ format_datetime(moment, 'HH:mm') }}").render(
                moment=datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
            )
            assert rendered == "08:00"
    finally:
        app.extensions["db_engine"].dispose()
    with pytest.raises(ValueError, match="TIMEZONE"):
        create_app(app_config(database_url, tmp_path) | {"TIMEZONE": "Mars/Olympus"})


def _received_in_october(app, tmp_path, name: str) -> int:
    output = tmp_path / f"{name}.json"
    result = app.test_cli_runner().invoke(
        args=["report", "monthly", "--month", "2026-10", "--territory", "sud", "--format", "json"]
        + ["--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(output.read_text())["requests"]["received"]


@pytest.mark.parametrize(("zone", "in_october"), [("Europe/Brussels", 1), ("UTC", 0), ("Asia/Tokyo", 1)])
def test_report_month_follows_the_configured_timezone(
    app, make_user, make_request, database_url, tmp_path, monkeypatch, zone, in_october
):
    # 30 September 22:30 UTC: 1 October 00:30 in Brussels, 07:30 in Tokyo, still September in UTC.
    user = make_user(role="coordinator", territory="sud")
    request = make_request(user)
    with app.app_context():
        db = get_session()
        moment = datetime(2026, 9, 30, 22, 30, tzinfo=UTC)
        db.execute(update(HelpRequest).where(HelpRequest.id == request.id).values(created_at=moment))
        db.commit()
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(tmp_path / "instance"))
    zoned = create_app(app_config(database_url, tmp_path) | {"TIMEZONE": zone})
    try:
        assert _received_in_october(zoned, tmp_path, zone.replace("/", "-")) == in_october
    finally:
        zoned.extensions["db_engine"].dispose()
