"""Bad input found by hand or by fuzzing answers 400 (or a safe redirect) in the user's language, never a 500:
report months at the edge of the calendar, a sign-in's ``next`` with control characters, ids and limits that
are digits only to ``str.isdigit`` or too large for the database, dates a time zone cannot hold."""

from __future__ import annotations

import html

import pytest

from tests.conftest import TEST_PASSWORD, csrf_token
from tests.test_api_requests import NEW_REQUEST, call  # noqa: F401 - fixtures
from tests.test_followup import post_intake, version_on

EDGE_MONTHS = ["0000-01", *[f"0001-{m:02d}" for m in range(1, 13)], "9999-12", "1899-12", "3000-01"]


@pytest.mark.parametrize("month", EDGE_MONTHS)
def test_report_page_month_out_of_the_calendar_is_400_with_a_message(client, logged_in, month):
    logged_in("coordinator", "sud")
    for fmt in ("", "csv", "xlsx", "json"):
        response = client.get(f"/reports/?month={month}&format={fmt}")
        assert response.status_code == 400
        assert "Aucun rapport pour" in html.unescape(response.get_data(as_text=True))


EDGE_PERIODS = [
    "0000",
    "9999-Q4",
    "1899-Q4",
    "2026-Q5",
    "2026-06..2026-01",
    "2026-13",
    "2026-01..2030-12",
    "%00",
    "x" * 500,
]


@pytest.mark.parametrize("period", EDGE_PERIODS)
def test_report_page_bad_period_is_400_with_a_message(client, logged_in, period):
    logged_in("coordinator", "region")
    for path in ("/reports/", "/reports/territories"):
        for fmt in ("", "csv", "json"):
            response = client.get(path, query_string={"period": period, "format": fmt})
            assert response.status_code == 400
            text = html.unescape(response.get_data(as_text=True))
            assert "Aucun rapport pour" in text or "n'est pas une période" in text


def test_report_command_month_out_of_the_calendar_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(
        args=["report", "monthly", "--month", "0001-01", "--output", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2 and "1900-01" in result.output


@pytest.mark.parametrize(
    "target",
    [
        "/%0d%0aSet-Cookie:%20x=1",
        "/%0aLocation:%20//evil.example",
        "/\\evil.example",
        "/%09/evil.example",
        "/%7f",
        "//evil.example",
        "https://evil.example/",
    ],
)
def test_login_with_a_hostile_next_redirects_home(client, make_user, target):
    user = make_user("operator", "sud")
    response = client.post(
        f"/auth/login?next={target}",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_login_keeps_a_local_next(client, make_user):
    user = make_user("operator", "sud")
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=/requests/todo",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/requests/todo")


@pytest.mark.parametrize("limit", ["²", "1²", "٣", "9" * 30, "-1", "0"])
def test_api_requests_list_odd_limit_is_400(make_user, token_of, call, limit):
    status, body = call("GET", f"/api/v1/requests?limit={limit}", token_of(make_user("operator", "sud")))
    assert status == 400 and "limit" in body["fields"]


@pytest.mark.parametrize("organisation_id", [10**30, 2**63, -1])
def test_api_ids_too_large_for_the_database_are_400(
    make_user, make_request, themes, token_of, call, organisation_id
):
    sud = make_user("operator", "sud")
    headers = token_of(sud)
    req = make_request(sud)
    status, body = call(
        "POST", f"/api/v1/requests/{req.id}/leads", headers, {"organisation_id": organisation_id}
    )
    assert status == 400 and "organisation_id" in body["fields"]
    status, body = call(
        "POST",
        "/api/v1/requests",
        headers,
        {**NEW_REQUEST, "caller": {"name": "Marie", "organisation_id": organisation_id}},
    )
    assert status == 400


@pytest.mark.parametrize(
    "path",
    [
        "/requests/99999999999999999999",
        "/requests/99999999999999999999/edit",
        "/directory/organisations/99999999999999999999",
        "/api/v1/requests/99999999999999999999",
        "/api/v1/organisations/99999999999999999999",
    ],
)
def test_pages_with_an_id_too_large_are_404(client, logged_in, make_user, token_of, path):
    user = logged_in("operator", "sud")
    headers = token_of(user) if path.startswith("/api/") else {}
    assert client.get(path, headers=headers).status_code == 404


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "9" * 5000])
def test_intake_odd_organisation_id_is_ignored_not_a_crash(client, logged_in, themes, value):
    logged_in("operator", "sud")
    assert post_intake(client, caller_organisation_id=value).status_code == 302


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_request_update_odd_assignee_is_a_form_error(client, logged_in, make_request, value):
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    response = client.post(
        f"/requests/{req.id}",
        data={
            "upd-version": version_on(page, "upd"),
            "upd-status": "in_progress",
            "upd-urgency": "normal",
            "upd-assigned_to": value,
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "0001-01-01T00:00"])
def test_dates_a_time_zone_cannot_hold_are_form_errors(client, logged_in, make_request, value):
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    token = csrf_token(client, "/")
    callback = client.post(
        f"/requests/{req.id}/callbacks",
        data={"cb-due_date": value[:10], "cb-due_time": "00:00", "csrf_token": token},
    )
    close = client.post(
        f"/requests/{req.id}/close",
        data={
            "cl-version": version_on(page, "cl"),
            "cl-feedback_given": "yes",
            "cl-feedback_channel": "phone",
            "cl-feedback_text": "Orientée",
            "cl-feedback_at": value[:10] + "T00:00",
            "csrf_token": token,
        },
    )
    assert (callback.status_code, close.status_code) == (400, 400)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_api_close_feedback_at_out_of_range_is_400(make_user, make_request, token_of, call, value):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    status, body = call(
        "POST",
        f"/api/v1/requests/{req.id}/close",
        token_of(sud),
        {"feedback": "Orientée", "feedback_at": value},
    )
    assert status == 400 and "feedback_at" in body["fields"]


@pytest.mark.parametrize("action", ["dismiss", "merge"])
def test_duplicate_pair_with_an_id_too_large_is_not_a_crash(client, logged_in, action):
    logged_in("coordinator", "region")
    response = client.post(
        f"/admin/duplicates/{action}",
        data={
            "first_id": "99999999999999999999",
            "second_id": "1",
            "keep": "first",
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code < 500
