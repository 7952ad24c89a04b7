"""Hostile export files are read within bounded memory and time: deep JSON nesting, enormous values, zip bombs
and files made of rejected rows are refused with a reason, nothing changes and no uploaded file stays behind.

Each case is tried through the library, the CLI (`helpdesk directory import`) and the admin upload page.
The files are generated here, into ``tmp_path``; the zip bomb is written streaming (a few MB of work).
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory_import.models import ImportRun, Organisation
from directory_import.readers import (
    ReadLimits,
    RejectedRecord,
    SourceError,
    TooManyRejected,
    read_all,
    read_source,
)
from directory_import.sync import ImportReport, import_path, record_run
from helpdesk.db import get_session
from tests.conftest import csrf_token
from tests.fixtures.jobs import follow_job

HEADER = b"id,name,description\n"


def nested_json(path: Path, levels: int) -> Path:
    """The issue's file: a valid first record, then one whose ``extra`` opens ``levels`` lists."""
    path.write_bytes(
        b'{"organisations":[{"id":"0","nameFr":"Avant"},{"id":"1","nameFr":"x","extra":'
        + b"[" * levels
        + b"]" * levels
        + b"}]}"
    )
    return path


def zip_bomb(path: Path, uncompressed: int = 64 * 1024 * 1024) -> Path:
    """An HSDS package whose organizations.csv is ``uncompressed`` bytes of rows that compress ~1000 times."""
    row = b"o,x,y\n" * 10_000  # the same row again and again: one organisation, then duplicate ids
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("datapackage.json", '{"name": "bomb"}')
        with package.open("organizations.csv", "w", force_zip64=True) as member:
            member.write(HEADER)
            written = len(HEADER)
            while written < uncompressed:
                member.write(row)
                written += len(row)
    return path


