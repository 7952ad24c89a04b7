"""The needs thesaurus in the helpdesk: seeded into the database, edited by admins, read by every search (the
directory page, the JSON API, the CLI, the request page's lead search), and empty searches explained."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from directory_import.models import Organisation
from helpdesk.audit import AuditEvent
from helpdesk.db import get_session
from helpdesk.i18n import local_zone
from helpdesk.orientation.models import Need, UnansweredSearch
from helpdesk.orientation.needs import needs_thesaurus, seed_needs, shipped_entries
from helpdesk.reports.periods import Month
from helpdesk.reports.queries import monthly_figures
from helpdesk.reports.render import to_json
from helpdesk.reports.report import build_report
from tests.conftest import csrf_token

SSM = [
    {
        "code": "ssm",
        "label_fr": "Service de santé mentale",
        "label_nl": "Centrum voor geestelijke gezondheidszorg",
    }
]
MM = [{"code": "mm", "label_fr": "Maison médicale", "label_nl": "Wijkgezondheidscentrum"}]


def _directory(make_organisation, reindex) -> dict[str, Organisation]:
    """A mental health service that never says "dépression", a medical house that does, and a food bank."""
    orgs = {
        "ssm": make_organisation(
            name_fr="Le Méridien",
            description_fr="Consultations pour adultes et enfants.",
            categories=SSM,
            postcode="1210",
            basin="nord-est",
        ),
        "mm": make_organisation(
            name_fr="Maison médicale du Parvis",
            description_fr="Médecine générale; suivi des personnes en dépression.",
            categories=MM,
            postcode="1060",
            basin="sud",
        ),
        "food": make_organisation(
            name_fr="Épicerie sociale La Ruche",
            description_fr="Colis et produits à prix réduit.",
            categories=[{"code": "aidealim", "label_fr": "Aide alimentaire", "label_nl": "Voedselhulp"}],
            postcode="1030",
            basin="nord-est",
        ),
    }
    reindex()
    return orgs


# --- seeding -----------------------------------------------------------------------------------------
def test_seed_needs_is_idempotent_and_keeps_admin_edits(app):
    with app.app_context():
        db = get_session()
        first = seed_needs(db)
        assert first["added"] == len(shipped_entries()) >= 200
        depression = db.scalar(select(Need).where(Need.code == "depression"))
        depression.phrases_fr = "dépression\nblues"
        depression.edited = True
        hunger = db.scalar(select(Need).where(Need.code == "hunger"))
        hunger.deleted = True
        hunger.edited = True
        debts = db.scalar(select(Need).where(Need.code == "debts"))
        debts.phrases_fr = "stale"  # a shipped entry nobody edited: refreshed
        db.commit()
        again = seed_needs(db)
        db.commit()
        assert again["added"] == 0 and again["updated"] == 1 and again["kept"] == 2
        assert db.get(Need, depression.id).phrases_fr == "dépression\nblues"
        assert db.get(Need, hunger.id).deleted
        assert "dettes" in db.get(Need, debts.id).phrases_fr
        assert "hunger" not in needs_thesaurus(db).by_code


def test_db_upgrade_seeds_the_needs(tmp_path):
    from helpdesk import create_app
    from helpdesk.db import get_engine
    from tests.conftest import app_config

    fresh = create_app(app_config(f"sqlite:///{tmp_path / 'fresh.sqlite'}", tmp_path))
    result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    again = fresh.test_cli_runner().invoke(args=["needs", "seed", "--json"])
    assert json.loads(again.output) == {"added": 0, "updated": 0, "kept": 0}
    with fresh.app_context():
        assert get_session().scalar(select(func.count(Need.id))) == len(shipped_entries())
        get_engine().dispose()


# --- the searches ------------------------------------------------------------------------------------
def test_directory_page_finds_a_need_below_the_records_holding_the_word(
    client, logged_in, make_organisation, reindex
):
    orgs = _directory(make_organisation, reindex)
    logged_in("operator", "sud")
    page = client.get("/directory/?q=depression").get_data(as_text=True)
    first = page.index(f"/directory/organisations/{orgs['mm'].id}")
    second = page.index(f"/directory/organisations/{orgs['ssm'].id}")
    assert first < second
    assert f"/directory/organisations/{orgs['food'].id}" not in page
    assert 'data-needs="depression"' in page
    assert 'data-via-needs="depression"' in page[second:] and "data-via-needs" not in page[first:second]


def test_dutch_and_typo_needs_find_the_service(client, logged_in, make_organisation, reindex):
    orgs = _directory(make_organisation, reindex)
    logged_in("operator", "sud")
    for text in ("depressie", "idees suicidaires", "zelfmoordgedachten", "angoises"):
        page = client.get("/directory/", query_string={"q": text}).get_data(as_text=True)
        assert f"/directory/organisations/{orgs['ssm'].id}" in page, text
    page = client.get("/directory/", query_string={"q": "honger"}).get_data(as_text=True)
    assert f"/directory/organisations/{orgs['food'].id}" in page


def test_api_search_names_the_needs_and_the_hits_found_through_them(
    client, logged_in, make_organisation, reindex
):
    orgs = _directory(make_organisation, reindex)
    logged_in("operator", "sud")
    data = client.get("/api/v1/organisations?q=rien+a+manger").get_json()
    assert [n["code"] for n in data["needs"]] == ["hunger"]
    assert data["hits"][0]["id"] == orgs["food"].id and data["hits"][0]["via_needs"] == ["hunger"]
    assert data["empty"] is None


def test_cli_search_uses_the_thesaurus(runner, make_organisation, reindex):
    orgs = _directory(make_organisation, reindex)
    result = runner.invoke(args=["search", "zelfmoordgedachten", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)["hits"]
    assert hits[0]["id"] == orgs["ssm"].id and hits[0]["via_needs"] == ["suicidal_thoughts"]
    text = runner.invoke(args=["search", "zelfmoordgedachten"]).output
    assert "Understood as: Suicidal thoughts" in text
    empty = runner.invoke(args=["search", "deppresssionn"]).output
    assert "0 organisation(s) found" in empty and "Perhaps: Depression" in empty


# --- empty searches ----------------------------------------------------------------------------------
def test_empty_search_says_which_filter_emptied_it(client, logged_in, make_organisation, reindex):
    _directory(make_organisation, reindex)
    logged_in("operator", "sud", locale="en")
    page = client.get("/directory/?q=depression&basin=centre-ouest").get_data(as_text=True)
    assert "but not with the filters chosen" in page and "Basin" in page
    assert 'href="/directory/?q=depression" data-without-filters' in page
    data = client.get("/api/v1/organisations?q=depression&basin=centre-ouest").get_json()
    assert data["total"] == 0
    assert data["empty"]["reason"] == "filters" and data["empty"]["blocking_filters"] == ["basin"]
    assert data["empty"]["without_filters"] == 2


def test_empty_search_offers_the_needs_and_categories_it_resembles(
    client, logged_in, make_organisation, reindex
):
    _directory(make_organisation, reindex)
    logged_in("operator", "sud", locale="en")
    data = client.get("/api/v1/organisations?q=deppresssionn").get_json()
    assert data["total"] == 0 and data["empty"]["reason"] == "no_match"
    assert "depression" in [n["code"] for n in data["empty"]["resembling_needs"]]
    page = client.get("/directory/?q=maisonnette+medicalisee").get_data(as_text=True)
    assert 'data-category="mm"' in page


def test_lead_search_without_result_explains_offers_an_unmet_need_and_is_counted(
    app, client, logged_in, make_organisation, make_request, reindex
):
    _directory(make_organisation, reindex)
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, themes=["housing"])
    page = client.get(f"/requests/{req.id}?lead_q=xqzw+kwyjibo").get_data(as_text=True)
    assert "No organisation matches these words." in page
    assert "data-record-unmet" in page and "unmet_theme=housing" in page
    client.get(f"/requests/{req.id}?lead_q=another+xqzw")  # the same request, the same day: counted once
    prefilled = client.get(f"/requests/{req.id}?unmet=1&unmet_theme=housing&unmet_note=xqzw").get_data(
        as_text=True
    )
    assert 'id="record-unmet" open' in prefilled
    # Le Méridien is in Nord-Est, outside the preset "Sud and neighbouring basins": lifted here.
    found = client.get(f"/requests/{req.id}?lead_q=zelfmoordgedachten&lift=basin").get_data(as_text=True)
    assert "Le Méridien" in found
    with app.app_context():
        db = get_session()
        rows = list(db.scalars(select(UnansweredSearch)))
        assert [(r.request_id, r.theme_code) for r in rows] == [(req.id, "housing")]
        assert not hasattr(rows[0], "text")
        report = build_report(
            db, monthly_figures(db, Month.containing(datetime.now(UTC), local_zone())), "en"
        )
        assert json.loads(to_json(report))["unanswered_searches"] == {"housing": 1}


# --- admin pages -------------------------------------------------------------------------------------
def test_admin_adds_edits_and_removes_a_need_audited(app, client, logged_in, make_organisation, reindex):
    orgs = _directory(make_organisation, reindex)
    with app.app_context():
        seed_needs(get_session())
        get_session().commit()
    logged_in("coordinator", "region", locale="en")
    assert "depression" in client.get("/admin/needs?q=depres").get_data(as_text=True)
    token = csrf_token(client, "/admin/needs/new")
    form = {
        "code": "spleen",
        "label_en": "Spleen",
        "phrases_fr": "spleen\nvague à l'âme",
        "phrases_nl": "weltschmerz",
        "categories": "ssm:2",
        "publics": "",
        "themes": "mental_health:1",
        "terms": "",
        "csrf_token": token,
    }
    bad = client.post("/admin/needs/new", data=form)
    assert bad.status_code == 400 and "number from 0 to 1" in bad.get_data(as_text=True)
    unknown = client.post("/admin/needs/new", data={**form, "categories": "nowhere:1"})
    assert unknown.status_code == 400 and "Unknown category: nowhere" in unknown.get_data(as_text=True)
    assert client.post("/admin/needs/new", data={**form, "categories": "ssm:1, mm:0.2"}).status_code == 302
    page = client.get("/directory/?q=vague+a+l'ame").get_data(as_text=True)
    assert f"/directory/organisations/{orgs['ssm'].id}" in page
    with app.app_context():
        db = get_session()
        spleen = db.scalar(select(Need).where(Need.code == "spleen"))
        depression = db.scalar(select(Need).where(Need.code == "depression"))
    edit = client.post(
        f"/admin/needs/{depression.id}",
        data={**form, "phrases_fr": "dépression", "phrases_nl": "depressie", "categories": "mm:1"},
    )
    assert edit.status_code == 302
    assert client.post(f"/admin/needs/{spleen.id}/delete", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/admin/needs/{depression.id}/delete", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/admin/needs/{depression.id}").status_code == 404
    with app.app_context():
        db = get_session()
        assert db.scalar(select(Need).where(Need.code == "spleen")) is None
        assert db.get(Need, depression.id).deleted  # a tombstone: no re-seed brings it back
        seed_needs(db)
        assert db.get(Need, depression.id).deleted
        actions = [
            a
            for a in db.scalars(
                select(AuditEvent.action).where(AuditEvent.object_type == "need").order_by(AuditEvent.id)
            )
        ]
        assert actions == ["need.create", "need.update", "need.delete", "need.delete"]


def test_operators_cannot_edit_needs(client, logged_in):
    logged_in("operator", "sud")
    assert client.get("/admin/needs").status_code == 403
    assert client.post("/admin/needs/new", data={"code": "x"}).status_code in (400, 403)
