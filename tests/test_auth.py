"""Signing in and out, throttling, sessions that really end, CSRF."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from helpdesk.auth import operations
from helpdesk.auth.models import LoginFailure, UserSession
from helpdesk.db import get_session
from tests.conftest import TEST_PASSWORD, csrf_token, login


def test_login_with_right_password_opens_the_home_page(client, make_user):
    user = make_user("operator", "sud", name="Sofia")
    response = login(client, user.email)
    assert response.status_code == 302
    assert "Sofia" in client.get("/").get_data(as_text=True)


def test_login_with_wrong_password_is_refused_without_saying_why(client, make_user):
    user = make_user()
    wrong = login(client, user.email, "not the password")
    unknown = login(client, "nobody@test.example", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data(as_text=True).count("flash-error") == 1
    # Same message whether or not the account exists: no user enumeration.
    msg = lambda r: r.get_data(as_text=True).split('flash-error"')[1].split("</p>")[0]  # noqa: E731
    assert msg(wrong) == msg(unknown)


def test_login_is_throttled_after_five_failures_even_with_the_right_password(client, make_user):
    user = make_user()
    for _ in range(5):
        assert login(client, user.email, "wrong password!").status_code == 401
    assert login(client, user.email).status_code == 429
    assert client.get("/").status_code == 302  # still signed out


def test_login_throttle_counts_unknown_accounts_alike(client):
    statuses = [login(client, "ghost@test.example", "whatever123").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_login_throttle_is_kept_in_the_database_across_processes(app, client, make_user):
    user = make_user()
    with app.app_context():
        db = get_session()
        db.add_all([LoginFailure(email=user.email, remote_addr="127.0.0.1") for _ in range(5)])
        db.commit()
    # A fresh client (another worker, another browser) at the same address is refused too.
    assert login(app.test_client(), user.email).status_code == 429


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_next_parameter_cannot_redirect_elsewhere(client, make_user):
    user = make_user()
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=//evil.example/x",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_rotates_the_session(client, make_user):
    user = make_user()
    csrf_token(client)
    before = client.get_cookie("session").value
    login(client, user.email)
    assert client.get_cookie("session").value != before


def test_logout_makes_a_copied_cookie_useless(app, client, make_user):
    user = make_user()
    login(client, user.email)
    stolen = client.get_cookie("session").value
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302


def test_deactivation_ends_open_sessions(app, client, make_user):
    user = make_user()
    login(client, user.email)
    assert client.get("/").status_code == 200
    with app.app_context():
        db = get_session()
        operations.set_user_active(db, db.get(type(user), user.id), False)
        db.commit()
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make_user):
    user = make_user()
    other = app.test_client()
    login(other, user.email)
    login(client, user.email)
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
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert login(app.test_client(), user.email, "a brand new secret").status_code == 302


def test_session_expires_after_inactivity(app, client, make_user):
    user = make_user()
    login(client, user.email)
    with app.app_context():
        db = get_session()
        old = operations.utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
        db.execute(update(UserSession).values(last_seen_at=old))
        db.commit()
    assert client.get("/").status_code == 302


def test_password_is_rehashed_when_the_cost_rises(app, client, make_user):
    user = make_user()
    with app.app_context():
        old_hash = get_session().get(type(user), user.id).password_hash
    from helpdesk.auth.passwords import Passwords

    app.extensions["passwords"] = Passwords(2, 16, 1)
    login(client, user.email)
    with app.app_context():
        new_hash = get_session().get(type(user), user.id).password_hash
    assert new_hash != old_hash and "$argon2id$" in new_hash and "m=16,t=2" in new_hash


def test_failed_logins_are_audited_without_the_password(app, client, make_user):
    from helpdesk.audit import AuditEvent

    user = make_user()
    login(client, user.email, "s3cret-typo-123")
    with app.app_context():
        events = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert len(events) == 1
    assert "s3cret" not in str(events[0].details)


@pytest.mark.slow
def test_login_throttle_holds_across_gunicorn_workers_under_concurrent_attempts(gunicorn_server, make_user):
    """40 wrong passwords at once, spread over 3 worker processes: at most 5 are even checked."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from tests.reliability.servers import sign_in

    user = make_user()
    server = gunicorn_server(workers=3)

    def attempt(n: int) -> int:
        return sign_in(requests.Session(), server.url, user.email, f"wrong password {n}").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(attempt, range(40)))
    assert statuses.count(401) <= 5
    assert statuses.count(401) + statuses.count(429) == 40
    # The right password is refused too until the window has passed.
    assert sign_in(requests.Session(), server.url, user.email, TEST_PASSWORD).status_code == 429


def test_deactivation_makes_a_copied_cookie_useless(app, client, make_user):
    user = make_user()
    login(client, user.email)
    stolen = client.get_cookie("session").value
    with app.app_context():
        db = get_session()
        operations.set_user_active(db, db.get(type(user), user.id), False)
        db.commit()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302
    # Reactivation does not revive the old session: the row was revoked.
    with app.app_context():
        db = get_session()
        operations.set_user_active(db, db.get(type(user), user.id), True)
        db.commit()
    assert thief.get("/").status_code == 302


def test_session_expires_after_its_maximum_age_even_when_active(app, client, make_user):
    user = make_user()
    login(client, user.email)
    with app.app_context():
        db = get_session()
        born = operations.utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
        db.execute(update(UserSession).values(created_at=born, last_seen_at=operations.utcnow()))
        db.commit()
    assert client.get("/").status_code == 302
    with app.app_context():
        assert get_session().scalar(select(UserSession.revoked_at)) is not None


def test_session_cookie_of_another_secret_or_forged_is_refused(app, make_user):
    user = make_user()
    forger = app.test_client()
    forger.set_cookie("session", '{"_user_id": "%d", "sid": "guess"}' % user.id)
    assert forger.get("/").status_code == 302
