"""Password hashing never runs inside a write transaction: on SQLite (BEGIN IMMEDIATE) the write lock
would stall every other page meanwhile. A hasher that probes the lock from another connection tells."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, TEST_PASSWORD, csrf_token, login
from tests.test_accounts_lifecycle import _choose_password, _reset_link

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="the write lock probed is SQLite's")


class LockProbingPasswords:
    """The app's hasher, checking before each hash or verify that another connection could write now."""

    def __init__(self, inner, database: str) -> None:
        self.inner, self.database, self.calls, self.locked = inner, database, 0, 0

    def _probe(self) -> None:
        self.calls += 1
        conn = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError:
            self.locked += 1
        finally:
            conn.close()

    def hash(self, password: str) -> str:
        self._probe()
        return self.inner.hash(password)

    def verify(self, stored_hash, password: str) -> bool:
        self._probe()
        return self.inner.verify(stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.inner.needs_rehash(stored_hash)


@pytest.fixture
def probe(app):
    hasher = LockProbingPasswords(app.extensions["passwords"], make_url(app.config["DATABASE_URL"]).database)
    app.extensions["passwords"] = hasher
    return hasher


def test_login_checks_passwords_with_no_write_lock_held(client, make_user, probe):
    user = make_user()
    assert login(client, "nobody@test.example", "wrong password!").status_code == 401
    assert login(client, user.email, "wrong password!").status_code == 401
    assert login(client, user.email).status_code == 302
    assert probe.calls >= 3
    assert probe.locked == 0


def test_password_change_hashes_with_no_write_lock_held(client, logged_in, probe):
    logged_in("operator", "sud")
    probe.calls = 0
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
    assert probe.calls >= 2
    assert probe.locked == 0


def test_password_link_hashes_with_no_write_lock_held(app, runner, make_user, probe):
    user = make_user()
    link = _reset_link(runner, user.email)
    probe.calls = 0
    assert _choose_password(app.test_client(), link).status_code == 302
    assert probe.calls >= 2
    assert probe.locked == 0
