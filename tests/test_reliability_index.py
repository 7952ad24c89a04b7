"""Faults of the search index while real gunicorn workers serve searches.

- An index rebuild killed with SIGKILL midway: searches keep answering from the old index; the next
  rebuild works.
- The index folder deleted, or its files overwritten with garbage, while the app runs: searches keep
  answering (plain SQL or a rebuilt index), never an error page, and the index comes back.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from directory_import.sample import generate
from tests.conftest import TEST_PASSWORD
from tests.reliability.servers import sign_in

pytestmark = pytest.mark.slow  # real gunicorn servers, tens of seconds each

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HIT = re.compile(r'href="/directory/organisations/(\d+)"')
QUERIES = ["maison medicale", "cpas", "wijkgezondheidscentrum", "santé mentale", "1030"]


def _import_sample(runner, tmp_path, count: int) -> None:
    export = tmp_path / "sample.json"
    export.write_text(
        json.dumps({"organisations": list(generate(count, seed=3))}, ensure_ascii=False), encoding="utf-8"
    )
    result = runner.invoke(args=["directory", "import", str(export), "--quiet"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["index", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output


def _searches(http: requests.Session, base: str) -> dict[str, tuple[int, list[str], bool]]:
    """Status, hit ids and the "index being rebuilt" notice, for each query."""
    answers = {}
    for query in QUERIES:
        response = http.get(base + "/directory/", params={"q": query}, timeout=60)
        body = response.text
        answers[query] = (response.status_code, HIT.findall(body), 'class="notice"' in body)
    return answers


def _serve(runner, tmp_path, make_user, gunicorn_server, count: int):
    _import_sample(runner, tmp_path, count=count)
    user = make_user("operator", "sud")
    server = gunicorn_server(workers=2)
    http = requests.Session()
    assert sign_in(http, server.url, user.email, TEST_PASSWORD).status_code == 302
    return server, http


@pytest.fixture
def served_directory(app, runner, tmp_path, make_user, gunicorn_server):
    """A directory of sample organisations, its index, and gunicorn (2 workers) with a signed-in operator."""
    return _serve(runner, tmp_path, make_user, gunicorn_server, count=400)


@pytest.fixture
def served_big_directory(app, runner, tmp_path, make_user, gunicorn_server):
    """The same with a directory big enough for a rebuild to be killed midway."""
    return _serve(runner, tmp_path, make_user, gunicorn_server, count=2500)


def test_index_rebuild_killed_midway_leaves_searches_on_the_old_index(
    app, runner, served_big_directory, tmp_path, database_url
):
    server, http = served_big_directory
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    before = _searches(http, server.url)
    assert all(status == 200 and hits and not notice for status, hits, notice in before.values())
    live = (index_dir / "CURRENT").read_text()
    generations = set(index_dir.glob("gen-*"))

    env = dict(
        os.environ,
        HELPDESK_DATABASE_URL=database_url,
        HELPDESK_INSTANCE_PATH=app.instance_path,
        HELPDESK_SECRET_KEY="test",
        HELPDESK_SEARCH_INDEX_DIR=str(index_dir),
    )
    child = subprocess.Popen(
        [str(Path(sys.executable).parent / "helpdesk"), "index", "rebuild", "--quiet"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while (
        not set(index_dir.glob("gen-*")) - generations
        and child.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    time.sleep(0.2)  # well inside the filling of the new generation
    assert child.poll() is None, "the rebuild finished before it could be killed: make the directory bigger"
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)

    assert (index_dir / "CURRENT").read_text() == live
    assert _searches(http, server.url) == before
    # The killed writer's lock died with it: the next rebuild works, and searches follow it.
    result = runner.invoke(args=["index", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (index_dir / "CURRENT").read_text() != live
    assert _searches(http, server.url) == before


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_index_folder_damaged_while_the_app_runs_searches_keep_answering(app, served_directory, damage):
    server, http = served_directory
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    before = _searches(http, server.url)
    assert all(status == 200 and hits for status, hits, _ in before.values())

    if damage == "deleted":
        shutil.rmtree(index_dir)
    else:
        # Files replaced by garbage (as by a bad copy): workers that have the index open keep their
        # readers; workers started afterwards (a restart, a new machine) meet the garbage.
        for path in index_dir.rglob("*"):
            if path.is_file() and path.name not in ("write.lock", "CURRENT"):
                size = path.stat().st_size
                path.unlink()
                path.write_bytes(os.urandom(max(64, size)))
        old_workers = set(server.worker_pids())
        server.process.send_signal(signal.SIGHUP)  # gunicorn replaces its workers
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            set(server.worker_pids()) & old_workers or len(server.worker_pids()) < 2
        ):
            time.sleep(0.1)

    # Every worker meets the damage; each answers, with the index or with plain SQL meanwhile (which
    # finds plain words and postcodes, not typos nor missing accents).
    for _ in range(4):
        for query, (status, hits, _notice) in _searches(http, server.url).items():
            assert status == 200, query
            if query in ("cpas", "1030"):
                assert hits, f"{query}: no result any more"
    # The index comes back by itself, and searches are ranked again.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        after = _searches(http, server.url)
        if all(not notice for _, _, notice in after.values()):
            break
        time.sleep(0.5)
    assert after == before
    assert "Traceback" not in server.log_text()


def test_index_background_rebuild_leaves_the_work_to_a_writer_already_rebuilding(
    app, runner, tmp_path, caplog
):
    """Two workers that meet the same missing index both start a rebuild; the one that finds the other's
    lock leaves the work to it (no error logged), and its wait takes no database lock meanwhile."""
    import logging
    import threading

    from helpdesk.directory.search import schedule_rebuild, search_index
    from search_index.store import SearchIndex

    _import_sample(runner, tmp_path, 20)
    index = search_index(app)
    index.lock_timeout = 0.5
    other_writer = SearchIndex(index.path)
    app.config["SEARCH_REBUILD_IN_BACKGROUND"] = True
    with caplog.at_level(logging.INFO, logger="helpdesk.directory.search"), other_writer.write_lock():
        with app.test_request_context("/directory/"):
            thread = schedule_rebuild(app, reason="test: index missing")
        assert isinstance(thread, threading.Thread)
        thread.join(10)
    assert not thread.is_alive()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("left to the other writer" in r.getMessage() for r in caplog.records)


def test_index_rebuild_reads_without_holding_the_sqlite_write_lock(app, runner, tmp_path, database_url):
    """A rebuild reads the whole directory for minutes at 50,000 organisations: meanwhile other requests
    must still write. On SQLite its session begins deferred, so a writer gets through during it."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock taken at BEGIN is SQLite's")
    import sqlite3

    from directory_import.models import Organisation
    from helpdesk.db import reader_session

    _import_sample(runner, tmp_path, 5)
    reader = reader_session(app)
    try:
        assert reader.query(Organisation).count() == 5  # the read transaction is open
        other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0.5)
        other.execute("BEGIN IMMEDIATE")  # would time out if the reader held the write lock
        other.rollback()
        other.close()
    finally:
        reader.close()
