"""The export back to the directory: the proposals accepted since a date, as CSV (``;``, UTF-8 with BOM,
formulas defused) and as JSON in the Bruxelles Social shape that the importer reads again, from the command
line and from the regional coordinators' queue; each proposal exported is marked so."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from directory_import.models import LOCAL_SOURCE, Base, Organisation
from directory_import.readers import detect_format
from helpdesk import create_app
from helpdesk.audit import AuditEvent
from helpdesk.db import get_engine, get_session
from helpdesk.stewardship.models import Proposal
from tests.conftest import app_config, csrf_token, login
from tests.test_stewardship_proposals import (
    _decide,
    _form,
    _propose,
    _signed_in,
    organisation,  # noqa: F401 (a fixture, asked for by name)
)

TODAY = date.today().isoformat()
FORMULA = '=HYPERLINK("http://evil.example")'


@pytest.fixture
def accepted(request, app, client, make_user):
    """A correction of an organisation of the directory and a new organisation, both accepted through the
    pages: the proposal ids."""
    org = request.getfixturevalue("organisation")  # the organisation of the proposals' tests
    login(client, make_user("operator", "sud").email)
    assert _propose(client, org.id, phones="02 538 99 00", description_fr=FORMULA).status_code == 302
    data = _form(client, "/directory/proposals/new")
    data.update(
        name_fr="Centre Nouveau d'Accueil",
        name_nl="Nieuw Onthaalcentrum",
        street_fr="Rue Haute",
        number="5",
        postcode="1000",
        phones="02 777 00 00",
        emails="info@nouveau.example",
        opening_hours_fr="Mardi 10h-12h",
        distinct="y",
    )
    assert client.post("/directory/proposals/new", data=data).status_code == 302
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    with app.app_context():
        ids = list(get_session().scalars(select(Proposal.id).order_by(Proposal.id)))
    assert len(ids) == 2
    for proposal_id in ids:
        assert _decide(coordinator, proposal_id, "accept").status_code == 302
    return {"organisation": org.id, "proposals": ids}


def _export(runner, tmp_path, fmt: str, *extra: str, name: str = ""):
    path = tmp_path / (name or f"export.{fmt}")
    result = runner.invoke(
        args=[
            "directory",
            "export-proposals",
            "--since",
            TODAY,
            "--format",
            fmt,
            "--output",
            str(path),
            *extra,
        ]
    )
    assert result.exit_code == 0, result.output
    return path, result


def _csv_rows(path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _exported_at(app) -> list:
    with app.app_context():
        return list(get_session().scalars(select(Proposal.exported_at).order_by(Proposal.id)))


def test_cli_csv_has_bom_semicolons_one_line_per_field_and_defused_formulas(app, runner, tmp_path, accepted):
    path, result = _export(runner, tmp_path, "csv")
    assert "Exported 2 organisations (2 proposals, marked exported)" in result.output
    first_line = path.read_bytes().decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("exported_at;organisation_source;organisation_id;kind;")
    rows = _csv_rows(path)
    change = {r["field"]: r for r in rows if r["kind"] == "change"}
    assert set(change) == {"phones", "description_fr"}
    assert (change["phones"]["directory_value"], change["phones"]["helpdesk_value"]) == (
        "'+32 2 538 11 22",
        "'+32 2 538 99 00",
    )
    assert change["description_fr"]["helpdesk_value"] == "'" + FORMULA
    assert change["phones"]["organisation_source"] == "test"
    assert change["phones"]["proposals"] == str(accepted["proposals"][0])
    assert change["phones"]["decided_at"] == TODAY
    new = {r["field"]: r for r in rows if r["kind"] == "new"}
    assert new["name_fr"]["helpdesk_value"] == "Centre Nouveau d'Accueil"
    assert new["address"]["helpdesk_value"] == "Rue Haute 5, 1000 Bruxelles"
    assert new["phones"]["directory_value"] == "" and new["name_fr"]["organisation_source"] == LOCAL_SOURCE
    assert all(r["exported_at"] for r in rows)
    assert all(at is not None for at in _exported_at(app))


def test_second_export_is_empty_unless_the_exported_ones_are_asked_again(app, runner, tmp_path, accepted):
    _export(runner, tmp_path, "csv")
    first = _exported_at(app)
    again, result = _export(runner, tmp_path, "csv", name="again.csv")
    assert _csv_rows(again) == [] and "Exported 0 organisations" in result.output
    assert (
        json.loads(_export(runner, tmp_path, "json", name="again.json")[0].read_text())["organisations"] == []
    )
    both, _result = _export(runner, tmp_path, "csv", "--include-exported", name="both.csv")
    assert {r["kind"] for r in _csv_rows(both)} == {"change", "new"}
    assert all(at is not None and at >= was for at, was in zip(_exported_at(app), first, strict=True))


def test_dry_run_writes_the_file_and_marks_nothing(app, runner, tmp_path, accepted):
    path, result = _export(runner, tmp_path, "json", "--dry-run")
    assert "not marked (dry run)" in result.output
    assert len(json.loads(path.read_text(encoding="utf-8"))["organisations"]) == 2
    assert _exported_at(app) == [None, None]


def test_json_export_imports_again_into_an_empty_directory_with_the_helpdesks_values(
    app, runner, tmp_path, accepted
):
    path, _result = _export(runner, tmp_path, "json")
    document = json.loads(path.read_text(encoding="utf-8"))
    marks = {r["helpdesk"]["kind"]: r["helpdesk"] for r in document["organisations"]}
    assert marks["change"]["proposals"] == [accepted["proposals"][0]]
    assert marks["change"]["fieldsChanged"] == ["phones", "description_fr"]
    assert marks["new"]["local"] is True and marks["new"]["exportedAt"] == document["exportedAt"]
    assert detect_format(path) == "socialbrussels"

    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh = create_app(app_config(f"sqlite:///{fresh_dir / 'fresh.sqlite'}", fresh_dir))
    with fresh.app_context():
        Base.metadata.create_all(get_engine())
        assert get_session().scalars(select(Organisation)).all() == []
    result = fresh.test_cli_runner().invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        imported = {o.name_fr: o for o in get_session().scalars(select(Organisation))}
        assert set(imported) == {"Maison médicale du Midi", "Centre Nouveau d'Accueil"}
        midi = imported["Maison médicale du Midi"]
        assert (midi.source_id, midi.phones, midi.description_fr, midi.postcode) == (
            "1",
            ["+32 2 538 99 00"],
            FORMULA,
            "1060",
        )
        assert midi.emails == ["accueil@midi.example"] and midi.opening_hours_fr == "Lundi au vendredi 9h-17h"
        assert [c["code"] for c in midi.categories] == ["mm"]
        assert set(midi.languages) == {"fr", "nl"}
        new = imported["Centre Nouveau d'Accueil"]
        assert (new.source_id, new.name_nl, new.phones, new.emails) == (
            f"helpdesk-{accepted['proposals'][1]}",
            "Nieuw Onthaalcentrum",
            ["+32 2 777 00 00"],
            ["info@nouveau.example"],
        )
        assert (new.street_fr, new.number, new.postcode, new.opening_hours_fr) == (
            "Rue Haute",
            "5",
            "1000",
            "Mardi 10h-12h",
        )
        get_engine().dispose()


def test_cli_refuses_a_bad_since_with_exit_code_2(app, runner, tmp_path, accepted):
    path = tmp_path / "x.csv"
    result = runner.invoke(
        args=[
            "directory",
            "export-proposals",
            "--since",
            "01/11/2026",
            "--format",
            "csv",
            "--output",
            str(path),
        ]
    )
    assert result.exit_code == 2
    assert "is not a date as YYYY-MM-DD" in result.output
    assert not path.exists() and _exported_at(app) == [None, None]


def _post_export(browser, **data):
    data.setdefault("csrf_token", csrf_token(browser, "/directory/proposals?state=accepted"))
    return browser.post("/directory/proposals/export", data=data)


def test_regional_coordinator_downloads_the_export_from_the_queue(app, make_user, accepted):
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    page = coordinator.get("/directory/proposals?state=accepted").get_data(as_text=True)
    assert 'action="/directory/proposals/export"' in page and "Exporter les propositions acceptées" in page
    response = _post_export(coordinator, since=TODAY, format="csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="helpdesk-proposals-since-{TODAY}.csv"'
    )
    assert response.data.startswith(b"\xef\xbb\xbf") and b";phones;" in response.data
    assert all(at is not None for at in _exported_at(app))
    again = _post_export(coordinator, since=TODAY, format="json")
    assert json.loads(again.data)["organisations"] == []
    forced = _post_export(coordinator, since=TODAY, format="json", include_exported="y")
    assert len(json.loads(forced.data)["organisations"]) == 2
    assert forced.headers["Content-Type"].startswith("application/json")
    with app.app_context():
        exports = get_session().scalars(select(AuditEvent).filter_by(action="proposal.export")).all()
        assert len(exports) == 3 and exports[0].details["proposals"] == accepted["proposals"]


def test_export_form_with_bad_values_says_so_and_marks_nothing(app, make_user, accepted):
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    response = _post_export(coordinator, since="demain", format="csv")
    assert response.status_code == 302
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "« demain » n’est pas une date (année-mois-jour)." in page
    response = _post_export(coordinator, since=TODAY, format="xlsx")
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choisissez le format de l’export : CSV ou JSON." in page
    assert _exported_at(app) == [None, None]


@pytest.mark.parametrize(("role", "territory"), [("operator", "region"), ("coordinator", "sud")])
def test_export_is_for_regional_coordinators_only(app, make_user, accepted, role, territory):
    other = _signed_in(app, make_user(role, territory))
    token = csrf_token(other, "/directory/proposals/mine")
    assert (
        other.post("/directory/proposals/export", data={"csrf_token": token, "since": TODAY}).status_code
        == 403
    )
    assert "/directory/proposals/export" not in other.get("/directory/proposals").get_data(as_text=True)
    assert _exported_at(app) == [None, None]


def test_closures_are_exported_as_the_status_field(
    app, client, runner, tmp_path, make_user, make_organisation
):
    until = date.fromordinal(date.today().toordinal() + 20).isoformat()
    full = make_organisation(name_fr="Centre complet", postcode="1060", basin="sud")
    gone = make_organisation(name_fr="Centre disparu", postcode="1060", basin="sud")
    login(client, make_user("operator", "sud").email)
    assert _propose(client, full.id, status="full", until=until).status_code == 302
    assert _propose(client, gone.id, status="closed").status_code == 302
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    with app.app_context():
        for proposal_id in get_session().scalars(select(Proposal.id)):
            assert _decide(coordinator, proposal_id, "accept").status_code == 302
    rows = _csv_rows(_export(runner, tmp_path, "csv", "--dry-run")[0])
    assert {(r["name_fr"], r["field"], r["directory_value"], r["helpdesk_value"]) for r in rows} == {
        ("Centre complet", "status", "", f"full {until}"),
        ("Centre disparu", "status", "", "closed"),
    }
    document = json.loads(_export(runner, tmp_path, "json")[0].read_text(encoding="utf-8"))
    statuses = {r["nameOfficialFr"]: r["helpdesk"]["status"] for r in document["organisations"]}
    assert statuses == {
        "Centre complet": {"status": "full", "until": until},
        "Centre disparu": {"status": "closed", "until": None},
    }


def test_cli_unwritable_output_marks_nothing(app, runner, tmp_path, accepted):
    path = tmp_path / "missing" / "folder" / "x.json"
    result = runner.invoke(args=["directory", "export-proposals", "--since", TODAY, "--output", str(path)])
    assert result.exit_code == 1 and "Cannot write" in result.output and "x.json" in result.output
    assert _exported_at(app) == [None, None]
