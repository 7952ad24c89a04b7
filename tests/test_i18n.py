"""Three languages: catalogs complete, the browser's language, the switcher, the user's saved choice."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from helpdesk.db import get_session
from tests.conftest import csrf_token

CATALOGS = Path(__file__).resolve().parent.parent / "helpdesk" / "translations"


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_i18n_catalog_is_complete_and_has_no_fuzzy_entry(lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    untranslated = [m.id for m in catalog if m.id and not (all(m.string) if m.pluralizable else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_i18n_catalog_keeps_every_placeholder(lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    placeholder = re.compile(r"%\(\w+\)s")
    broken = [
        m.id
        for m in catalog
        if m.id
        and not m.pluralizable
        and sorted(placeholder.findall(m.id)) != sorted(placeholder.findall(m.string))
    ]
    assert broken == []


def test_i18n_catalog_matches_the_source(tmp_path):
    """Every string of the code is in the template: nobody forgot to run `make translations`."""
    import subprocess
    import sys

    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "pyproject.toml",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(out),
            "helpdesk",
            "templates",
        ],
        check=True,
        capture_output=True,
        cwd=CATALOGS.parent.parent,
    )
    with out.open("rb") as handle:
        fresh = {m.id for m in read_po(handle) if m.id}
    with (CATALOGS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        known = {m.id for m in read_po(handle) if m.id}
    assert sorted(map(str, fresh - known)) == []


@pytest.mark.parametrize(
    ("accept", "lang", "text"),
    [
        ("nl-BE,nl;q=0.9", "nl", "Aanmelden"),
        ("fr-BE,fr;q=0.9", "fr", "Se connecter"),
        ("en-GB", "en", "Sign in"),
        ("de-DE", "fr", "Se connecter"),
    ],
)
def test_i18n_login_page_follows_the_browser_language(client, accept, lang, text):
    html = client.get("/auth/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert text in html


def test_i18n_switcher_is_remembered_on_the_account(app, client, logged_in):
    user = logged_in()
    client.post("/language", data={"language": "nl", "next": "/", "csrf_token": csrf_token(client, "/")})
    assert '<html lang="nl">' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    with app.app_context():
        assert get_session().get(type(user), user.id).locale == "nl"


def test_i18n_switcher_works_before_signing_in(client):
    client.post("/language", data={"language": "nl", "next": "/auth/login", "csrf_token": csrf_token(client)})
    assert "Aanmelden" in client.get("/auth/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_i18n_error_pages_are_translated(client):
    response = client.get("/nope", headers={"Accept-Language": "nl"})
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.get_data(as_text=True)


def test_i18n_forbidden_page_is_translated(client, logged_in):
    logged_in("operator", "sud", locale="nl")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "U hebt geen toegang tot deze pagina." in response.get_data(as_text=True)


def test_i18n_server_error_page_is_translated_without_traceback(app, client):
    def broken():
        raise RuntimeError("boom: internal detail")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    response = client.get("/broken-for-test", headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Un problème est survenu de notre côté." in html
    assert "internal detail" not in html and "Traceback" not in html
