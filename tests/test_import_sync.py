"""The sync rules, on SQLite and PostgreSQL: insert, update only what changed, archive, restore, keep local."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from directory_import.models import ImportRun, Organisation
from directory_import.readers import SourceError
from directory_import.sync import NothingImported, import_path
from helpdesk.directory.models import OrganisationNote


# The library is tested without the Flask app (tests/fixtures/database.py).
@pytest.fixture
def session(library_session):
    return library_session


@pytest.fixture
def make_organisation(library_organisation):
    return library_organisation


KEY = "bruxelles-social"


def _org(session, source_id: str, source: str = KEY) -> Organisation:
    session.expire_all()
    return session.scalar(
        select(Organisation).where(Organisation.source == source, Organisation.source_id == source_id)
    )


def _import(session, path, **kwargs):
    run, report = import_path(session, path, **kwargs)
    session.commit()
    return report


def test_sync_first_import_adds_every_valid_organisation(session, data_dir):
    report = _import(session, data_dir / "directory_v1.json")
    assert (report.added, report.updated, report.unchanged, report.archived, report.restored) == (
        8,
        0,
        0,
        0,
        0,
    )
    assert report.rejected == []
    assert session.scalar(select(func.count()).select_from(Organisation)) == 8
    assert sorted(report.changed_ids) == sorted(session.scalars(select(Organisation.id)))


def test_sync_same_export_twice_changes_nothing_the_second_time(session, data_dir, directory_snapshot):
    _import(session, data_dir / "directory_v1.json")
    before = directory_snapshot(session)
    report = _import(session, data_dir / "directory_v1.json")
    assert (report.added, report.updated, report.unchanged, report.archived, report.restored) == (
        0,
        0,
        8,
        0,
        0,
    )
    assert report.changed_ids == []
    assert directory_snapshot(session) == before


def test_sync_later_export_reports_exactly_what_changed(session, data_dir):
    _import(session, data_dir / "directory_v1.json")
    report = _import(session, data_dir / "directory_v2.json")
    assert (report.added, report.updated, report.unchanged, report.archived, report.restored) == (
        1,
        1,
        6,
        1,
        0,
    )
    changed = {_org(session, sid).id for sid in ("1009", "1002", "1004")}
    assert set(report.changed_ids) == changed
    assert _org(session, "1002").phones == ["+32 2 241 11 23"]
    assert _org(session, "1009").name_fr == "Planning familial Rosa"


def test_sync_archives_what_disappeared_and_never_deletes(session, data_dir):
    _import(session, data_dir / "directory_v1.json")
    _import(session, data_dir / "directory_v2.json")
    gone = _org(session, "1004")
    assert gone is not None and gone.archived and gone.archived_at is not None
    assert session.scalar(select(func.count()).select_from(Organisation)) == 9


def test_sync_restores_an_organisation_that_reappears(session, data_dir, write_export, v1_organisations):
    _import(session, data_dir / "directory_v1.json")
    _import(session, data_dir / "directory_v2.json")
    archived_id = _org(session, "1004").id
    report = _import(session, write_export(v1_organisations))
    assert report.restored == 1 and archived_id in report.changed_ids
    back = _org(session, "1004")
    assert back.id == archived_id and not back.archived and back.archived_at is None


def test_sync_never_touches_local_organisations(session, data_dir, make_organisation):
    local = make_organisation(
        source="local", source_id="1001", name_fr="Maison médicale Le Méridien (notre fiche)"
    )
    _import(session, data_dir / "directory_v1.json")
    _import(session, data_dir / "directory_v2.json")
    kept = _org(session, "1001", source="local")
    assert (kept.id, kept.name_fr, kept.archived) == (
        local.id,
        "Maison médicale Le Méridien (notre fiche)",
        False,
    )


def test_sync_keeps_other_sources_apart(session, data_dir):
    _import(session, data_dir / "directory_v1.json")
    report = _import(session, data_dir / "directory_v2.json", source_key="other-source")
    assert report.added == 8 and report.archived == 0
    assert not _org(session, "1004").archived


def test_sync_refuses_the_local_source_key(session, data_dir):
    with pytest.raises(SourceError):
        import_path(session, data_dir / "directory_v1.json", source_key="local")


def test_sync_operators_notes_survive_every_sync(session, data_dir, write_export, v1_organisations):
    _import(session, data_dir / "directory_v1.json")
    notes = []
    for source_id in ("1002", "1004"):
        note = OrganisationNote(
            organisation_id=_org(session, source_id).id,
            text=f"Note on {source_id}",
            is_correction=source_id == "1002",
            correction_status="open",
        )
        session.add(note)
        notes.append(note)
    session.commit()
    expected = [(n.id, n.organisation_id, n.text, n.is_correction) for n in notes]
    for export in (
        data_dir / "directory_v2.json",
        write_export(v1_organisations),
        data_dir / "directory_v1.json",
    ):
        _import(session, export)
        session.expire_all()
        found = [
            (n.id, n.organisation_id, n.text, n.is_correction)
            for n in session.scalars(select(OrganisationNote).order_by(OrganisationNote.id))
        ]
        assert found == expected


def test_sync_rejects_malformed_rows_with_their_line_and_imports_the_rest(session, data_dir):
    report = _import(session, data_dir / "directory_malformed.json")
    rejected = {r.line: r.reason for r in report.rejected}
    assert sorted(rejected) == [2, 3, 4, 6]
    assert rejected[2] == "no id"
    assert "no name" in rejected[3]
    assert "not an object" in rejected[4]
    assert "appears twice (first on line 5)" in rejected[6]
    assert report.added == 3
    assert _org(session, "1002").name_fr == "Service de santé mentale Le Chien Vert"


def test_sync_a_known_row_rejected_this_time_is_not_archived(
    session, data_dir, write_export, v1_organisations
):
    _import(session, data_dir / "directory_v1.json")
    broken = copy.deepcopy(v1_organisations)
    broken[2]["nameFr"] = broken[2]["nameNl"] = ""
    report = _import(session, write_export(broken))
    assert [r.line for r in report.rejected] == [3]
    assert report.archived == 0 and not _org(session, "1003").archived


def test_sync_bad_values_are_dropped_with_a_warning_not_the_row(session, data_dir):
    report = _import(session, data_dir / "directory_v1.json")
    epicerie = _org(session, "1004")
    assert epicerie.phones == ["+32 475 12 34 56"]
    assert epicerie.emails == ["panier@panier.example"]
    assert epicerie.websites == []
    messages = [w.message for w in report.warnings if w.line == 4]
    assert any("'123'" in m for m in messages) and any("'info@'" in m for m in messages)
    assert any("javascript" in m for m in messages)
    youth = _org(session, "1008")
    assert youth.postcode == "" and youth.basin == "outside"


def test_sync_normalises_values(session, data_dir):
    _import(session, data_dir / "directory_v1.json")
    meridien = _org(session, "1001")
    assert meridien.phones == ["+32 2 218 45 67"]
    assert meridien.emails == ["accueil@meridien.example"]
    assert meridien.websites == ["https://www.meridien.example"]
    assert (meridien.commune_fr, meridien.commune_nl, meridien.basin) == (
        "Saint-Josse-ten-Noode",
        "Sint-Joost-ten-Node",
        "nord-est",
    )
    assert meridien.categories == [
        {"code": "mm", "label_fr": "Maison médicale", "label_nl": "Wijkgezondheidscentrum"}
    ]
    assert meridien.publics == [{"fr": "tout public", "nl": "iedereen"}]
    assert meridien.raw["accessibility"] == {"wheelchair": True, "notes": "rampe à l'arrière"}
    shelter = _org(session, "1006")
    assert shelter.description_fr == "Accueil de nuit pour hommes seuls.\nSans rendez-vous."


def test_sync_links_parents_within_the_source(session, data_dir):
    _import(session, data_dir / "directory_v1.json")
    assert _org(session, "1005").parent_id == _org(session, "1003").id


def test_sync_dry_run_changes_nothing_but_records_its_run(session, data_dir, directory_snapshot):
    _import(session, data_dir / "directory_v1.json")
    before = directory_snapshot(session)
    run, report = import_path(session, data_dir / "directory_v2.json", dry_run=True)
    session.commit()
    assert (report.added, report.updated, report.archived) == (1, 1, 1)
    assert directory_snapshot(session) == before
    assert (run.status, run.dry_run, run.added, run.archived) == ("dry-run", True, 1, 1)


def test_sync_every_run_is_recorded_with_its_rejected_rows(session, data_dir):
    run, _report = import_path(session, data_dir / "directory_malformed.json", started_by="ana@test.example")
    session.commit()
    stored = session.get(ImportRun, run.id)
    assert (stored.status, stored.started_by, stored.added, stored.rejected_count) == (
        "applied",
        "ana@test.example",
        3,
        4,
    )
    assert stored.rejected[0] == {"line": 2, "reason": "no id", "code": "no_id", "params": {}}
    assert stored.finished_at is not None


def test_sync_a_broken_file_leaves_the_directory_unchanged(session, data_dir, directory_snapshot):
    _import(session, data_dir / "directory_v1.json")
    before = directory_snapshot(session)
    with pytest.raises(SourceError):
        import_path(session, data_dir / "directory_broken.json")
    session.rollback()
    assert directory_snapshot(session) == before


def test_sync_an_export_with_no_usable_row_imports_nothing(
    session, data_dir, write_export, directory_snapshot
):
    _import(session, data_dir / "directory_v1.json")
    before = directory_snapshot(session)
    with pytest.raises(NothingImported) as failure:
        import_path(session, write_export([{"nameFr": "no id"}, {"id": 5}]))
    session.rollback()
    assert [r.line for r in failure.value.report.rejected] == [1, 2]
    assert directory_snapshot(session) == before


def test_sync_leaves_a_merged_organisation_archived(session, data_dir, make_organisation):
    _import(session, data_dir / "directory_v1.json")
    local = make_organisation(source="local", source_id="ours", name_fr="CPAS Ixelles")
    cpas = _org(session, "1003")
    cpas.archived, cpas.merged_into_id = True, local.id
    session.commit()
    report = _import(session, data_dir / "directory_v1.json")
    assert report.restored == 0 and _org(session, "1003").archived


def test_sync_a_new_normaliser_version_rewrites_every_row_once(session, data_dir, monkeypatch):
    _import(session, data_dir / "directory_v1.json")
    monkeypatch.setattr("directory_import.sync.NORMALIZE_VERSION", "next")
    assert _import(session, data_dir / "directory_v1.json").updated == 8
    assert _import(session, data_dir / "directory_v1.json").unchanged == 8


@pytest.mark.parametrize(
    "name",
    [
        "directory_utf8_bom_semicolon_crlf.csv",
        "directory_utf8_comma_lf.csv",
        "directory_cp1252_semicolon_crlf.csv",
    ],
)
def test_sync_belgian_csv_variants_give_the_same_directory(session, data_dir, name):
    report = _import(session, data_dir / name)
    assert (report.added, len(report.rejected)) == (8, 0)
    epicerie = _org(session, "1004")
    assert (epicerie.name_fr, epicerie.phones, epicerie.commune_nl) == (
        "Épicerie sociale Le Panier",
        ["+32 475 12 34 56"],
        "Sint-Jans-Molenbeek",
    )
    assert _org(session, "1005").parent_id == _org(session, "1003").id
    assert _org(session, "1001").categories[0]["label_nl"] == "Wijkgezondheidscentrum"


def test_sync_csv_after_json_of_the_same_source_updates_in_place(session, data_dir):
    _import(session, data_dir / "directory_v1.json")
    ids = {o.source_id: o.id for o in session.scalars(select(Organisation))}
    report = _import(session, data_dir / "directory_utf8_bom_semicolon_crlf.csv")
    assert report.added == 0 and report.archived == 0
    assert {o.source_id: o.id for o in session.scalars(select(Organisation))} == ids
