"""The sign-in throttle: per (account, address) and per address, counted in the database, pruned; an
attacker cannot lock the owner out from elsewhere, and one address spraying many accounts is slowed then
stopped (429 with Retry-After)."""

from __future__ import annotations

import concurrent.futures
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from helpdesk.auth import operations as accounts
from helpdesk.auth.models import LoginFailure
from helpdesk.db import get_session
from tests.conftest import TEST_PASSWORD, csrf_token
from tests.reliability.servers import FromAddress, csrf_from

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


def login_from(client, address: str, email: str, password: str = TEST_PASSWORD):
    env = {"REMOTE_ADDR": address}
    page = client.get("/auth/login", environ_base=env)
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))},
        environ_base=env,
    )


def test_throttle_an_attacker_cannot_lock_the_owner_out_from_elsewhere(app, make_user):
    owner = make_user()
    attacker = app.test_client()
    statuses = [login_from(attacker, ATTACKER, owner.email, "wrong password!").status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429, 429]
    # Even the right password is refused from the attacker's address...
    assert login_from(attacker, ATTACKER, owner.email).status_code == 429
    # ...while the owner signs in from their own.
    assert login_from(app.test_client(), OWNER, owner.email).status_code == 302


def test_throttle_answers_429_with_retry_after_and_a_translated_page(app, make_user):
    owner = make_user()
    client = app.test_client()
    client.post(
        "/language",
        data={"language": "nl", "next": "/", "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": ATTACKER},
    )
    for _ in range(5):
        login_from(client, ATTACKER, owner.email, "wrong password!")
    response = login_from(client, ATTACKER, owner.email, "wrong password!")
    assert response.status_code == 429
    retry = int(response.headers["Retry-After"])
    assert 0 < retry <= 15 * 60
    assert "Te veel pogingen" in response.get_data(as_text=True)


def test_throttle_one_address_trying_many_accounts_is_slowed_then_stopped(app, make_user):
    client = app.test_client()
    statuses = [
        login_from(client, ATTACKER, f"victim{n}@test.example", "Spring2026!!").status_code for n in range(12)
    ]
    # Ten failures pass, then the address has to wait between attempts.
    assert statuses[:10] == [401] * 10
    assert 429 in statuses[10:]
    slowed = login_from(client, ATTACKER, "victim99@test.example", "Spring2026!!")
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) <= 60
    # Past the hard limit, the address is stopped until its failures leave the window.
    with app.app_context():
        db = get_session()
        old = accounts.utcnow() - timedelta(minutes=5)
        db.add_all(
            [LoginFailure(email=f"v{n}@test.example", remote_addr=ATTACKER, at=old) for n in range(30)]
        )
        db.commit()
    stopped = login_from(client, ATTACKER, "victim100@test.example", "Spring2026!!")
    assert stopped.status_code == 429
    assert int(stopped.headers["Retry-After"]) > 60
    # Another address is not concerned.
    owner = make_user()
    assert login_from(app.test_client(), OWNER, owner.email).status_code == 302


def test_throttle_counts_an_ipv6_subscriber_as_one_address(app, make_user):
    owner = make_user()
    client = app.test_client()
    statuses = [
        login_from(client, f"2001:db8:1:2::{n:x}", owner.email, "wrong password!").status_code
        for n in range(1, 8)
    ]
    assert statuses == [401] * 5 + [429, 429]
    assert login_from(app.test_client(), "2001:db8:1:3::1", owner.email).status_code == 302


def test_throttle_a_right_password_clears_only_its_own_failures(app, make_user):
    owner = make_user()
    client = app.test_client()
    for _ in range(3):
        login_from(client, OWNER, owner.email, "wrong password!")
    login_from(client, ATTACKER, owner.email, "wrong password!")
    assert login_from(client, OWNER, owner.email).status_code == 302
    with app.app_context():
        left = get_session().scalars(select(LoginFailure.remote_addr)).all()
    assert left == [ATTACKER]


def test_throttle_prunes_failures_older_than_the_window(app, make_user):
    with app.app_context():
        db = get_session()
        old = accounts.utcnow() - timedelta(minutes=16)
        db.add_all(
            [LoginFailure(email=f"old{n}@test.example", remote_addr="192.0.2.1", at=old) for n in range(50)]
        )
        db.commit()
    login_from(app.test_client(), OWNER, "someone@test.example", "wrong password!")
    with app.app_context():
        assert get_session().scalar(select(func.count(LoginFailure.id))) == 1


def _browser(source: str) -> requests.Session:
    http = requests.Session()
    http.mount("http://", FromAddress(source))
    return http


def _attempt(base: str, source: str, email: str, password: str) -> int:
    with _browser(source) as http:
        token = csrf_from(http.get(base + "/auth/login", timeout=60).text)
        return http.post(
            base + "/auth/login",
            data={"email": email, "password": password, "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        ).status_code


@pytest.mark.slow
def test_throttle_holds_under_three_gunicorn_workers(app, make_user, gunicorn_server):
    owner = make_user()
    server = gunicorn_server(workers=3)
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(
            pool.map(lambda _: _attempt(server.url, "127.0.0.1", owner.email, "wrong password!"), range(12))
        )
    # Every concurrent attempt was counted before its password was checked: exactly five got checked.
    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert _attempt(server.url, "127.0.0.1", owner.email, TEST_PASSWORD) == 429
    assert _attempt(server.url, "127.0.0.2", owner.email, TEST_PASSWORD) == 302
    # Spraying many accounts from one address: slowed, then stopped.
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        spray = list(
            pool.map(
                lambda n: _attempt(server.url, "127.0.0.3", f"v{n}@test.example", "Spring2026!!"), range(24)
            )
        )
    # Ten pass at once; past them an attempt waits 1 s, 2 s, 4 s... after the previous one, so how many
    # more get through depends on the machine's speed, never beyond the hard limit.
    assert 10 <= spray.count(401) <= 30
    assert spray.count(401) + spray.count(429) == 24
    with app.app_context():
        db = get_session()
        db.add_all([LoginFailure(email=f"w{n}@test.example", remote_addr="127.0.0.3") for n in range(30)])
        db.commit()
    with _browser("127.0.0.3") as http:
        token = csrf_from(http.get(server.url + "/auth/login", timeout=60).text)
        stopped = http.post(
            server.url + "/auth/login",
            allow_redirects=False,
            timeout=60,
            data={"email": "x@test.example", "password": "Spring2026!!", "csrf_token": token},
        )
    assert stopped.status_code == 429 and int(stopped.headers["Retry-After"]) > 60
    assert "Traceback" not in server.log_text()


def test_login_gate_turns_away_sign_ins_beyond_its_queue():
    from helpdesk.auth.login import LoginGate

    gate = LoginGate(checks=1, waiting=0, timeout=0)
    assert gate.enter()
    assert not gate.enter()  # one check at a time, nobody may wait: turned away at once
    gate.leave()
    assert gate.enter()
    gate.leave()


def test_login_turned_away_by_a_busy_process_is_429_with_retry_after(app, make_user):
    owner = make_user()
    gate = app.extensions["login_gate"]
    assert gate.enter()  # another sign-in of this process is checking its password
    try:
        gate.max_waiting = 0
        response = login_from(app.test_client(), OWNER, owner.email)
    finally:
        gate.leave()
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "5"
    with app.app_context():
        assert get_session().scalar(select(func.count(LoginFailure.id))) == 0  # nothing counted
    assert login_from(app.test_client(), OWNER, owner.email).status_code == 302
