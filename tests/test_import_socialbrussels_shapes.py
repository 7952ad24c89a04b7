"""social.brussels records of every shape a field may take (null, empty, text for a list, a list for text, a
number, an object, a list of oddities): none crashes the reader, the normaliser or the import; a record is
rejected only when it has no id or no name, with its position and a reason. And files that are broken as a
whole change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory_import.models import ImportRun, Organisation
from directory_import.normalize import RejectedRow, normalize_record
from directory_import.readers.socialbrussels import record_from_mapping
from helpdesk.db import get_session

DATA = Path(__file__).resolve().parent / "data" / "socialbrussels"
VARIANTS = [None, "", [], "texte libre", 12, 0.5, True, {"labelFr": None}, [None, {}, [1], "x", 3]]


def _full() -> dict:
    records = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
    return next(r for r in records if r.get("id") == 4012)


def _variants() -> list[tuple[str, dict]]:
    full = _full()
    cases = []
    for name in full:
        for value in VARIANTS:
            cases.append((f"{name}={value!r}", {**full, name: value}))
    for name in full["address"]:
        for value in VARIANTS:
            cases.append((f"address.{name}={value!r}", {**full, "address": {**full["address"], name: value}}))
    for value in (None, "Rue Royale 1, 1000 Bruxelles", [], [full["address"]], 12, {"zipCode": None}):
        cases.append((f"address={value!r}", {**full, "address": value}))
    return cases


def _has_id(record: dict) -> bool:
    value = record.get("id")
    return value not in (None, "", [], True, False) and not isinstance(value, (list, dict))


@pytest.mark.parametrize(("case", "record"), _variants(), ids=[c for c, _r in _variants()])
def test_socialbrussels_record_field_of_any_shape_never_crashes(case, record):
    try:
        values, _warnings = normalize_record(record_from_mapping(1, record))
    except RejectedRow as rejected:
        assert not _has_id(record) and rejected.code == "no_id", case
        return
    assert _has_id(record), case
    assert values["name_fr"] or values["name_nl"]


def test_socialbrussels_record_with_nulls_everywhere_keeps_its_id_and_name():
    record = {key: None for key in _full()} | {"id": 1, "nameOfficialNl": "VZW OVERAL NULL"}
    values, _warnings = normalize_record(record_from_mapping(1, record))
    assert (values["source_id"], values["name_nl"], values["basin"], values["latitude"]) == (
        "1",
        "VZW Overal Null",
        "outside",
        None,
    )
    assert values["sectors"] == values["categories"] == values["phones"] == []


def test_socialbrussels_import_of_every_shape_rejects_only_records_without_id_or_name(app, runner, tmp_path):
    records = []
    for n, (_case, record) in enumerate(_variants(), start=1):
        if _has_id(record):
            record = {**record, "id": 100_000 + n}  # each its own organisation
        records.append(record)
    names_gone = {key: None for key in _full() if key.lower().startswith("name")}
    records.append({**_full(), "id": 1, **names_gone})  # position len+1: no name at all
    records.append("not a record")  # position len+2: not an object
    path = tmp_path / "shapes.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["directory", "import", str(path), "--format", "socialbrussels", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    without_id = [n for n, record in enumerate(records[:-2], start=1) if not _has_id(record)]
    expected = {n: "no id" for n in without_id}
    rejected = {row["line"]: row["reason"] for row in report["rejected"]}
    assert {n: reason for n, reason in rejected.items() if n in expected} == expected
    assert "has no name" in rejected[len(records) - 1] and "not an object" in rejected[len(records)]
    assert set(rejected) == set(expected) | {len(records) - 1, len(records)}
    assert report["added"] == len(records) - len(rejected)


def _import_records(runner, tmp_path, records: list) -> tuple[dict, dict[int, str]]:
    """Import ``records`` as a file; the JSON report and its rejected rows, position -> reason."""
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["directory", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    return report, {row["line"]: row["reason"] for row in report["rejected"]}


# --- bad input -------------------------------------------------------------------------------------
@pytest.fixture
def imported_once(app, runner):
    result = runner.invoke(args=["directory", "import", str(DATA / "organisations.json"), "--json"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = get_session()
        return {o.source_id: (o.content_hash, o.archived) for o in db.scalars(select(Organisation))}


def _state(app) -> dict:
    with app.app_context():
        db = get_session()
        return {o.source_id: (o.content_hash, o.archived) for o in db.scalars(select(Organisation))}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cut.json", lambda text: text[: len(text) // 2]),  # breaks off in the middle of a record
        ("garbage.json", lambda text: text.replace('"nameOfficialFr"', '"nameOfficialFr" :: ', 1)),
        ("html.json", lambda text: "<html><body>Maintenance</body></html>"),
        ("nolist.json", lambda text: '{"nameOfficialFr": [}'),
        ("latin1.json", lambda text: text.replace("É", "\udce9")),  # not UTF-8
    ],
)
def test_socialbrussels_broken_file_changes_nothing(app, runner, imported_once, tmp_path, name, content):
    text = (DATA / "organisations.json").read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(content(text).encode("utf-8", "surrogateescape"))
    result = runner.invoke(args=["directory", "import", str(path), "--format", "socialbrussels"])
    assert result.exit_code != 0 and "Nothing imported" in result.output
    assert _state(app) == imported_once  # nothing archived, nothing changed
    with app.app_context():
        last = get_session().scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
        assert last.status == "failed" and last.error_code


def test_socialbrussels_malformed_record_is_rejected_at_its_position_and_the_rest_imports(
    app, runner, imported_once, tmp_path
):
    records = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
    records.insert(1, ["a", "list", "where", "a", "record", "goes"])
    records.insert(3, {"id": {"nested": 1}, "nameOfficialFr": "ID OBJET"})
    report, rejected = _import_records(runner, tmp_path, records)
    assert "not an object" in rejected[2] and rejected[4] == "no id"
    assert report["unchanged"] == len(imported_once) and report["archived"] == 0
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Organisation)) == len(imported_once)


def test_socialbrussels_record_over_the_limits_is_rejected_at_its_position(app, runner, tmp_path):
    app.config.update(IMPORT_MAX_FIELD_CHARS=2000, IMPORT_MAX_RECORD_BYTES=20_000)
    records = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
    records.insert(1, {"id": 1, "nameOfficialFr": "LONG", "activitiesFr": "- " + "x" * 5000})
    records.insert(2, {"id": 2, "nameOfficialFr": "GRAND", "telFr": ["02/218.00.01"] * 3000})
    report, rejected = _import_records(runner, tmp_path, records)
    assert "activitiesFr is longer than 2000 characters" in rejected[2]
    assert "larger than 20000 bytes" in rejected[3]
    assert report["added"] == 4


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_socialbrussels_records_of_every_shape_show_on_the_page_and_in_the_api(
    app, runner, client, logged_in, tmp_path, locale
):
    full = _full()
    records = []
    for n, value in enumerate(VARIANTS, start=1):  # every field in one shape at once, id and name kept
        oddities = {key: value for key in full} | {"id": n, "nameOfficialFr": f"ASBL {n}"}
        records.append(oddities)
        address = {key: value for key in full["address"]}
        records.append({**oddities, "id": 100 + n, "address": address})
    _import_records(runner, tmp_path, records)
    with app.app_context():
        ids = list(get_session().scalars(select(Organisation.id)))
    assert len(ids) == len(records)
    logged_in("operator", "sud", locale=locale)
    for org_id in ids:
        assert client.get(f"/directory/organisations/{org_id}").status_code == 200, org_id
        assert client.get(f"/directory/organisations/{org_id}/print").status_code == 200, org_id
        assert client.get(f"/api/v1/organisations/{org_id}").status_code == 200, org_id
