"""Generic checks over every route of ``app.url_map``: routes added later are covered without a new test.

- every state-changing route refuses a request without CSRF token (400), whoever sends it, and changes nothing;
- every page carries the security headers, signed in or not, found or not;
- markup and spreadsheet formulas in stored data are shown as text on every page and in every export.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.fixtures.reliability import STATE_CHANGING, Clients, table_contents, walk_routes
from tests.test_access_matrix import build_world

ADMIN = ("admin", "region")


def _users_for(route) -> list:
    """The anonymous visitor, the admin and one user the route is meant for."""
    users = [None, ADMIN]
    for user in route.signed_in[:1]:
        if user not in users:
            users.append(user)
    return users


def _send(client, route, **kwargs):
    if route.method == "GET":
        return client.get(route.url, **kwargs)
    if route.json or route.is_api:
        return client.open(route.url, method=route.method, json=route.data, **kwargs)
    return client.open(route.url, method=route.method, data=route.data, **kwargs)


def test_csrf_every_state_changing_route_refuses_a_request_without_token(app, make_user):
    world = build_world(app)
    routes = [route for route in walk_routes(app, world) if route.method in STATE_CHANGING]
    assert {route.endpoint for route in routes} >= {"auth.login", "auth.logout", "main.language"}
    clients = Clients(app, make_user, locale="nl")
    for route in routes:
        for user in _users_for(route):
            clients.get(user)
    with app.test_request_context(), force_locale("nl"):
        expired = _("Your form expired or was sent from elsewhere. Reload the page and try again.")
    before = table_contents(app.config["DATABASE_URL"], exclude=("user_sessions",))

    failures = []
    for route in routes:
        for user in _users_for(route):
            response = _send(clients.get(user), route)
            if response.status_code != 400:
                failures.append(f"{route.method} {route.url} as {user}: {response.status_code}")
            elif user is not None and not route.is_api and expired not in response.get_data(as_text=True):
                failures.append(f"{route.method} {route.url} as {user}: 400 without the Dutch explanation")
    assert failures == []
    assert table_contents(app.config["DATABASE_URL"], exclude=("user_sessions",)) == before


def test_csrf_api_with_a_bearer_token_needs_no_csrf_token_but_cookies_do(app, make_user):
    """Bearer calls carry no cookie (no CSRF risk); the walk above covers cookie-authenticated API writes."""
    from helpdesk.auth.models import User
    from helpdesk.auth.operations import create_api_token
    from helpdesk.db import get_session

    world = build_world(app)
    api_writes = [
        r for r in walk_routes(app, world) if r.is_api and r.method in STATE_CHANGING and r.signed_in
    ]
    accounts = {route.signed_in[0]: None for route in api_writes}
    accounts = {
        user: make_user(*user) for user in accounts
    }  # before opening a session: SQLite has one writer
    tokens = {}
    with app.app_context():
        db = get_session()
        for user, account in accounts.items():
            tokens[user] = create_api_token(db, db.get(User, account.id))
        db.commit()
    for route in api_writes:
        response = _send(
            app.test_client(), route, headers={"Authorization": f"Bearer {tokens[route.signed_in[0]]}"}
        )
        assert response.status_code != 400 or "csrf" not in response.get_data(as_text=True).lower(), route.url


def _check_headers(response, signed_in: bool) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    if "default-src 'self'" not in csp or "frame-ancestors 'none'" not in csp or "unsafe-inline" in csp:
        problems.append(f"CSP {csp!r}")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    for name, value in expected.items():
        if response.headers.get(name) != value:
            problems.append(f"{name}={response.headers.get(name)!r}")
    if signed_in and response.headers.get("Cache-Control") != "no-store":
        problems.append(f"Cache-Control={response.headers.get('Cache-Control')!r}")
    return problems


@pytest.mark.slow
def test_headers_on_every_page_for_every_kind_of_visitor(app, make_user):
    world = build_world(app)
    routes = [route for route in walk_routes(app, world) if route.method == "GET"]
    routes.append(type(routes[0])("none", "GET", "/no/such/page"))
    clients = Clients(app, make_user)
    failures = []
    for route in routes:
        for user in _users_for(route):
            response = clients.get(user).get(route.url)
            for problem in _check_headers(response, signed_in=user is not None):
                failures.append(f"GET {route.url} as {user} ({response.status_code}): {problem}")
    assert failures == []


# --- Markup and formulas in stored data --------------------------------------------------------------

CANARY = '=HYPERLINK("x")<script>canary()</script><img src=x onerror=canary()>"\'&'
RAW_MARKUP = re.compile(r"<script>canary\(\)|<img src=x onerror")
ESCAPED = "&lt;script&gt;canary()"
NOT_FREE_TEXT = re.compile(
    r"email|hash|path|url|source|reference|token|code|key|format|status|kind|locale|"
    r"territory|role|postcode|phone|action|basin|commune"
)


def inject_markup(app) -> int:
    """Prefix every free-text value of every table with markup and a formula; returns the columns touched."""
    from sqlalchemy import String, Text, func, literal, update

    from directory_import.models import Base
    from helpdesk.db import get_engine

    touched = 0
    with app.app_context(), get_engine().begin() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String) or column.primary_key or column.foreign_keys:
                    continue
                long_enough = isinstance(column.type, Text) or (column.type.length or 0) >= 100
                if not long_enough or column.unique or NOT_FREE_TEXT.search(column.name):
                    continue
                value = literal(CANARY + " ") + column
                if not isinstance(column.type, Text) and column.type.length:
                    value = func.substr(value, 1, column.type.length)
                conn.execute(update(table).values({column.name: value}))
                touched += 1
    return touched


def _export_problems(response) -> list[str]:
    kind = response.content_type or ""
    problems = []
    if "text/csv" in kind:
        text = response.get_data(as_text=True).lstrip("\ufeff")
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t") if text.strip() else csv.excel
        for row in csv.reader(io.StringIO(text), dialect):
            problems += [
                f"CSV cell {cell[:20]!r} is a formula"
                for cell in row
                if cell[:1] in ("=", "+", "-", "@") and "canary" in cell
            ]
    elif "spreadsheetml" in kind:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(response.get_data()))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                problems += [
                    f"XLSX cell {cell.coordinate} is a formula"
                    for cell in row
                    if cell.data_type == "f" and "canary" in str(cell.value)
                ]
    elif "html" in kind and RAW_MARKUP.search(response.get_data(as_text=True)):
        problems.append("raw markup in the page")
    return problems


@pytest.mark.slow
def test_markup_and_formulas_in_data_are_shown_as_text_everywhere(app, make_user, caplog):
    caplog.set_level("DEBUG")
    world = build_world(app)
    routes = [route for route in walk_routes(app, world) if route.method == "GET"]
    clients = Clients(app, make_user)
    for route in routes:
        for user in _users_for(route)[1:]:
            clients.get(user)
    assert inject_markup(app) > 0  # the signed-in users' own names included
    failures, shown = [], 0
    for route in routes:
        for user in _users_for(route)[1:]:
            response = clients.get(user).get(route.url)
            failures += [f"GET {route.url} as {user}: {p}" for p in _export_problems(response)]
            if (response.content_type or "").startswith(("text/", "application/json")):
                shown += ESCAPED in response.get_data(as_text=True)
    assert failures == []
    assert shown > 0, "no page showed the stored markup: the walk proved nothing"
    # Data shown to users is never copied into the application's logs.
    assert "canary()" not in caplog.text
