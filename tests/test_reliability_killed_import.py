"""An import killed with SIGKILL at random moments: the directory is the old export or the new one, never a mix.

A real ``helpdesk directory import`` process is killed at random points (8, or ``HELPDESK_IMPORT_KILLS``)
spread over its whole run (start-up, reading, writing, commit, after). After each kill the active organisations of the source are
exactly those of the old export or of the new one; the index, when there is one, holds as many documents
as the database has active organisations; the next import works and a repeat changes nothing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from directory_import.models import Organisation
from directory_import.sample import generate
from helpdesk.db import get_session

# `make test` kills 8 times; `make fuzz` 40 times, at points drawn from its seed.
KILLS = int(os.environ.get("HELPDESK_IMPORT_KILLS", "8"))
SOURCE_KEY = "kill-test"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, organisations: list[dict]) -> Path:
    path.write_text(
        json.dumps({"exportDate": "2026-11-01", "organisations": organisations}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def _exports(tmp_path: Path, count: int) -> tuple[Path, Path]:
    """An old export and a new one: a tenth renamed, a tenth gone, a tenth new."""
    old = list(generate(count, seed=7))
    new = []
    for n, organisation in enumerate(old):
        if n % 10 == 3:
            continue
        if n % 10 == 5:
            organisation = {**organisation, "nameFr": organisation["nameFr"] + " (nouvelle adresse)"}
        new.append(organisation)
    new += list(generate(count // 10, seed=8, first_id=90001))
    return _write(tmp_path / "old.json", old), _write(tmp_path / "new.json", new)


def _active(app) -> frozenset:
    with app.app_context():
        db = get_session()
        db.expire_all()
        rows = db.execute(
            select(Organisation.source_id, Organisation.content_hash).where(
                Organisation.source == SOURCE_KEY, Organisation.archived.is_(False)
            )
        ).all()
        db.rollback()
    return frozenset(rows)


def _index_count(app) -> int:
    """Documents in the search index."""
    from helpdesk.directory.search import search_index

    status = search_index(app).status()
    assert not status.error, status.error
    return status.documents


def _database_count(app) -> int:
    with app.app_context():
        db = get_session()
        count = len(db.scalars(select(Organisation.id).where(Organisation.archived.is_(False))).all())
        db.rollback()
    return count


def _import_process(export: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "helpdesk"),
            "directory",
            "import",
            str(export),
            "--source-key",
            SOURCE_KEY,
            "--quiet",
            "--json",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _import(runner, export: Path) -> dict:
    result = runner.invoke(
        args=["directory", "import", str(export), "--source-key", SOURCE_KEY, "--quiet", "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.slow
def test_import_killed_at_random_points_leaves_the_old_or_the_new_directory(
    app, runner, tmp_path, database_url
):
    old_export, new_export = _exports(tmp_path, count=1000)
    env = dict(
        os.environ,
        HELPDESK_DATABASE_URL=database_url,
        HELPDESK_INSTANCE_PATH=app.instance_path,
        HELPDESK_SECRET_KEY="test",
        HELPDESK_SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
    )

    _import(runner, new_export)
    new = _active(app)
    _import(runner, old_export)
    old = _active(app)
    assert old != new and len(old) == 1000
    assert runner.invoke(args=["index", "rebuild", "--quiet"]).exit_code == 0
    assert _index_count(app) == _database_count(app)

    # How long a whole import takes here, start-up included: kills are spread over 0..120 % of it.
    started = time.monotonic()
    child = _import_process(new_export, env)
    child.communicate(timeout=600)
    full = time.monotonic() - started
    assert child.returncode == 0 and _active(app) == new
    _import(runner, old_export)

    rnd = random.Random(int(os.environ.get("HELPDESK_KILL_SEED", "20261123")))
    outcomes, index_lagged = [], 0
    for point in sorted(rnd.uniform(0.05, 1.2) * full for _ in range(KILLS)):
        child = _import_process(new_export, env)
        time.sleep(point)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        state = _active(app)
        assert state in (old, new), f"killed after {point:.2f} s: a mix of both exports"
        outcome = "new" if state == new else "old"
        outcomes.append((round(point, 2), outcome, child.returncode))
        if outcome == "old":
            # Killed before its commit: the index (updated only after a commit) was never touched.
            assert _index_count(app) == _database_count(app), (
                f"index changed by an import killed at {point:.2f} s"
            )
        else:
            # Killed between its commit and its index update, the index lags: the catch-up from the
            # database watermark (what searches run every SEARCH_CATCH_UP_SECONDS) heals it.
            index_lagged += _index_count(app) != _database_count(app)
            assert runner.invoke(args=["index", "catch-up"]).exit_code == 0
            assert _index_count(app) == _database_count(app), (
                f"index not caught up after a kill at {point:.2f} s"
            )
            _import(runner, old_export)
            assert _index_count(app) == _database_count(app)
    print(
        f"full import {full:.2f} s; kills (seconds, directory after, exit): {outcomes}; "
        f"index lagging after {index_lagged} kill(s) between commit and index update"
    )
    assert any(o == "old" and code == -signal.SIGKILL for _, o, code in outcomes), outcomes

    report = _import(runner, new_export)
    assert _active(app) == new and report["added"] + report["updated"] + report["archived"] > 0
    again = _import(runner, new_export)
    assert (again["added"], again["updated"], again["archived"], again["restored"]) == (0, 0, 0, 0)
    assert _active(app) == new
    assert _index_count(app) == _database_count(app)
