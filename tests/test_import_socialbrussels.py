"""The social.brussels API records: the reader, their normalisation, the import, the page and the search."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from directory_import.models import Organisation, VocabularyTerm
from directory_import.normalize import (
    normalize_company_number,
    normalize_date,
    normalize_phones,
    normalize_record,
    readable_name,
)
from directory_import.readers import detect_format, read_all, read_source
from directory_import.readers.base import CategoryRecord
from directory_import.sample import write_sample
from directory_import.source_vocabularies import (
    read_vocabulary,
    store_vocabulary,
    vocabulary_labels,
    with_labels,
)
from directory_import.territory import COMMUNES, communes_named
from helpdesk.db import get_session
from helpdesk.directory.zones import SERVES_COMMUNE, place_reasons, serving_commune


@pytest.fixture
def sb_dir(data_dir):
    return data_dir / "socialbrussels"


@pytest.fixture
def sb_records(sb_dir):
    return read_all(read_source(sb_dir / "organisations.json"))


def _by_id(records, source_id):
    return next(r for r in records if r.source_id == source_id)


# --- the reader ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["organisations.json", "organisation_wrapped.json", "search_results.json"])
def test_socialbrussels_reader_is_recognised_from_the_content(sb_dir, name):
    assert detect_format(sb_dir / name) == "socialbrussels"


def test_socialbrussels_reader_leaves_the_projects_own_json_to_the_json_reader(data_dir):
    assert detect_format(data_dir / "directory_v1.json") == "json"


def test_socialbrussels_reader_can_be_forced_on_a_file_without_its_signature_keys(tmp_path):
    path = tmp_path / "bare.json"
    path.write_text(json.dumps([{"id": 1, "nameFr": "Le Pivot"}]), encoding="utf-8")
    assert detect_format(path) == "json"
    records, _ = read_all(read_source(path, "socialbrussels"))
    assert (records[0].source_id, records[0].name_fr) == ("1", "Le Pivot")


def test_socialbrussels_reader_reads_one_wrapped_record(sb_dir):
    records, rejected = read_all(read_source(sb_dir / "organisation_wrapped.json"))
    assert rejected == [] and [r.source_id for r in records] == ["9100"]


def test_socialbrussels_reader_reads_a_list_wrapped_in_an_object(sb_dir):
    records, _ = read_all(read_source(sb_dir / "search_results.json"))
    assert [r.source_id for r in records] == ["4012", "9100"]


def test_socialbrussels_reader_takes_every_field_of_a_full_record(sb_records):
    record = _by_id(sb_records[0], "4012")
    assert record.name_fr == "CENTRE PUBLIC D'ACTION SOCIALE DE SCHAERBEEK"
    assert ("alternative", "fr", "CPAS") in {(n.kind, n.lang, n.name) for n in record.other_names}
    assert ("service", "nl", "Energiecel") in {(n.kind, n.lang, n.name) for n in record.other_names}
    assert (record.legal_form, record.legal_form_nl, record.legal_form_code) == (
        "Centre public d'action sociale",
        "Openbaar centrum voor maatschappelijk welzijn",
        "7",
    )
    assert record.company_numbers == ("0212.347.945",)
    assert record.activities_fr.startswith("- Octroi du revenu")
    assert record.access_fr == "Tram 92, 93 : arrêt Verboeckhoven\nBus 59"
    assert record.opening_hours_fr == "Lundi au vendredi de 8h30 à 12h"
    assert (record.language_regime, record.interpreting) == ("FR-NL", "true")
    assert record.phones == ("02/435.51.38", "02/435.51.39") and record.faxes == ("02/435.51.40",)
    assert (record.postcode, record.lambert_x, record.latitude) == ("1030", "151234.5", "50.8671")
    assert record.categories == (
        CategoryRecord("312", "Aide sociale générale", "Algemeen welzijnswerk"),
        CategoryRecord("318", "Médiation de dettes", "Schuldbemiddeling"),
    )
    assert record.sectors == (CategoryRecord("3", "Aide sociale", "Welzijn"),)
    assert json.loads(record.raw)["subventionFr"] == ["COCOM"]  # unknown fields kept raw


def test_socialbrussels_reader_accepts_strings_for_lists_and_nulls_everywhere(sb_records):
    record = _by_id(sb_records[0], "5120")
    assert record.phones == ("0475 12 34 56 - 02/502.00.11",)
    assert record.company_numbers == ("0456 789 123",)
    assert (record.street_fr, record.postcode, record.interpreting) == ("", "", "false")
    assert record.categories == (CategoryRecord("", "Sans-abrisme", ""),)


def test_socialbrussels_reader_matches_keys_whatever_their_case(sb_records):
    record = _by_id(sb_records[0], "8003")
    assert (record.name_fr, record.postcode, record.street_fr) == (
        "Maison de quartier Le Tremplin",
        "1160",
        "RUE DU MOULIN",
    )
    assert record.activities_fr == "- Soutien scolaire\n- Cours de français"


def test_socialbrussels_reader_keeps_rows_without_id_or_name_for_the_row_rules(sb_records):
    records, _ = sb_records
    without_id = next(r for r in records if r.line == 4)
    assert without_id.source_id == "" and without_id.name_fr == "ASSOCIATION SANS IDENTIFIANT"


def test_socialbrussels_reader_refuses_broken_json(tmp_path):
    from directory_import.readers import SourceError

    path = tmp_path / "broken.json"
    path.write_text('[{"id": 1, "nameOfficialFr": "A"}, {"id": 2, "nameOff', encoding="utf-8")
    with pytest.raises(SourceError, match="broken"):
        read_all(read_source(path, "socialbrussels"))


# --- normalisation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CENTRE PUBLIC D'ACTION SOCIALE DE SCHAERBEEK", "Centre Public d'Action Sociale de Schaerbeek"),
        ("SERVICE DE SANTÉ MENTALE LE MÉRIDIEN ASBL", "Service de Santé Mentale Le Méridien ASBL"),
        ("MAISON DE LA NAISSANCE", "Maison de la Naissance"),
        ("CGG DE WIJK VZW", "CGG de Wijk VZW"),
        ("SAINT-JOSSE-TEN-NOODE", "Saint-Josse-ten-Noode"),
        ("Maison médicale Le Noyer", "Maison médicale Le Noyer"),
    ],
)
def test_normalize_readable_name_of_a_name_in_capitals(raw, expected):
    assert readable_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("02/435.51.38", ["+32 2 435 51 38"]),
        ("0475 12 34 56 - 02/502.00.11", ["+32 475 12 34 56", "+32 2 502 00 11"]),
        ("02/435.51.38 (accueil)", ["+32 2 435 51 38"]),
        ("appelez-nous", []),
    ],
)
def test_normalize_phones_finds_every_number_in_a_text(raw, expected):
    assert normalize_phones(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0212.347.945", "0212.347.945"),
        ("0456 789 123", "0456.789.123"),
        ("BE 0456789123", "0456.789.123"),
        ("456789123", "0456.789.123"),
        ("12", None),
    ],
)
def test_normalize_company_number(raw, expected):
    assert normalize_company_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14/03/23", "2023-03-14"),
        ("30/09/2024", "2024-09-30"),
        ("2026-10-01", "2026-10-01"),
        ("31/02/24", "31/02/24"),
        ("", ""),
    ],
)
def test_normalize_date_reads_day_first_dates(raw, expected):
    assert normalize_date(raw) == expected


def test_normalize_socialbrussels_record_lands_in_the_columns(sb_records):
    values, warnings = normalize_record(_by_id(sb_records[0], "4012"))
    assert warnings == []
    assert values["name_fr"] == "Centre Public d'Action Sociale de Schaerbeek"
    assert values["official_name_fr"] == "CENTRE PUBLIC D'ACTION SOCIALE DE SCHAERBEEK"
    assert values["acronym"] == "CPAS"
    assert values["phones"] == ["+32 2 435 51 38", "+32 2 435 51 39"] and values["faxes"] == [
        "+32 2 435 51 40"
    ]
    assert values["languages"] == ["fr", "nl"] and values["interpreting"] is True
    assert (values["commune_fr"], values["commune_nl"], values["basin"]) == (
        "Schaerbeek",
        "Schaarbeek",
        "nord-est",
    )
    assert values["source_updated_at"] == "2023-03-14"
    assert (values["latitude"], values["longitude"], values["lambert_x"], values["lambert_y"]) == (
        50.8671,
        4.3791,
        151234.5,
        173456.2,
    )
    assert values["served_communes"] == "|schaerbeek|"
    assert {
        "kind": "former",
        "lang": "fr",
        "name": "Équipe de rue du Canal",
        "acronym": False,
    } in normalize_record(_by_id(sb_records[0], "5120"))[0]["other_names"]


def test_normalize_socialbrussels_record_without_address_has_no_place(sb_records):
    values, _ = normalize_record(_by_id(sb_records[0], "5120"))
    assert (values["postcode"], values["basin"], values["latitude"]) == ("", "outside", None)
    assert values["served_communes"] == "|" + "|".join(sorted(COMMUNES)) + "|"  # the whole region


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Schaerbeek", ("schaerbeek",)),
        ("Sint-Jans-Molenbeek", ("molenbeek-saint-jean",)),
        ("1000", ("bruxelles",)),
        ("Laeken", ("bruxelles",)),
        ("Schaerbeek, Evere", ("evere", "schaerbeek")),
        ("Quartier Nord", ()),
        ("Woluwe-Saint-Lambert", ("woluwe-saint-lambert",)),
    ],
)
def test_territory_communes_named_by_an_action_zone(label, expected):
    assert communes_named(label) == expected


# --- vocabularies --------------------------------------------------------------------------------
def test_vocabulary_reads_nested_terms_with_their_parent(sb_dir):
    terms = {t.code: t for t in read_vocabulary(sb_dir / "sectors.json")}
    assert (terms["3"].label_fr, terms["3"].label_nl, terms["3"].parent_code) == (
        "Aide sociale",
        "Welzijn",
        "",
    )
    assert (terms["318"].label_nl, terms["318"].parent_code) == ("Schuldbemiddeling", "3")


def test_vocabulary_labels_the_ids_a_record_gives_alone(session, sb_dir, sb_records):
    store_vocabulary(session, "categories", read_vocabulary(sb_dir / "categories.json"))
    store_vocabulary(session, "languageoffer", read_vocabulary(sb_dir / "languageoffer.json"))
    labelled = list(with_labels(sb_records[0], vocabulary_labels(session)))
    assert _by_id(labelled, "8003").categories == (
        CategoryRecord("312", "Aide sociale générale", "Algemeen welzijnswerk"),
    )


def test_vocabulary_store_is_stable_across_loads(session, sb_dir):
    terms = read_vocabulary(sb_dir / "actionzones.json")
    first = store_vocabulary(session, "actionzones", terms)
    again = store_vocabulary(session, "actionzones", terms)
    assert (first.added, again.added, again.updated, again.unchanged) == (3, 0, 0, 3)


# --- the import end to end -----------------------------------------------------------------------
def test_socialbrussels_import_cli_rejects_rows_without_id_or_name_with_their_position(runner, sb_dir):
    result = runner.invoke(args=["directory", "import", str(sb_dir / "organisations.json"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["added"] == 4
    assert report["rejected"] == [
        {"line": 4, "reason": "no id"},
        {"line": 5, "reason": "organisation 7002 has no name (neither French nor Dutch)"},
    ]


def test_socialbrussels_import_twice_changes_nothing(app, runner, sb_dir, directory_snapshot):
    runner.invoke(args=["directory", "import", str(sb_dir / "organisations.json"), "--quiet"])
    with app.app_context():
        before = directory_snapshot(get_session())
    result = runner.invoke(args=["directory", "import", str(sb_dir / "organisations.json"), "--json"])
    report = json.loads(result.output)
    assert (report["added"], report["updated"], report["unchanged"], report["archived"]) == (0, 0, 4, 0)
    with app.app_context():
        assert directory_snapshot(get_session()) == before


def test_socialbrussels_import_of_the_sample_in_this_shape(app, runner, tmp_path):
    path = tmp_path / "sample.json"
    write_sample(path, count=60, fmt="socialbrussels")
    result = runner.invoke(args=["directory", "import", str(path), "--json"])
    report = json.loads(result.output)
    assert (report["added"], report["rejected"], report["warnings"]) == (60, [], [])
    with app.app_context():
        db = get_session()
        assert db.scalar(select(func.count()).where(Organisation.official_name_fr != "")) > 10
        assert db.scalar(select(func.count()).where(Organisation.served_communes != "")) > 10


def test_socialbrussels_vocabularies_cli_stores_the_reference_lists(app, runner, sb_dir):
    result = runner.invoke(
        args=[
            "directory",
            "vocabularies",
            "--from",
            f"sectors={sb_dir / 'sectors.json'}",
            "--from",
            f"legalstatus={sb_dir / 'legalstatus.json'}",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "sectors: 5 added" in result.output and "legalstatus: 2 added" in result.output
    with app.app_context():
        term = get_session().scalar(
            select(VocabularyTerm).where(VocabularyTerm.kind == "sectors", VocabularyTerm.code == "401")
        )
        assert (term.label("nl"), term.parent_code) == ("Geestelijke gezondheid", "4")


def test_socialbrussels_vocabularies_cli_refuses_an_unknown_kind(runner, sb_dir):
    result = runner.invoke(args=["directory", "vocabularies", "--from", f"colours={sb_dir / 'sectors.json'}"])
    assert result.exit_code != 0 and "KIND one of sectors" in result.output


# --- the orientation: serves your commune --------------------------------------------------------
def test_socialbrussels_action_zones_tell_which_organisations_serve_a_commune(app, runner, sb_dir):
    runner.invoke(args=["directory", "import", str(sb_dir / "organisations.json"), "--quiet"])
    with app.app_context():
        db = get_session()
        serving_molenbeek = {o.source_id for o in db.scalars(serving_commune("molenbeek-saint-jean"))}
        assert serving_molenbeek == {"5120", "6001"}  # the whole region, and a zone naming Molenbeek
        cpas = db.scalar(select(Organisation).where(Organisation.source_id == "4012"))
        assert place_reasons(cpas, "schaerbeek") == (SERVES_COMMUNE, "located_in_commune")
        assert place_reasons(cpas, "evere", "nord-est") == ("located_in_basin",)


# --- the organisation page and the search --------------------------------------------------------
@pytest.fixture
def imported(app, runner, sb_dir, reindex):
    runner.invoke(args=["directory", "import", str(sb_dir / "organisations.json"), "--quiet"])
    reindex()
    with app.app_context():
        return {o.source_id: o.id for o in get_session().scalars(select(Organisation))}


def test_socialbrussels_organisation_page_shows_the_fields_in_french(client, logged_in, imported):
    logged_in("operator", "nord-est", locale="fr")
    page = client.get(f"/directory/organisations/{imported['4012']}").get_data(as_text=True)
    assert "Centre Public d&#39;Action Sociale de Schaerbeek" in page
    assert "CENTRE PUBLIC D&#39;ACTION SOCIALE DE SCHAERBEEK" in page  # the official form, kept
    for expected in (
        "Nom officiel en français",
        "Cellule logement",
        "0212.347.945",
        "+32 2 435 51 38",
        "Interprétariat disponible",
        "Activités (français)",
        "- Médiation de dettes",
        "Tram 92, 93 : arrêt Verboeckhoven",
        "Habitants de Schaerbeek",
        "Lundi au vendredi de 8h30",
        "Centre public d&#39;action sociale",
        "Dessert : Schaerbeek",
        "mis à jour le 14 mars 2023",
        "+32 2 435 51 40",
    ):
        assert expected in page, expected


def test_socialbrussels_organisation_page_shows_the_fields_in_dutch(client, logged_in, imported):
    logged_in("operator", "nord-est", locale="nl")
    page = client.get(f"/directory/organisations/{imported['4012']}").get_data(as_text=True)
    for expected in (
        "Openbaar Centrum voor Maatschappelijk Welzijn van Schaarbeek",
        "Officiële naam in het Nederlands",
        "Energiecel",
        "Tolken beschikbaar",
        "Activiteiten (Nederlands)",
        "- Schuldbemiddeling",
        "Openbaar centrum voor maatschappelijk welzijn",
        "Bedient: Schaarbeek",
        "Welzijn",
    ):
        assert expected in page, expected


def test_socialbrussels_organisation_page_without_address_nor_description(client, logged_in, imported):
    logged_in("operator", "sud")
    response = client.get(f"/directory/organisations/{imported['5120']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "- Maraudes de jour et de nuit" in page and "EMAPSA" in page and "Équipe de rue du Canal" in page


@pytest.mark.parametrize(
    ("query", "source_id"),
    [
        ("emapsa", "5120"),  # an acronym, in small letters
        ("CPAS", "4012"),
        ("equipe de rue du canal", "5120"),  # a former name, without its accent
        ("energiecel", "4012"),  # a service's name, in Dutch
        ("maraudes", "5120"),  # the activities, where the text is when the description is empty
        ("MEDIATION DE DETTES", "4012"),
        ("guidance energetique", "4012"),
        ("CENTRE PUBLIC D'ACTION SOCIALE", "4012"),  # the official form, whatever the case
        ("cgg de wijk", "6001"),  # an alternative name, in Dutch
        ("service d'aide energie", "4012"),  # a service's name, in French
        ("schuldbemiddeling", "4012"),  # the Dutch activities
    ],
)
def test_socialbrussels_search_finds_an_organisation_by_its_other_names_and_activities(
    client, logged_in, imported, query, source_id
):
    logged_in("operator", "sud")
    page = client.get("/directory/", query_string={"q": query}).get_data(as_text=True)
    assert f'href="/directory/organisations/{imported[source_id]}"' in page


def test_socialbrussels_search_language_facet_offers_interpreting(client, logged_in, imported):
    logged_in("operator", "sud", locale="fr")
    page = client.get("/directory/", query_string={"q": "", "language": "interpreting"}).get_data(
        as_text=True
    )
    assert "Interprétariat disponible" in page
    assert f"/directory/organisations/{imported['4012']}" in page
    assert f"/directory/organisations/{imported['6001']}" not in page


def test_socialbrussels_facets_show_vocabulary_labels_in_the_readers_language(
    app, runner, client, logged_in, sb_dir, tmp_path, reindex
):
    path = tmp_path / "ids-only.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": 1,
                    "nameOfficialFr": "ABRI DE NUIT LE PONT",
                    "categoriesObject": [{"id": 505}],
                    "legalStatus": {"id": 1},
                }
            ]
        ),
        encoding="utf-8",
    )
    assert (
        runner.invoke(
            args=[
                "directory",
                "vocabularies",
                "--from",
                f"categories={sb_dir / 'categories.json'}",
                "--from",
                f"legalstatus={sb_dir / 'legalstatus.json'}",
            ]
        ).exit_code
        == 0
    )
    assert runner.invoke(args=["directory", "import", str(path), "--quiet"]).exit_code == 0
    reindex()
    logged_in("operator", "sud", locale="nl")
    page = client.get("/directory/", query_string={"q": "abri"}).get_data(as_text=True)
    assert "Thuisloosheid" in page
    with app.app_context():
        org = get_session().scalar(select(Organisation).where(Organisation.source_id == "1"))
        assert (org.categories, org.legal_form, org.legal_form_nl) == (
            [{"code": "505", "label_fr": "Sans-abrisme", "label_nl": "Thuisloosheid"}],
            "ASBL",
            "VZW",
        )


def test_socialbrussels_organisation_print_view_shows_the_area_served(client, logged_in, imported):
    logged_in("operator", "nord-est", locale="fr")
    response = client.get(f"/directory/organisations/{imported['6001']}/print")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dessert : Bruxelles, Molenbeek-Saint-Jean" in page and "Rue de Flandre 12 / b3" in page


# --- the JSON API --------------------------------------------------------------------------------
def test_socialbrussels_api_detail_gives_every_field_bilingual(client, logged_in, imported):
    logged_in("operator", "sud")
    data = client.get(f"/api/v1/organisations/{imported['4012']}").get_json()
    assert (data["name_fr"], data["official_name_fr"]) == (
        "Centre Public d'Action Sociale de Schaerbeek",
        "CENTRE PUBLIC D'ACTION SOCIALE DE SCHAERBEEK",
    )
    assert "CPAS" in data["acronyms"]
    assert {"kind": "service", "lang": "nl", "name": "Energiecel", "acronym": False} in data["other_names"]
    assert (data["legal_form"], data["legal_form_nl"], data["legal_form_code"]) == (
        "Centre public d'action sociale",
        "Openbaar centrum voor maatschappelijk welzijn",
        "7",
    )
    assert data["company_numbers"] == ["0212.347.945"]
    assert "- Médiation de dettes" in data["activities_fr"] and "- Schuldbemiddeling" in data["activities_nl"]
    assert "Verboeckhoven" in data["access_fr"] and "Schaerbeek" in data["target_public_fr"]
    assert data["opening_hours_fr"].startswith("Lundi au vendredi de 8h30")
    assert (data["language_regime"], data["interpreting"]) == ("FR-NL", True)
    assert {"fr", "nl"} <= set(data["languages"])
    assert (data["latitude"], data["longitude"], data["lambert_x"], data["lambert_y"]) == (
        50.8671,
        4.3791,
        151234.5,
        173456.2,
    )
    assert {"code": "318", "label_fr": "Médiation de dettes", "label_nl": "Schuldbemiddeling"} in data[
        "categories"
    ]
    assert data["sectors"] == [{"code": "3", "label_fr": "Aide sociale", "label_nl": "Welzijn"}]
    assert data["action_zones"] == [{"code": "15", "label_fr": "Schaerbeek", "label_nl": "Schaarbeek"}]
    assert data["served_communes"] == ["schaerbeek"]
    assert data["source_updated_at"] == "2023-03-14"
    assert data["phones"][0] == "+32 2 435 51 38" and data["faxes"] == ["+32 2 435 51 40"]


def test_socialbrussels_api_detail_of_a_record_with_nulls(client, logged_in, imported):
    logged_in("operator", "sud")
    data = client.get(f"/api/v1/organisations/{imported['5120']}").get_json()
    assert (data["latitude"], data["lambert_x"], data["basin"], data["interpreting"]) == (
        None,
        None,
        "outside",
        False,
    )
    assert (data["sectors"], data["description_fr"]) == ([], "")
    assert [c["label_fr"] for c in data["categories"]] == ["Sans-abrisme"]  # "categories": text
    assert len(data["served_communes"]) == 19  # the whole region
    assert data["acronyms"] == ["EMAPSA"]


def test_socialbrussels_api_detail_keys_are_the_documented_ones(client, logged_in, imported):
    logged_in("operator", "sud")
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Organisation"]
    for source_id in ("4012", "5120", "6001"):
        data = client.get(f"/api/v1/organisations/{imported[source_id]}").get_json()
        assert set(data) == set(schema["properties"]), source_id
        assert set(schema["required"]) <= set(data)


# --- every field on the page, in the reader's language -------------------------------------------
def _details(page: str) -> dict[str, str]:
    """The organisation page's details, label -> text (tags dropped, spaces collapsed)."""
    import html
    import re

    found = {}
    for label, value in re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", value)).strip()
        found[html.unescape(label)] = html.unescape(text)
    return found


