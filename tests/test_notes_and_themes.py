"""Operators' notes on organisations, the corrections queue and its export; the themes admin; seeding."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from helpdesk.db import get_session
from helpdesk.followup.models import Theme
from helpdesk.followup.themes import SECTOR_THEMES, seed_themes
from tests.conftest import csrf_token, login


def test_notes_added_by_one_territory_show_to_all_and_in_the_lead_search(
    app, client, make_user, make_organisation, make_request
):
    org = make_organisation(name_fr="Maison médicale du Midi", postcode="1060")
    sud, nord = make_user("operator", "sud"), make_user("operator", "nord")
    login(client, sud.email)
    response = client.post(
        f"/directory/organisations/{org.id}/notes",
        data={"text": "Liste d'attente de 3 mois depuis octobre", "csrf_token": csrf_token(client, "/")},
    )
    assert response.status_code == 302
    other = app.test_client()
    login(other, nord.email)
    page = other.get(f"/directory/organisations/{org.id}/notes").get_data(as_text=True)
    assert "Liste d&#39;attente de 3 mois depuis octobre" in page and "Bassin Sud" in page
    req = make_request(nord)
    page = other.get(f"/requests/{req.id}?lead_q=midi").get_data(as_text=True)
    assert "Maison médicale du Midi" in page and "Liste d&#39;attente de 3 mois" in page


def test_empty_note_is_refused_with_a_message(client, logged_in, make_organisation):
    org = make_organisation()
    logged_in("operator", "sud")
    response = client.post(
        f"/directory/organisations/{org.id}/notes", data={"text": "  ", "csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 400 and "Ce champ est requis" in response.get_data(as_text=True)


def test_corrections_of_before_lead_to_the_proposals_queue_and_stay_in_the_csv_export(
    app, client, make_user, make_organisation
):
    """A correction is a proposal now: the note form no longer flags one, the old page leads to the queue
    of proposals; notes flagged before (migrated into proposals by 0008_steward) stay exportable."""
    from helpdesk.directory.notes import add_note

    org = make_organisation(name_fr="Centre Alpha", name_nl="Centrum Alfa", source_id="BXL-42")
    author = make_user("operator", "sud-est")
    with app.app_context():
        db = get_session()
        add_note(db, author, db.get(type(org), org.id), "Nouvelle adresse : rue Haute 12", is_correction=True)
        db.commit()
    login(client, author.email)
    page = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "is_correction" not in page and f"/directory/organisations/{org.id}/propose" in page
    region = app.test_client()
    login(region, make_user("coordinator", "region").email)
    response = region.get("/directory/corrections")
    assert response.status_code == 302 and response.headers["Location"].endswith("/directory/proposals")
    export = region.get("/directory/corrections.csv")
    assert export.headers["Content-Type"].startswith("text/csv")
    text = export.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][4:] == [
        "test",
        "BXL-42",
        "Centre Alpha",
        "Centrum Alfa",
        "Nouvelle adresse : rue Haute 12",
    ]


def test_seed_themes_is_idempotent_and_keeps_admin_edits(app):
    with app.app_context():
        db = get_session()
        assert seed_themes(db) == 16
        db.scalars(select(Theme).where(Theme.code == "food")).one().label_nl = "Voedselbedeling"
        assert seed_themes(db) == 0
        db.commit()
        assert db.scalar(select(func.count(Theme.id))) == len(SECTOR_THEMES) == 16
        assert db.scalars(select(Theme).where(Theme.code == "food")).one().label_nl == "Voedselbedeling"


def test_themes_admin_edits_labels_and_retires_a_theme_from_intake(app, client, logged_in, themes):
    logged_in("admin", "region")
    page = client.get("/admin/themes").get_data(as_text=True)
    assert "Continuité des soins après la prison" in page
    with app.app_context():
        theme_id = get_session().scalar(select(Theme.id).where(Theme.code == "transport"))
    response = client.post(
        f"/admin/themes/{theme_id}",
        data={
            f"t{theme_id}-label_fr": "Mobilité",
            f"t{theme_id}-label_nl": "Mobiliteit",
            f"t{theme_id}-label_en": "Mobility",
            f"t{theme_id}-position": "10",
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/themes",
        data={
            "code": "digital",
            "label_fr": "Fracture numérique",
            "label_nl": "Digitale kloof",
            "label_en": "Digital divide",
            "active": "y",
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 302
    return_page = client.get("/admin/themes").get_data(as_text=True)
    assert "Mobilité" in return_page and "Fracture numérique" in return_page


def test_retired_theme_is_not_offered_at_intake(app, client, logged_in, themes):
    with app.app_context():
        db = get_session()
        db.scalars(select(Theme).where(Theme.code == "transport")).one().active = False
        db.commit()
    logged_in("operator", "sud")
    page = client.get("/requests/new").get_data(as_text=True)
    assert 'value="transport"' not in page and 'value="housing"' in page


def test_db_upgrade_seeds_the_themes(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    from helpdesk import create_app
    from tests.conftest import app_config

    fresh = create_app({**app_config(url, tmp_path)})
    result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert get_session().scalar(select(func.count(Theme.id))) == 16
        from helpdesk.db import get_engine

        get_engine().dispose()


def test_notes_show_on_the_organisation_page_and_a_new_one_comes_back_to_it(
    client, logged_in, make_organisation
):
    org = make_organisation(name_fr="Maison médicale du Midi", postcode="1060")
    logged_in("operator", "nord")
    token = csrf_token(client, "/")
    response = client.post(
        f"/directory/organisations/{org.id}/notes?next=/directory/organisations/{org.id}",
        data={"text": "Nouvelle consultation du soir", "csrf_token": token},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/directory/organisations/{org.id}"
    )
    page = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "Nouvelle consultation du soir" in page and "Bassin Nord" in page
