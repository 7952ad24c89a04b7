"""The database goes away and comes back: users get a clear 503 page, and the app recovers by itself.

The database really disappears: PostgreSQL is reached through a TCP proxy that the test cuts and restores.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from helpdesk import create_app
from helpdesk.auth.models import User
from helpdesk.db import get_session
from tests.conftest import app_config, login

UNAVAILABLE = {
    "fr": "Le service est temporairement indisponible",
    "nl": "De dienst is tijdelijk niet beschikbaar",
}


@pytest.fixture
def proxied_app(pg_proxy, database_url, tmp_path, monkeypatch):
    """The app on the test PostgreSQL, reached through the proxy (``database_url`` empties the tables)."""
    proxy, url = pg_proxy
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config(url, tmp_path))
    yield app, proxy
    with app.app_context():
        from helpdesk.db import get_engine

        get_engine().dispose()


def _signed_in(app, make_user, locale="fr"):
    user = make_user(locale=locale)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    assert client.get("/").status_code == 200
    return client


def _assert_unavailable_page(response, locale: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert UNAVAILABLE[locale] in body
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body
    assert response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_database_down_gives_a_translated_503_and_the_app_recovers(proxied_app, make_user, locale):
    app, proxy = proxied_app
    client = _signed_in(app, make_user, locale)

    proxy.cut()
    # Loading the signed-in user is the first thing that needs the database.
    _assert_unavailable_page(client.get("/"), locale)
    _assert_unavailable_page(client.get("/auth/password"), locale)
    anonymous = app.test_client()
    anonymous.set_cookie("session", "")
    response = anonymous.get("/auth/login", headers={"Accept-Language": locale})
    assert response.status_code == 200  # the sign-in page needs no database
    response = anonymous.get("/healthz", headers={"Accept-Language": locale})
    _assert_unavailable_page(response, locale)

    proxy.restore()
    # No restart: the pool notices the dead connections and opens new ones.
    response = client.get("/")
    assert response.status_code == 200
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_database_down_on_the_api_answers_json_503(proxied_app, make_user):
    app, proxy = proxied_app
    with app.app_context():
        from helpdesk.auth.operations import create_api_token

        db = get_session()
        user_id = make_user("operator", "sud").id
        token = create_api_token(db, db.get(User, user_id))
        db.commit()
    client = app.test_client()
    # Every API listing without parameters, and a path that exists nowhere (authentication comes first).
    paths = ["/api/v1/nothing-here"] + [
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.") and "GET" in r.methods and not r.arguments
    ]
    proxy.cut()
    for path in paths:
        response = client.get(path, headers={"Authorization": f"Bearer {token}", "Accept-Language": "nl"})
        assert response.status_code == 503, path
        assert UNAVAILABLE["nl"] in response.get_json()["error"]
    proxy.restore()
    for path in paths:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 404), path


def test_database_lost_in_the_middle_of_a_request_gives_503(proxied_app, make_user):
    """The user loads fine, then the database disappears before the page's own query."""
    app, proxy = proxied_app

    @app.route("/_test/lost-midway")
    def lost_midway():
        db = get_session()
        db.execute(text("SELECT 1"))
        proxy.cut()
        db.scalars(select(User)).all()
        return "unreachable"

    client = _signed_in(app, make_user, "fr")
    _assert_unavailable_page(client.get("/_test/lost-midway"), "fr")
    proxy.restore()
    assert client.get("/").status_code == 200


def test_database_lost_while_signing_in_gives_503_then_sign_in_works(proxied_app, make_user):
    app, proxy = proxied_app
    user = make_user(locale="fr")
    client = app.test_client()
    from tests.conftest import csrf_token

    token = csrf_token(client)
    proxy.cut()
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        headers={"Accept-Language": "fr"},
    )
    _assert_unavailable_page(response, "fr")
    proxy.restore()
    assert login(client, user.email).status_code == 302


def test_database_that_stops_answering_gives_503_instead_of_hanging(proxied_app, make_user):
    """A network that drops packets: the connect timeout turns it into a 503, and it recovers."""
    app, proxy = proxied_app
    client = _signed_in(app, make_user, "fr")
    with app.app_context():
        from helpdesk.db import get_engine

        get_engine().dispose()  # the next request must open a connection through the silent network
    proxy.hang()
    _assert_unavailable_page(client.get("/"), "fr")
    proxy.cut()
    proxy.restore()
    assert client.get("/").status_code == 200
