"""The import commands end to end: report as JSON, exit codes, scheduled sync, duplicates, a killed import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory_import.models import ImportRun, Organisation
from directory_import.sample import write_sample
from helpdesk.db import get_session
from helpdesk.directory.signals import directory_changed

REPORT_KEYS = ["added", "updated", "unchanged", "archived", "restored", "rejected", "warnings"]


def test_import_cli_json_report_has_exactly_the_documented_keys(runner, data_dir):
    result = runner.invoke(
        args=["directory", "import", str(data_dir / "directory_malformed.json"), "--json", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert list(report) == REPORT_KEYS
    assert report["added"] == 3
    assert report["rejected"][0] == {"line": 2, "reason": "no id"}
    assert all(list(row) == ["line", "reason"] for row in report["rejected"])


def test_import_cli_summary_and_rejected_rows(runner, data_dir):
    result = runner.invoke(args=["directory", "import", str(data_dir / "directory_malformed.csv")])
    assert result.exit_code == 0
    assert "line 3: This row has 5 cells where the header has 23 columns." in result.output
    assert "Imported:" in result.output and "3 added" in result.output


def test_import_cli_dry_run_prints_the_same_report_and_changes_nothing(app, runner, data_dir):
    runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
    dry = runner.invoke(
        args=["directory", "import", str(data_dir / "directory_v2.json"), "--dry-run", "--json"]
    )
    real = runner.invoke(args=["directory", "import", str(data_dir / "directory_v2.json"), "--json"])
    assert json.loads(dry.output) == json.loads(real.output)
    assert json.loads(real.output)["added"] == 1


def test_import_cli_broken_file_exits_non_zero_and_changes_nothing(app, runner, data_dir):
    runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
    result = runner.invoke(args=["directory", "import", str(data_dir / "directory_broken.json")])
    assert result.exit_code != 0
    assert (
        "Nothing imported" in result.output
        and "The file stops in the middle, after record 1" in result.output
    )
    assert "(the JSON is broken after record 1: parse error: premature EOF)" in result.output  # for a shell
    with app.app_context():
        db = get_session()
        assert db.scalar(select(func.count()).select_from(Organisation)) == 8
        failed = db.scalar(select(ImportRun).where(ImportRun.status == "failed"))
        assert "the JSON is broken" in failed.error


def test_import_cli_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["directory", "import", str(tmp_path / "nowhere.json")])
    assert result.exit_code != 0 and "There is no file at" in result.output


def test_import_cli_speaks_the_shells_language_with_the_pages_texts(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_BE.UTF-8")
    result = runner.invoke(args=["directory", "import", str(tmp_path / "nowhere.json")])
    assert result.exit_code != 0 and "Il n'y a pas de fichier" in result.output


def test_import_cli_format_can_be_forced(runner, data_dir):
    result = runner.invoke(
        args=["directory", "import", str(data_dir / "directory_v1.json"), "--format", "csv", "--json"]
    )
    assert result.exit_code != 0
    assert "No column separator in the first line" in result.output


def test_import_cli_hsds_uses_the_package_name_as_source(app, runner, data_dir):
    result = runner.invoke(args=["directory", "import", str(data_dir / "hsds"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == 2
    with app.app_context():
        sources = set(get_session().scalars(select(Organisation.source)))
    assert sources == {"hsds-test-directory"}


def test_import_cli_sends_directory_changed_after_commit(app, runner, data_dir):
    received = []

    def listener(sender, organisation_ids):
        with app.app_context():
            visible = get_session().scalar(
                select(func.count()).select_from(Organisation).where(Organisation.id.in_(organisation_ids))
            )
        received.append((sorted(organisation_ids), visible))

    with directory_changed.connected_to(listener):
        runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
        runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
        runner.invoke(
            args=["directory", "import", str(data_dir / "directory_v2.json"), "--dry-run", "--quiet"]
        )
    assert len(received) == 1
    ids, visible = received[0]
    assert len(ids) == 8 and visible == 8


def test_import_cli_sync_imports_every_configured_source(app, runner, data_dir):
    app.config["DIRECTORY_SOURCES"] = [
        str(data_dir / "directory_v1.json"),
        {"path": str(data_dir / "hsds"), "format": "hsds"},
    ]
    result = runner.invoke(args=["directory", "sync"])
    assert result.exit_code == 0, result.output
    assert "8 added" in result.output and "2 added" in result.output


def test_import_cli_sync_reports_a_failed_source_and_goes_on(app, runner, data_dir):
    app.config["DIRECTORY_SOURCES"] = [
        str(data_dir / "directory_broken.json"),
        str(data_dir / "directory_v1.json"),
    ]
    result = runner.invoke(args=["directory", "sync"])
    assert result.exit_code != 0
    assert (
        "FAILED" in result.output and "8 added" in result.output and "1 of 2 sources failed" in result.output
    )


def test_import_cli_sync_without_sources_says_so(runner):
    result = runner.invoke(args=["directory", "sync"])
    assert result.exit_code != 0 and "HELPDESK_DIRECTORY_SOURCES" in result.output


def test_import_cli_duplicates_lists_a_local_look_alike(app, runner, data_dir, make_organisation):
    runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
    make_organisation(source="local", source_id="l1", name_fr="Maison Medicale le Meridien", postcode="1210")
    result = runner.invoke(args=["directory", "duplicates", "--json"])
    assert result.exit_code == 0
    pairs = json.loads(result.output)
    assert len(pairs) == 1
    assert {pairs[0]["first"]["source"], pairs[0]["second"]["source"]} == {"local", "bruxelles-social"}
    assert pairs[0]["same_postcode"] and pairs[0]["score"] >= 88


def _fd_position(pid: int, path: Path) -> int | None:
    """Where process ``pid`` is reading ``path``, from /proc (None when it does not have it open)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        for fd in fd_dir.iterdir():
            try:
                if os.readlink(fd) == str(path):
                    for line in Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text().splitlines():
                        if line.startswith("pos:"):
                            return int(line.split()[1])
            except OSError:
                continue
    except OSError:
        return None
    return None