@pytest.mark.parametrize(
    ("locale", "source_id", "label", "expected"),
    [
        # names: readable, the official form kept beside it
        ("fr", "4012", "Nom en français", "Centre Public d'Action Sociale de Schaerbeek"),
        ("fr", "4012", "Nom officiel en français", "CENTRE PUBLIC D'ACTION SOCIALE DE SCHAERBEEK"),
        (
            "nl",
            "4012",
            "Officiële naam in het Nederlands",
            "OPENBAAR CENTRUM VOOR MAATSCHAPPELIJK WELZIJN VAN SCHAARBEEK",
        ),
        # alternative, former and service names; acronyms
        ("fr", "4012", "Sigle", "CPAS"),
        ("fr", "5120", "Anciens noms", "Équipe de rue du Canal"),
        ("nl", "4012", "Diensten", "Energiecel"),
        # the legal status's label in the reader's language only
        ("fr", "4012", "Forme juridique", "Centre public d'action sociale"),
        ("nl", "4012", "Rechtsvorm", "Openbaar centrum voor maatschappelijk welzijn"),
        ("nl", "5120", "Rechtsvorm", "VZW"),
        # company numbers, written the Belgian way
        ("fr", "5120", "Numéro d'entreprise", "0456.789.123"),
        ("nl", "4012", "Ondernemingsnummer", "0212.347.945"),
        # the language regime, readable, and interpreting
        ("fr", "4012", "Régime linguistique", "français, néerlandais (FR-NL)"),
        ("nl", "6001", "Taalstatuut", "Nederlands (NL)"),
        ("fr", "4012", "Interprétariat", "Interprétariat disponible"),
        ("nl", "5120", "Tolken", "Geen tolken"),
        # public, access, permanency as the opening hours
        ("fr", "5120", "Public (français)", "Personnes sans abri"),
        ("nl", "4012", "Doelgroep (Nederlands)", "Inwoners van Schaarbeek"),
        ("fr", "5120", "Accès (français)", "Sur appel uniquement"),
        ("nl", "4012", "Bereikbaarheid (Nederlands)", "Tram 92, 93: halte Verboekhoven"),
        ("fr", "4012", "Heures d'ouverture (français)", "Lundi au vendredi de 8h30 à 12h"),
        ("nl", "4012", "Openingsuren (Nederlands)", "Maandag tot vrijdag van 8u30 tot 12u"),
        # no address: said so, no basin made up
        ("fr", "5120", "Adresse", "Aucune adresse indiquée"),
        ("nl", "5120", "Adres", "Geen adres opgegeven"),
        # the source's date of its last update
        ("fr", "5120", "Source", "bruxelles-social · 5120 · mis à jour le 2 novembre 2022"),
    ],
)
def test_socialbrussels_organisation_page_field(
    client, logged_in, imported, locale, source_id, label, expected
):
    logged_in("operator", "sud", locale=locale)
    details = _details(client.get(f"/directory/organisations/{imported[source_id]}").get_data(as_text=True))
    assert expected in details.get(label, ""), details
    if label in ("Forme juridique", "Rechtsvorm"):  # the label of the reader's language, alone
        assert details[label] == expected


@pytest.mark.parametrize(("locale", "basin"), [("fr", "Bassin"), ("nl", "Bekken")])
def test_socialbrussels_organisation_page_without_address_shows_no_basin(
    client, logged_in, imported, locale, basin
):
    logged_in("operator", "sud", locale=locale)
    details = _details(client.get(f"/directory/organisations/{imported['5120']}").get_data(as_text=True))
    assert basin not in details


@pytest.mark.parametrize(
    ("locale", "heading"), [("fr", "Activités (français)"), ("nl", "Activiteiten (Frans)")]
)
def test_socialbrussels_organisation_page_shows_activities_when_the_description_is_empty(
    client, logged_in, imported, locale, heading
):
    logged_in("operator", "sud", locale=locale)
    page = client.get(f"/directory/organisations/{imported['5120']}").get_data(as_text=True)
    assert heading in page and "- Maraudes de jour et de nuit" in page
    assert "Description (" not in page and "Beschrijving (" not in page
