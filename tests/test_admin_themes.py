"""The themes admin: a GET shows what is stored and writes nothing; loading the sector's list is a POST."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.audit import AuditEvent
from helpdesk.db import get_session
from helpdesk.followup.models import Theme
from helpdesk.followup.themes import SECTOR_THEMES
from tests.conftest import csrf_token


def _count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def test_themes_page_on_an_empty_database_writes_nothing_and_offers_the_sector_list(app, client, logged_in):
    logged_in("admin", "region", locale="en")
    page = client.get("/admin/themes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No theme yet." in html and "/admin/themes/seed" in html
    assert _count(app, Theme) == 0


def test_themes_seed_loads_the_sector_list_once_and_is_audited(app, client, logged_in):
    logged_in("admin", "region", locale="en")
    response = client.post("/admin/themes/seed", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/themes")
    assert _count(app, Theme) == len(SECTOR_THEMES)
    client.post("/admin/themes/seed", data={"csrf_token": csrf_token(client, "/")})
    assert _count(app, Theme) == len(SECTOR_THEMES)
    with app.app_context():
        seeds = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "theme.seed")).all()
    assert [event.details for event in seeds] == [{"added": len(SECTOR_THEMES)}]
    html = client.get("/admin/themes").get_data(as_text=True)
    assert "No theme yet." not in html and "Older people" in html


def test_themes_seed_without_the_form_token_changes_nothing(app, client, logged_in):
    logged_in("admin", "region")
    assert client.post("/admin/themes/seed", data={}).status_code == 400
    assert _count(app, Theme) == 0


def test_themes_add_an_existing_code_is_refused_with_a_message(app, client, logged_in, themes):
    logged_in("admin", "region", locale="en")
    response = client.post(
        "/admin/themes",
        data={
            "code": "housing",
            "label_fr": "Logement",
            "label_nl": "Huisvesting",
            "label_en": "Housing",
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 400
    assert "This code exists already." in response.get_data(as_text=True)
    assert _count(app, Theme) == len(SECTOR_THEMES)