@pytest.mark.slow
def test_import_cli_killed_import_leaves_the_directory_unchanged(
    app, runner, data_dir, tmp_path, database_url, directory_snapshot
):
    runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
    with app.app_context():
        before = directory_snapshot(get_session())
    big = tmp_path / "big.json"
    write_sample(big, count=30_000)
    root = Path(__file__).resolve().parent.parent
    env = dict(
        os.environ,
        HELPDESK_DATABASE_URL=database_url,
        HELPDESK_INSTANCE_PATH=str(tmp_path / "instance"),
        HELPDESK_SECRET_KEY="test",
        PYTHONPATH=str(root),
    )
    child = subprocess.Popen(
        [str(Path(sys.executable).parent / "helpdesk"), "directory", "import", str(big), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=root,
    )
    size = big.stat().st_size
    try:
        # Kill it once it has read over half the export: rows have been written, nothing committed.
        while child.poll() is None:
            position = _fd_position(child.pid, big)
            if position is not None and position > size // 2:
                break
            time.sleep(0.02)
        assert child.poll() is None, child.stderr.read().decode()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    with app.app_context():
        db = get_session()
        assert directory_snapshot(db) == before
        assert db.scalar(select(func.count()).select_from(ImportRun)) == 1
    again = runner.invoke(
        args=["directory", "import", str(data_dir / "directory_v2.json"), "--json", "--quiet"]
    )
    assert again.exit_code == 0 and json.loads(again.output)["added"] == 1


def test_fetch_cli_imports_a_url_twice(app, runner, export_server, data_dir):
    app.config.update(FETCH_BACKOFF_SECONDS=0.01, FETCH_ALLOWED_HOSTS=["127.0.0.1"])  # the loopback stand-in
    export_server.serve((data_dir / "directory_v1.json").read_bytes(), '"v1"')
    first = runner.invoke(args=["directory", "import", export_server.url, "--json", "--quiet"])
    second = runner.invoke(args=["directory", "import", export_server.url, "--json", "--quiet"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert json.loads(first.output)["added"] == 8
    assert json.loads(second.output) == {
        "added": 0,
        "updated": 0,
        "unchanged": 8,
        "archived": 0,
        "restored": 0,
        "rejected": [],
        "warnings": [],
    }
