"""Every route x every role x every territory, in one table.

Add each new route to ``CASES``: the coverage test fails when a route of the app is missing here.
Expectations: ``ok`` (allowed), ``login`` (sent to sign in / 401), ``hidden`` (404), ``forbidden`` (403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from directory_import.territory import TERRITORIES
from helpdesk.db import get_session
from tests.conftest import CSRF_RE, login

# (role, territory); None is the anonymous visitor.
USERS: list[tuple[str, str] | None] = (
    [("operator", t) for t in TERRITORIES]
    + [("coordinator", "sud"), ("coordinator", "nord"), ("coordinator", "region"), ("admin", "region")]
    + [None]
)


def _label(user) -> str:
    return "anonymous" if user is None else f"{user[0]}@{user[1]}"


@dataclass
class World:
    """What the routes are exercised against: built once per test by ``build_world``."""

    ids: dict[str, Any] = field(default_factory=dict)


Expect = Callable[[tuple[str, str] | None], str]


def signed_in(user) -> str:
    return "login" if user is None else "ok"


def admin_only(user) -> str:
    if user is None:
        return "login"
    return "ok" if user[0] == "admin" else "forbidden"


def anyone(user) -> str:
    return "ok"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str = "GET"
    url: str | Callable[[World], str] = ""
    data: dict | Callable[[World], dict] | None = None
    expect: Expect = signed_in
    json: bool = False


CASES: list[Case] = [
    Case("main.home", url="/", expect=signed_in),
    Case("main.language", "POST", "/language", {"language": "fr", "next": "/"}, expect=anyone),
    Case("main.healthz", url="/healthz", expect=anyone),
    Case("auth.login", url="/auth/login", expect=anyone),
    Case("auth.logout", "POST", "/auth/logout", {}, expect=lambda user: "login"),  # back to the login page
    Case("auth.password", url="/auth/password", expect=signed_in),
]

IGNORED_ENDPOINTS = {"static"}


def build_world(app) -> World:
    """Data the routes need; areas add what their routes need here."""
    world = World()
    with app.app_context():
        get_session().commit()
    return world


def _status_kind(response) -> str:
    if response.status_code in (401,) or (
        response.status_code == 302 and "/auth/login" in response.headers.get("Location", "")
        and "/auth/login" not in response.request.path
    ):
        return "login"
    if response.status_code == 404:
        return "hidden"
    if response.status_code == 403:
        return "forbidden"
    return "ok"


def test_access_matrix_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED_ENDPOINTS
    covered = {case.endpoint for case in CASES}
    assert sorted(endpoints - covered) == [], "add these routes to CASES in tests/test_access_matrix.py"
    assert sorted(covered - endpoints) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.endpoint}")
def test_access_matrix(app, make_user, case: Case):
    world = build_world(app)
    url = case.url(world) if callable(case.url) else case.url
    mismatches = []
    for user in USERS:
        client = app.test_client()
        if user is not None:
            account = make_user(*user)
            assert login(client, account.email).status_code == 302
        page = client.get("/auth/login" if user is None else "/")
        token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
        if case.method == "GET":
            response = client.get(url)
        else:
            data = case.data(world) if callable(case.data) else dict(case.data or {})
            if case.json:
                response = client.open(url, method=case.method, json=data, headers={"X-CSRFToken": token})
            else:
                data.setdefault("csrf_token", token)
                response = client.open(url, method=case.method, data=data)
        got, expected = _status_kind(response), case.expect(user)
        if got != expected:
            mismatches.append(f"{_label(user)}: expected {expected}, got {got} ({response.status_code})")
    assert mismatches == []
