"""The directory as people use it: search page, organisation page, API, CLI, and the index kept current."""

from __future__ import annotations

import json
import logging
import shutil
import threading

import pytest

from directory_import.models import Organisation
from helpdesk.auth import operations as accounts
from helpdesk.db import get_session
from helpdesk.directory.search import _state, schedule_rebuild, search_index
from helpdesk.directory.signals import directory_changed
from tests.conftest import csrf_token


def _org(make_organisation, **fields) -> Organisation:
    fields.setdefault("postcode", "1060")
    fields.setdefault("basin", "sud")
    return make_organisation(**fields)


# --- search page ------------------------------------------------------------------------------------
def test_search_page_finds_typo_in_dutch_and_highlights(client, logged_in, search_directory_ids):
    logged_in("operator", "sud")
    page = client.get("/directory/?q=wijkgezondheidcentrum+de+brug").get_data(as_text=True)
    assert f"/directory/organisations/{search_directory_ids['c08']}" in page
    assert "<mark>Brug</mark>" in page
    assert 'value="wijkgezondheidcentrum de brug"' in page  # the query stays in the box and the URL


def test_search_page_shows_names_in_the_users_language(client, logged_in, make_organisation, reindex):
    _org(
        make_organisation,
        name_fr="Centre de planning familial Aurore",
        name_nl="Centrum voor gezinsplanning Aurora",
    )
    reindex()
    logged_in("operator", "sud", locale="nl")
    page = client.get("/directory/?q=aurore").get_data(as_text=True)
    hit = page[page.index('class="hit-name"') :]
    assert hit.index("gezinsplanning") < hit.index("planning familial")  # Dutch name first, French after


def test_search_page_falls_back_to_the_other_language(client, logged_in, make_organisation, reindex):
    _org(make_organisation, name_fr="", name_nl="Straatverplegers Brussel")
    reindex()
    logged_in("operator", "sud", locale="fr")
    page = client.get("/directory/?q=straatverplegers").get_data(as_text=True)
    assert "<mark>Straatverplegers</mark> Brussel" in page


def test_search_page_facets_filter_and_keep_the_query(client, logged_in, search_directory_ids):
    logged_in("operator", "sud")
    page = client.get("/directory/?q=maison+medicale").get_data(as_text=True)
    assert 'name="basin" value="sud"' in page and 'name="language" value="fr"' in page
    filtered = client.get("/directory/?q=maison+medicale&basin=nord-est").get_data(as_text=True)
    assert 'name="basin" value="nord-est" checked' in filtered
    assert f"/directory/organisations/{search_directory_ids['c48']}" in filtered  # Schaerbeek: nord-est
    assert f'/directory/organisations/{search_directory_ids["c07"]}"' not in filtered  # Marolles: centre


