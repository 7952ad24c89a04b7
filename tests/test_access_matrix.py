"""Every route x every role x every territory: the cases live in ``tests/access_cases/``."""

from __future__ import annotations

import pytest

from helpdesk.db import get_session
from tests.access_cases import USERS, Case, World, all_cases, builders
from tests.conftest import CSRF_RE, login

CASES = all_cases()
IGNORED_ENDPOINTS = {"static"}


def _label(user) -> str:
    return "anonymous" if user is None else f"{user[0]}@{user[1]}"


def build_world(app) -> World:
    world = World()
    for build in builders():
        build(app, world)
    with app.app_context():
        get_session().commit()
    return world


def _status_kind(response) -> str:
    if response.status_code == 401 or (
        response.status_code == 302
        and "/auth/login" in response.headers.get("Location", "")
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
    assert sorted(endpoints - covered) == [], "add these routes to tests/access_cases/<area>.py"
    assert sorted(covered - endpoints) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.endpoint} {c.label}".strip())
def test_access_matrix(app, make_user, case: Case):
    world = build_world(app)
    url = case.url(world) if callable(case.url) else case.url
    mismatches = []
    for user in USERS:
        client = app.test_client()
        if user is not None:
            account = make_user(*user)
            assert login(client, account.email).status_code == 302
        headers = dict(case.headers or {})
        if case.method == "GET":
            response = client.get(url, headers=headers)
        else:
            page = client.get("/auth/login" if user is None else "/")
            token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
            data = case.data(world) if callable(case.data) else dict(case.data or {})
            if case.json:
                headers.setdefault("X-CSRFToken", token)
                response = client.open(url, method=case.method, json=data, headers=headers)
            else:
                data.setdefault("csrf_token", token)
                response = client.open(url, method=case.method, data=data, headers=headers)
        got, expected = _status_kind(response), case.expect(user)
        if got != expected:
            mismatches.append(f"{_label(user)}: expected {expected}, got {got} ({response.status_code})")
    assert mismatches == []
