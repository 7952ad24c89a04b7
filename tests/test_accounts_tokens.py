"""API tokens: they expire, their owner and the admins see and revoke them, a password change ends them,
and a request with an ``Authorization`` header is authenticated by it alone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from helpdesk.auth import operations as accounts
from helpdesk.auth.models import ApiToken, User
from helpdesk.db import get_session
from helpdesk.followup.models import HelpRequest
from tests.conftest import TEST_PASSWORD, csrf_token, login
from tests.test_api_requests import NEW_REQUEST


@pytest.fixture
def token_for(app):
    def make(user, label: str = "script", **kwargs) -> str:
        with app.app_context():
            db = get_session()
            token = accounts.create_api_token(db, db.get(User, user.id), label, **kwargs)
            db.commit()
        return token

    return make


def _api(client, token: str):
    return client.get("/api/v1/organisations?q=x", headers={"Authorization": f"Bearer {token}"})


def _age_tokens(app, days: int) -> None:
    with app.app_context():
        db = get_session()
        for row in db.scalars(select(ApiToken)):
            row.created_at = row.created_at - timedelta(days=days)
            row.expires_at = row.expires_at - timedelta(days=days)
        db.commit()


def test_api_token_expires_after_ninety_days_by_default(app, client, make_user, token_for):
    token = token_for(make_user())
    assert _api(client, token).status_code == 200
    _age_tokens(app, 89)
    assert _api(client, token).status_code == 200
    _age_tokens(app, 2)
    assert _api(client, token).status_code == 401


def test_api_token_lifetime_comes_from_the_setting(app, make_user, runner):
    app.config["API_TOKEN_DAYS"] = 7
    user = make_user()
    token = runner.invoke(args=["users", "token", user.email]).output.strip()
    with app.app_context():
        row = get_session().scalar(select(ApiToken))
        assert accounts.token_expiry(row) - row.created_at == timedelta(days=7)
        assert accounts.user_for_api_token(get_session(), token, days=7) is not None


def test_api_token_made_before_expiry_existed_counts_from_its_creation(app, client, make_user, token_for):
    token = token_for(make_user())
    with app.app_context():
        db = get_session()
        db.execute(
            update(ApiToken).values(expires_at=None, created_at=accounts.utcnow() - timedelta(days=91))
        )
        db.commit()
    assert _api(client, token).status_code == 401


def test_api_token_last_use_is_written_at_most_once_a_minute(app, client, make_user, token_for):
    token = token_for(make_user())
    assert _api(client, token).status_code == 200
    with app.app_context():
        first = get_session().scalar(select(ApiToken.last_used_at))
    for _ in range(3):
        assert _api(client, token).status_code == 200
    with app.app_context():
        assert get_session().scalar(select(ApiToken.last_used_at)) == first
        db = get_session()
        db.execute(update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
        db.commit()
    assert _api(client, token).status_code == 200
    with app.app_context():
        assert get_session().scalar(select(ApiToken.last_used_at)) > first


def test_account_page_lists_own_tokens_with_label_dates_and_expiry(client, logged_in, make_user, token_for):
    user = logged_in("operator", "sud")
    token_for(user, "nightly export")
    token_for(make_user(), "someone else's")
    html = client.get("/auth/account").get_data(as_text=True)
    assert "nightly export" in html
    assert "someone else" not in html
    assert html.count('<form method="post" action="/auth/tokens/') == 1


def test_account_page_speaks_the_users_language(client, logged_in, token_for):
    user = logged_in("operator", "sud", locale="nl")
    token_for(user, "export")
    html = client.get("/auth/account").get_data(as_text=True)
    assert "Mijn account" in html
    assert "Laatst gebruikt" in html


def test_user_revokes_own_token_and_it_stops_working(app, client, logged_in, token_for):
    user = logged_in("operator", "sud")
    token = token_for(user)
    with app.app_context():
        token_id = get_session().scalar(select(ApiToken.id))
    response = client.post(
        f"/auth/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/auth/account")}
    )
    assert response.status_code == 302
    assert _api(app.test_client(), token).status_code == 401
    page = client.get("/auth/account").get_data(as_text=True)
    assert "/revoke" not in page  # no button left: the only token is revoked


def test_user_cannot_revoke_someone_elses_token(app, client, logged_in, make_user, token_for):
    logged_in("operator", "sud")
    token = token_for(make_user())
    with app.app_context():
        token_id = get_session().scalar(select(ApiToken.id))
    response = client.post(
        f"/auth/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/auth/account")}
    )
    assert response.status_code == 404
    assert _api(app.test_client(), token).status_code == 200


def test_admin_sees_and_revokes_any_users_token(app, client, logged_in, make_user, token_for):
    operator = make_user()
    token = token_for(operator, "reporting script")
    logged_in("admin", "region")
    page = client.get(f"/admin/users/{operator.id}").get_data(as_text=True)
    assert "reporting script" in page
    with app.app_context():
        token_id = get_session().scalar(select(ApiToken.id))
    response = client.post(
        f"/admin/users/{operator.id}/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(client, f"/admin/users/{operator.id}")},
    )
    assert response.status_code == 302
    assert _api(app.test_client(), token).status_code == 401


def test_password_change_ends_every_token(app, client, logged_in, token_for):
    user = logged_in("operator", "sud")
    token = token_for(user)
    response = client.post(
        "/auth/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a brand new secret",
            "confirm": "a brand new secret",
            "csrf_token": csrf_token(client, "/auth/password"),
        },
    )
    assert response.status_code == 302
    assert _api(app.test_client(), token).status_code == 401


def test_admin_password_reset_ends_every_session_and_token(app, client, logged_in, make_user, token_for):
    operator = make_user()
    token = token_for(operator)
    other = app.test_client()
    assert login(other, operator.email).status_code == 302
    logged_in("admin", "region")
    client.post(
        f"/admin/users/{operator.id}/password",
        data={"csrf_token": csrf_token(client, f"/admin/users/{operator.id}")},
    )
    assert _api(app.test_client(), token).status_code == 401
    assert other.get("/").status_code == 302
    assert login(app.test_client(), operator.email).status_code == 401  # the old password no longer works


def test_cli_users_tokens_lists_and_revoke_token_ends_one(app, runner, make_user, token_for, client):
    user = make_user()
    kept, revoked = token_for(user, "kept"), token_for(user, "to revoke")
    listing = json.loads(runner.invoke(args=["users", "tokens", user.email, "--json"]).output)
    assert {row["label"] for row in listing} == {"kept", "to revoke"}
    assert all(row["state"] == "active" and row["expires_at"] for row in listing)
    token_id = next(row["id"] for row in listing if row["label"] == "to revoke")
    result = runner.invoke(args=["users", "revoke-token", str(token_id)])
    assert result.exit_code == 0, result.output
    assert _api(client, revoked).status_code == 401
    assert _api(client, kept).status_code == 200
    text = runner.invoke(args=["users", "tokens", user.email]).output
    assert "revoked" in text and "active" in text
    assert runner.invoke(args=["users", "revoke-token", "999"]).exit_code != 0


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer ", "Basic b3A6cGFzcw==", "garbage"])
def test_api_request_with_authorization_header_ignores_the_cookie(app, client, logged_in, header):
    logged_in("operator", "sud")
    csrf_token(client, "/")
    response = client.post("/api/v1/requests", json=NEW_REQUEST, headers={"Authorization": header})
    assert response.status_code == 401
    with app.app_context():
        assert get_session().scalar(select(func.count(HelpRequest.id))) == 0
    # The browser's own session was not touched.
    assert client.get("/").status_code == 200


def test_api_read_with_bad_bearer_and_a_cookie_is_401(client, logged_in):
    logged_in("operator", "sud")
    assert client.get("/api/v1/requests", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/requests").status_code == 200