def test_search_page_paginates(client, logged_in, search_directory_ids):
    logged_in("operator", "sud")
    first = client.get("/directory/?q=maison+medicale").get_data(as_text=True)
    assert 'rel="next"' in first and "page=2" in first
    second = client.get("/directory/?q=maison+medicale&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second


def test_search_page_partial_for_results_as_you_type(client, logged_in, search_directory_ids):
    logged_in("operator", "sud")
    response = client.get("/directory/?q=ocmw+elsene&partial=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<mark>OCMW</mark>" in html


def test_search_page_works_without_javascript(client, logged_in, search_directory_ids):
    logged_in("operator", "sud")
    page = client.get("/directory/").get_data(as_text=True)
    assert '<form method="get" action="/directory/"' in page
    assert "<script src=" in page and "<script>" not in page  # no inline script (CSP)
    assert 'type="submit"' in page


def test_search_page_suggests_a_spelling(client, logged_in, search_directory_ids):
    logged_in("operator", "sud")
    page = client.get("/directory/?q=hirondeles").get_data(as_text=True)
    assert "data-suggestion>hirondelles</a>" in page


def test_search_page_escapes_data(client, logged_in, make_organisation, reindex):
    _org(make_organisation, name_fr='<img src=x onerror="alert(1)"> Maison médicale Piège')
    reindex()
    logged_in()
    page = client.get("/directory/?q=piege").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_search_page_bad_parameters_do_not_crash(client, logged_in, search_directory_ids):
    logged_in()
    response = client.get("/directory/?q=cpas&page=abc&limit=-3")
    assert response.status_code == 200
    assert "CPAS" in response.get_data(as_text=True)


def test_search_page_needs_sign_in_unless_public(app, client, search_directory_ids):
    assert client.get("/directory/?q=cpas").status_code == 302
    app.config["DIRECTORY_PUBLIC"] = True
    assert client.get("/directory/?q=cpas").status_code == 200
    assert client.get(f"/directory/organisations/{search_directory_ids['c01']}").status_code == 200
    assert client.get("/api/v1/organisations?q=cpas").status_code == 200


# --- organisation page ------------------------------------------------------------------------------
def test_organisation_page_shows_both_languages_and_contact(client, logged_in, make_organisation):
    org = _org(
        make_organisation,
        name_fr="Service de santé mentale Le Méridien",
        name_nl="Centrum voor geestelijke gezondheidszorg Le Méridien",
        acronym="SSM",
        description_fr="Consultations psychologiques",
        description_nl="Psychologische consultaties",
        street_fr="Rue de la Source",
        street_nl="Bronstraat",
        number="12",
        postcode="1060",
        commune_fr="Saint-Gilles",
        commune_nl="Sint-Gillis",
        phones=["02 538 00 00"],
        emails=["info@meridien.example"],
        languages=["fr", "nl"],
        categories=[{"code": "ssm", "label_fr": "Santé mentale", "label_nl": "Geestelijke gezondheid"}],
    )
    logged_in()
    page = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    for text in (
        "Le Méridien",
        "geestelijke gezondheidszorg",
        "Consultations psychologiques",
        "Psychologische consultaties",
        "Bronstraat",
        "Sint-Gillis",
        "02 538 00 00",
        "Geestelijke gezondheid",
        'data-copy-target="org-contact"',
        'id="notes"',
    ):
        assert text in page
    contact = page[page.index('id="org-contact"') :]
    assert "Rue de la Source 12" in contact and "1060 Saint-Gilles" in contact


def test_organisation_print_view(client, logged_in, make_organisation):
    org = _org(make_organisation, name_fr="Maison d'accueil L'Escale")
    logged_in()
    response = client.get(f"/directory/organisations/{org.id}/print")
    assert response.status_code == 200
    assert 'class="print-view"' in response.get_data(as_text=True)


def test_organisation_page_unknown_is_404(client, logged_in):
    logged_in()
    assert client.get("/directory/organisations/999999").status_code == 404


# --- API --------------------------------------------------------------------------------------------
def test_api_search_returns_ranked_hits_facets_and_highlights(client, logged_in, search_directory_ids):
    logged_in()
    data = client.get("/api/v1/organisations?q=ocmw+schaarbeek&limit=3").get_json()
    assert data["total"] >= 1
    first = data["hits"][0]
    assert first["id"] == search_directory_ids["c01"] and first["source_id"] == "c01"
    assert set(first) >= {"id", "source_id", "name_fr", "name_nl", "postcode", "basin", "score", "highlights"}
    assert "<mark>OCMW</mark>" in first["highlights"]["name_nl"]
    assert {"category", "basin", "commune", "language", "public"} <= set(data["facets"])
    assert "suggestion" in data


def test_api_search_filters_and_pages(client, logged_in, search_directory_ids):
    logged_in()
    page1 = client.get("/api/v1/organisations?q=maison+medicale&basin=sud&limit=2&page=1").get_json()
    page2 = client.get("/api/v1/organisations?q=maison+medicale&basin=sud&limit=2&page=2").get_json()
    assert all(hit["basin"] == "sud" for hit in page1["hits"] + page2["hits"])
    assert not {h["id"] for h in page1["hits"]} & {h["id"] for h in page2["hits"]}


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("page=-1", "page"),
        ("q=" + "x" * 201, "q"),
        ("colour=red", "colour"),
    ],
)
def test_api_search_bad_parameters_are_400(client, logged_in, query, field):
    logged_in()
    response = client.get(f"/api/v1/organisations?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


def test_api_with_bearer_token(app, client, make_user, search_directory_ids):
    user = make_user()
    with app.app_context():
        db = get_session()
        token = accounts.create_api_token(db, db.merge(user), "test")
        db.commit()
    assert client.get("/api/v1/organisations?q=cpas").status_code == 401
    response = client.get("/api/v1/organisations?q=cpas", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["total"] >= 4
    detail = client.get(
        f"/api/v1/organisations/{search_directory_ids['c02']}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert detail["name_nl"] == "OCMW Elsene" and detail["archived"] is False


def test_api_detail_unknown_is_404_json(client, logged_in):
    logged_in()
    response = client.get("/api/v1/organisations/424242")
    assert response.status_code == 404 and "error" in response.get_json()


# --- the index kept current -------------------------------------------------------------------------
def test_directory_changed_signal_updates_search_without_restart(
    app, client, logged_in, make_organisation, reindex
):
    org = _org(make_organisation, name_fr="Épicerie sociale Le Grain")
    reindex()
    logged_in()
    assert "Le Grain" in client.get("/directory/?q=epicerie").get_data(as_text=True)
    with app.app_context():
        db = get_session()
        stored = db.get(Organisation, org.id)
        stored.name_fr = "Épicerie sociale La Graine"
        added = Organisation(
            source="test", source_id="new", name_fr="Épicerie solidaire Zéphyr", postcode="1060", basin="sud"
        )
        db.add(added)
        db.commit()
        directory_changed.send(app, organisation_ids=[org.id, added.id])
    page = client.get("/directory/?q=epicerie").get_data(as_text=True)
    assert "La Graine" in page and "Zéphyr" in page and "Le Grain<" not in page
    with app.app_context():
        db = get_session()
        db.get(Organisation, added.id).archived = True
        db.commit()
        directory_changed.send(None, organisation_ids=[added.id])
    assert "Zéphyr" not in client.get("/directory/?q=epicerie").get_data(as_text=True)


def test_missing_index_is_built_on_first_search_with_a_log_line(
    app, client, logged_in, make_organisation, caplog
):
    _org(make_organisation, name_fr="Centre de planning familial Rosa")
    logged_in()
    assert not search_index(app).exists()
    with caplog.at_level(logging.WARNING, logger="helpdesk.directory.search"):
        page = client.get("/directory/?q=planing+rosa").get_data(as_text=True)
    assert "rebuilding it from the database" in caplog.text
    assert "Rosa" in page
    assert search_index(app).exists()


def test_corrupt_index_is_rebuilt_and_searches_keep_answering(
    app, client, logged_in, make_organisation, reindex, caplog
):
    _org(make_organisation, name_fr="Abri de nuit Le Phare")
    reindex()
    folder = search_index(app).generation_path()
    for path in folder.iterdir():
        if path.suffix in (".toc", ".seg"):
            path.write_bytes(b"\x00broken")
    search_index(app).reset_searcher()
    logged_in()
    with caplog.at_level(logging.WARNING, logger="helpdesk.directory.search"):
        page = client.get("/directory/?q=phare").get_data(as_text=True)
    assert "Le <mark>Phare</mark>" in page
    assert "rebuilding it from the database" in caplog.text
    assert search_index(app).generation_path() != folder


def test_background_rebuild_answers_with_sql_meanwhile(app, client, logged_in, make_organisation):
    _org(make_organisation, name_fr="Maison médicale Atlas")
    logged_in()
    app.config["SEARCH_REBUILD_IN_BACKGROUND"] = True
    with app.test_request_context("/directory/"):
        thread = schedule_rebuild(app, reason="test")
    assert thread is not None
    # Whether or not the thread is done yet, the page answers (SQL while it runs, the index after).
    page = client.get("/directory/?q=Atlas").get_data(as_text=True)
    assert "Atlas" in page
    thread.join(30)
    assert search_index(app).exists()
    assert "<mark>Atlas</mark>" in client.get("/directory/?q=atlas").get_data(as_text=True)


def test_sql_fallback_during_a_rebuild_ignores_accents_and_case(app, client, logged_in, make_organisation):
    """While the index is rebuilt, professionals still type without accents, in capitals, with a curly
    apostrophe: the plain-SQL answer must find the same organisations (on SQLite and on PostgreSQL)."""
    meridien = _org(
        make_organisation,
        name_fr="Service de Santé Mentale Le Méridien",
        name_nl="Dienst voor Geestelijke Gezondheid Le Méridien",
        commune_fr="Saint-Gilles",
        commune_nl="Sint-Gillis",
    )
    accueil = _org(
        make_organisation,
        name_fr="Maison d'accueil Sœur Emmanuelle",
        postcode="1000",
        commune_fr="Bruxelles",
        basin="centre-ouest",
    )
    _org(make_organisation, name_fr="Épicerie sociale", description_fr="Colis à 100 % gratuits")
    logged_in()
    release = threading.Event()
    busy = threading.Thread(target=release.wait, name="rebuild-held-by-test")
    busy.start()
    _state(app).rebuilding = busy  # a rebuild is under way: pages answer from SQL
    try:

        def found(query: str) -> set[int]:
            response = client.get("/api/v1/organisations", query_string={"q": query})
            assert response.status_code == 200 and response.get_json()["degraded"] is True
            return {hit["id"] for hit in response.get_json()["hits"]}

        page = client.get("/directory/?q=sante+mentale").get_data(as_text=True)
        assert "Méridien" in page and "en cours de reconstruction" in page  # the degraded-mode notice
        assert found("SANTE MERIDIEN") == {meridien.id}
        assert found("santé") == {meridien.id}
        assert found("geestelijke gezondheid") == {meridien.id}
        assert found("sint-gillis") == {meridien.id}
        assert found("maison d’accueil") == {accueil.id}
        assert found("soeur") == set()  # one letter for one letter: œ is not "oe" here (the index does that)
        assert found("100%") == set() and found("1_0") == set()  # typed LIKE wildcards match literally
        assert found("à 100 %") == found("gratuits") != set()
    finally:
        release.set()
        busy.join()


# --- CLI --------------------------------------------------------------------------------------------
def test_cli_index_rebuild_status_and_search(runner, search_directory_ids):
    result = runner.invoke(args=["index", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"{len(search_directory_ids)} organisations" in result.output
    status = json.loads(runner.invoke(args=["index", "status", "--json"]).output)
    assert status["exists"] and status["documents"] == len(search_directory_ids)
    found = runner.invoke(args=["search", "ocmw", "schaerbek", "--limit", "3"])
    assert found.exit_code == 0 and "CPAS de Schaerbeek" in found.output.splitlines()[0]
    as_json = json.loads(runner.invoke(args=["search", "abortus", "--json", "--basin", "sud"]).output)
    assert [hit["source_id"] for hit in as_json["hits"]][:1] == ["c11"]


def test_cli_index_status_without_index(runner):
    result = runner.invoke(args=["index", "status"])
    assert result.exit_code == 0 and "No search index" in result.output


# --- admin synonyms -----------------------------------------------------------------------------------
def test_admin_synonyms_extend_search_at_once(app, client, logged_in, make_organisation, reindex):
    org = _org(make_organisation, name_nl="Centrum Algemeen Welzijnswerk Zuid")
    reindex()
    logged_in("admin", "region", locale="en")
    assert "Welzijnswerk" not in client.get("/directory/?q=cass").get_data(as_text=True)
    bad = client.post(
        "/admin/synonyms", data={"terms": "cass", "csrf_token": csrf_token(client, "/admin/synonyms")}
    )
    assert bad.status_code == 200 and "at least two" in bad.get_data(as_text=True)
    ok = client.post(
        "/admin/synonyms",
        data={"terms": "CASS, welzijnswerk", "csrf_token": csrf_token(client, "/admin/synonyms")},
    )
    assert ok.status_code == 302
    page = client.get("/directory/?q=cass").get_data(as_text=True)
    assert f"/directory/organisations/{org.id}" in page


def test_index_folder_removed_while_running_is_rebuilt(app, client, logged_in, make_organisation, reindex):
    _org(make_organisation, name_fr="Service d'aide aux détenus Horizon")
    reindex()
    shutil.rmtree(search_index(app).path)
    search_index(app).reset_searcher()
    logged_in()
    assert "Horizon" in client.get("/directory/?q=ex-detenus").get_data(as_text=True)


def test_languages_spoken_are_named_in_the_readers_language(client, logged_in, make_organisation, reindex):
    org = _org(make_organisation, name_fr="Centre de santé Babel", languages=["fr", "ar"])
    reindex()
    logged_in("operator", "sud", locale="nl")
    page = client.get("/directory/?q=babel").get_data(as_text=True)
    assert 'name="language" value="ar"' in page and "Arabisch" in page and "Frans" in page
    details = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "Frans, Arabisch" in details  # the language switcher keeps its own names (Français...)