def lying_zip(path: Path) -> Path:
    """A package whose directory says organizations.csv holds 100 bytes; it holds 2 MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("organizations.csv", HEADER + b"1,Maison,ok\n" * 200_000)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        data[start + offset : start + offset + 4] = struct.pack("<I", 100)
    path.write_bytes(bytes(data))
    return path


def bad_rows_csv(path: Path, rows: int) -> Path:
    """A CSV with one good row and ``rows`` rows with a cell too many."""
    path.write_bytes(b"id;nameFr\n1;Maison\n" + b"".join(b"%d;Rue;de trop\n" % n for n in range(2, rows + 2)))
    return path


def _organisations(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Organisation))


# --- the library ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [30_000, 200_000])
def test_limits_json_nesting_beyond_the_limit_refuses_the_file(tmp_path, levels):
    path = nested_json(tmp_path / "nested.json", levels)
    with pytest.raises(SourceError) as refused:
        read_all(read_source(path))
    assert refused.value.code == "json_too_deep"
    assert refused.value.params == {"max": 32, "record": 2}


@pytest.mark.parametrize("levels", [30_000, 200_000])
def test_limits_socialbrussels_nesting_beyond_the_limit_refuses_the_file(tmp_path, levels):
    path = nested_json(tmp_path / "nested.json", levels)
    with pytest.raises(SourceError) as refused:
        read_all(read_source(path, "socialbrussels"))
    assert refused.value.code == "json_too_deep"


def test_limits_json_nesting_within_the_limit_is_read(tmp_path):
    path = nested_json(tmp_path / "nested.json", 20)
    records, rejected = read_all(read_source(path))
    assert [r.source_id for r in records] == ["0", "1"] and rejected == []
    assert records[1].raw_dict()["extra"] == json.loads("[" * 20 + "]" * 20)


def test_limits_json_nesting_limit_is_an_argument(tmp_path):
    path = nested_json(tmp_path / "nested.json", 20)
    with pytest.raises(SourceError, match="deeper than 10 levels"):
        read_all(read_source(path, limits=ReadLimits(max_depth=10)))


def test_limits_json_long_value_and_large_record_reject_their_rows_only(tmp_path):
    path = tmp_path / "large.json"
    path.write_text(
        json.dumps(
            {
                "organisations": [
                    {"id": "1", "nameFr": "x" * 101},
                    {"id": "2", "nameFr": "y", "extra": [{"note": "z" * 60}] * 20},
                    {"id": "3", "nameFr": "Maison"},
                ]
            }
        ),
        encoding="utf-8",
    )
    records, rejected = read_all(
        read_source(path, limits=ReadLimits(max_field_chars=100, max_record_bytes=1000))
    )
    assert [r.source_id for r in records] == ["3"]
    assert [(r.line, r.code) for r in rejected] == [(1, "field_too_long"), (2, "record_too_large")]
    assert dict(rejected[0].params) == {"field": "nameFr", "max": "100"}


def test_limits_json_one_enormous_value_is_refused_before_it_is_read_whole(tmp_path):
    path = tmp_path / "enormous.json"
    with path.open("wb") as handle:
        handle.write(b'{"organisations": [{"id": "1", "nameFr": "')
        for _ in range(10):
            handle.write(b"x" * 1_000_000)
        handle.write(b'"}]}')
    with pytest.raises(SourceError) as refused:
        read_all(read_source(path, limits=ReadLimits(max_record_bytes=1_000_000)))
    assert refused.value.code == "json_value_too_long"


def test_limits_csv_line_without_end_is_refused_and_a_long_cell_rejects_its_row(tmp_path):
    endless = tmp_path / "endless.csv"
    endless.write_bytes(b"id;nameFr\n1;" + b"x" * 3000)
    with pytest.raises(SourceError) as refused:
        read_all(read_source(endless, limits=ReadLimits(max_record_bytes=1000)))
    assert refused.value.code == "line_too_long" and refused.value.params["line"] == 2
    long_cell = tmp_path / "long.csv"
    long_cell.write_bytes(b"id;nameFr\n1;" + b"x" * 200 + b"\n2;Maison\n")
    records, rejected = read_all(read_source(long_cell, limits=ReadLimits(max_field_chars=100)))
    assert [r.source_id for r in records] == ["2"] and [(r.line, r.code) for r in rejected] == [
        (2, "field_too_long")
    ]


def test_limits_zip_bomb_is_refused_from_its_directory_before_reading(tmp_path):
    path = zip_bomb(tmp_path / "bomb.zip")
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(SourceError) as refused:
        read_all(read_source(path))
    assert refused.value.code == "zip_ratio" and refused.value.params["name"] == "organizations.csv"
    assert refused.value.params["ratio"] > 100


def test_limits_zip_larger_than_the_uncompressed_limit_is_refused(tmp_path):
    path = zip_bomb(tmp_path / "bomb.zip", uncompressed=3 * 1024 * 1024)
    limits = ReadLimits(max_uncompressed_bytes=2 * 1024 * 1024, max_compression_ratio=10_000)
    with pytest.raises(SourceError) as refused:
        read_all(read_source(path, limits=limits))
    assert refused.value.code == "zip_too_large"


def test_limits_zip_whose_directory_lies_about_a_size_is_refused_while_reading(tmp_path):
    path = lying_zip(tmp_path / "lying.zip")
    with pytest.raises(SourceError) as refused:
        read_all(read_source(path))
    assert refused.value.code in ("member_unreadable", "zip_too_large")


def test_limits_csv_with_more_rejected_rows_than_the_cap_is_refused_with_the_first_as_examples(tmp_path):
    path = bad_rows_csv(tmp_path / "bad.csv", 30)
    with pytest.raises(TooManyRejected) as refused:
        read_all(read_source(path, limits=ReadLimits(max_rejected=10, rejected_examples=5)))
    assert [r.line for r in refused.value.examples] == [3, 4, 5, 6, 7]
    assert refused.value.params == {"limit": 10, "examples": 5}
    records, rejected = read_all(read_source(path, limits=ReadLimits(max_rejected=30)))
    assert len(records) == 1 and len(rejected) == 30


def test_limits_rejected_rows_of_the_import_itself_count_towards_the_cap(session, tmp_path):
    """Rows the reader accepts but the import rejects (no name here) count too; nothing is written."""
    path = tmp_path / "nameless.csv"
    path.write_bytes(b"id;nameFr\n1;Maison\n" + b"".join(b"%d;\n" % n for n in range(2, 40)))
    with pytest.raises(TooManyRejected) as refused:
        import_path(session, path, limits=ReadLimits(max_rejected=20, rejected_examples=3))
    assert [r.code for r in refused.value.report.rejected] == ["no_name"] * 3
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0


# --- end to end: the CLI -------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [30_000, 200_000])
def test_limits_cli_import_of_deeply_nested_json_fails_cleanly_and_changes_nothing(
    app, runner, tmp_path, levels
):
    result = runner.invoke(args=["directory", "import", str(nested_json(tmp_path / "nested.json", levels))])
    assert result.exit_code != 0
    assert "nested deeper than 32 levels" in result.output
    assert _organisations(app) == 0
    with app.app_context():
        run = get_session().scalar(select(ImportRun))
        assert (run.status, run.error_code) == ("failed", "json_too_deep")


def test_limits_cli_import_of_a_zip_bomb_fails_cleanly(app, runner, tmp_path):
    result = runner.invoke(args=["directory", "import", str(zip_bomb(tmp_path / "bomb.zip"))])
    assert result.exit_code != 0 and "zip bomb" in result.output
    assert _organisations(app) == 0


def test_limits_cli_import_with_too_many_rejected_rows_lists_the_first(app, runner, tmp_path):
    app.config["IMPORT_MAX_REJECTED"] = 50
    result = runner.invoke(args=["directory", "import", str(bad_rows_csv(tmp_path / "bad.csv", 200))])
    assert result.exit_code != 0
    assert "More than 50 rows were rejected, so the file is refused as a whole" in result.output
    assert "line 3: This row has 3 cells" in result.output
    assert _organisations(app) == 0


# --- end to end: the admin upload page -----------------------------------------------------------------------


def _upload(client, path: Path):
    data = {
        "csrf_token": csrf_token(client, "/admin/imports"),
        "format": "auto",
        "url": "",
        "file": (io.BytesIO(path.read_bytes()), path.name),
    }
    # The upload queues an import job; once a worker ran it, its page leads to the run.
    return follow_job(
        client,
        client.application,
        client.post("/admin/imports", data=data, content_type="multipart/form-data"),
    )


def _imports_folder(app) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("make", "locale", "reason"),
    [
        (
            lambda folder: nested_json(folder / "nested.json", 30_000),
            "fr",
            "Le JSON est imbriqué sur plus de 32 niveaux",
        ),
        (
            lambda folder: nested_json(folder / "nested.json", 200_000),
            "nl",
            "De JSON is dieper dan 32 niveaus genest",
        ),
        (lambda folder: zip_bomb(folder / "bomb.zip"), "nl", "dit lijkt op een zipbom"),
        (lambda folder: zip_bomb(folder / "bomb.zip"), "fr", "bombe de décompression"),
    ],
    ids=["nested-30000", "nested-200000", "zip-bomb-nl", "zip-bomb-fr"],
)
def test_limits_upload_of_a_hostile_file_is_explained_and_removed(
    app, client, logged_in, tmp_path, make, locale, reason
):
    logged_in("admin", "region", locale=locale)
    response = _upload(client, make(tmp_path))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert reason in html
    assert _organisations(app) == 0
    assert _imports_folder(app) == []


def test_limits_upload_with_too_many_rejected_rows_shows_the_first_as_examples(
    app, client, logged_in, tmp_path
):
    app.config["IMPORT_MAX_REJECTED"] = 100
    logged_in("admin", "region", locale="fr")
    response = _upload(client, bad_rows_csv(tmp_path / "bad.csv", 5000))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Plus de 100 lignes ont été refusées" in html
    assert html.count("cellules") == 20  # the first 20 rejected rows, as examples
    assert _organisations(app) == 0
    assert _imports_folder(app) == []


def test_limits_upload_that_succeeds_keeps_its_file_until_confirmed(app, client, logged_in, data_dir):
    logged_in("admin", "region")
    run_page = _upload(client, data_dir / "directory_v1.json").headers["Location"]
    assert len(_imports_folder(app)) == 1
    follow_job(
        client, app, client.post(f"{run_page}/confirm", data={"csrf_token": csrf_token(client, run_page)})
    )
    assert _organisations(app) == 8 and _imports_folder(app) == []


# --- the run page ----------------------------------------------------------------------------------------------


def test_limits_run_page_pages_its_rejected_rows(app, client, logged_in):
    with app.app_context():
        db = get_session()
        report = ImportReport(
            source_key="test",
            format="csv",
            rejected=[RejectedRecord(line, f"row {line} is wrong", "no_id") for line in range(2, 5002)],
        )
        run_id = record_run(db, report, source="big.csv", started_by="test").id
        db.commit()
    logged_in("admin", "region", locale="en")
    first = client.get(f"/admin/imports/{run_id}").get_data(as_text=True)
    assert first.count("<td>No id.</td>") == 100
    assert "Page 1 of 50" in first and f"/admin/imports/{run_id}?page=2" in first
    last = client.get(f"/admin/imports/{run_id}?page=50").get_data(as_text=True)
    lines = [int(n) for n in re.findall(r"<tr><td>(\d+)</td><td>No id.</td>", last)]
    assert lines == list(range(4902, 5002))
    assert client.get(f"/admin/imports/{run_id}?page=0").status_code == 400
    beyond = client.get(f"/admin/imports/{run_id}?page=51").get_data(as_text=True)
    assert "<td>No id.</td>" not in beyond
