"""Background jobs: imports started from the admin page run as jobs that outlive the request and the worker
that took them, and the page follows them; the application answers while an import downloads.

Run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL (claiming differs: SKIP LOCKED there).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess  # nosec B404
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory_import.models import ImportRun, Organisation, utcnow
from helpdesk.db import get_session
from helpdesk.jobs.models import Job
from helpdesk.jobs.queue import JobKind, LeaseLost, claim, enqueue, finish, register_kind, run_due_jobs
from tests.conftest import app_config, csrf_token, login
from tests.fixtures.jobs import follow_job, run_jobs, slow_server  # noqa: F401  (fixture)
from tests.reliability.servers import environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _post_upload(client, path: Path):
    return client.post(
        "/admin/imports",
        data={
            "csrf_token": csrf_token(client, "/admin/imports"),
            "format": "auto",
            "url": "",
            "file": (io.BytesIO(path.read_bytes()), path.name),
        },
        content_type="multipart/form-data",
    )


def _post_url(client, url: str):
    return client.post(
        "/admin/imports",
        data={"csrf_token": csrf_token(client, "/admin/imports"), "url": url, "format": "auto"},
    )


def _job(app, job_id: int) -> Job:
    with app.app_context():
        return get_session().get(Job, job_id)


def _job_id(response) -> int:
    return int(re.search(r"/imports/jobs/(\d+)", response.headers["Location"]).group(1))


def _wait_for(condition, what: str, seconds: float = 60) -> None:
    """Wait for something another thread or process does (not a timing assertion: a generous bound)."""
    ends = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > ends:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.05)


def test_jobs_web_import_runs_as_a_job_and_the_page_follows_it(app, client, logged_in, data_dir):
    logged_in("admin", "region", locale="en")
    posted = _post_upload(client, data_dir / "directory_v1.json")
    assert posted.status_code == 302
    job_page = posted.headers["Location"]
    waiting = client.get(job_page)
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 200 and '<meta http-equiv="refresh"' in html
    assert "Waiting for a worker" in html
    status = client.get(f"{job_page}.json").get_json()
    assert (status["state"], status["finished"], status["run_url"]) == ("queued", False, None)

    assert run_jobs(app) == 1
    status = client.get(f"{job_page}.json").get_json()
    assert status["state"] == "done" and status["finished"]
    done = client.get(job_page)
    assert done.status_code == 302 and done.headers["Location"] == status["run_url"]
    run_page = client.get(status["run_url"]).get_data(as_text=True)
    assert "Apply this import" in run_page

    run_id = int(status["run_url"].rsplit("/", 1)[1])
    confirmed = client.post(
        f"/admin/imports/{run_id}/confirm", data={"csrf_token": csrf_token(client, status["run_url"])}
    )
    assert "/imports/jobs/" in confirmed.headers["Location"]
    applied = follow_job(client, app, confirmed)
    assert "Import applied: 8 added" in client.get(applied.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        db = get_session()
        assert db.scalar(select(func.count()).select_from(Organisation)) == 8
        assert db.get(ImportRun, run_id).confirmed_run_id is not None
        jobs = db.scalars(select(Job).order_by(Job.id)).all()
        assert [(j.state, j.attempts) for j in jobs] == [("done", 1), ("done", 1)]
        assert jobs[0].created_by.startswith("admin.region")


def test_jobs_a_second_import_is_refused_while_one_is_under_way(app, client, logged_in, data_dir):
    logged_in("admin", "region", locale="en")
    first = _post_upload(client, data_dir / "directory_v1.json")
    second = _post_upload(client, data_dir / "directory_v2.json")
    assert second.status_code == 302 and second.headers["Location"].endswith("/admin/imports")
    page = client.get("/admin/imports").get_data(as_text=True)
    assert "Another import is under way" in page and f"/admin/imports/jobs/{_job_id(first)}" in page
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Job)) == 1
        assert len(list((Path(app.instance_path) / "imports").iterdir())) == 1  # the refused file let go
    run_jobs(app)
    third = _post_upload(client, data_dir / "directory_v2.json")
    assert "/imports/jobs/" in third.headers["Location"]


def test_jobs_an_expired_lease_is_taken_again_and_the_first_worker_cannot_finish(app):
    ran: list[int] = []
    register_kind(app, JobKind("test.note", lambda context: ran.append(context.job_id) or {"ok": True}))
    app.config["JOBS_LEASE_SECONDS"] = 60
    with app.app_context():
        db = get_session()
        job_id = enqueue(db, app, "test.note", {}).id
        db.commit()
    first = claim(app, "worker-that-dies")
    assert first.id == job_id and claim(app, "other") is None  # held: nobody else gets it
    with app.app_context():
        db = get_session()
        db.get(Job, job_id).locked_at = utcnow().replace(year=2000)
        db.commit()
    assert run_due_jobs(app, "second-worker") == 1
    job = _job(app, job_id)
    assert (job.state, job.attempts, ran) == ("done", 2, [job_id])
    with app.app_context(), pytest.raises(LeaseLost):
        finish(get_session(), job_id, "worker-that-dies")


@pytest.mark.parametrize("workers", [4])
def test_jobs_two_workers_never_run_the_same_job(app, workers):
    """Several workers at once on one queue (threads with their own connections, as processes would be)."""
    ran: list[tuple[int, str]] = []
    lock = threading.Lock()

    def handler(context):
        with lock:
            ran.append((context.job_id, context.worker_id))
        time.sleep(0.01)  # let the others try to claim meanwhile
        return {}

    register_kind(app, JobKind("test.count", handler))
    with app.app_context():
        db = get_session()
        ids = [enqueue(db, app, "test.count", {"n": n}).id for n in range(40)]
        db.commit()
    threads = [threading.Thread(target=run_due_jobs, args=(app, f"worker-{n}")) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(job_id for job_id, _worker in ran) == ids
    with app.app_context():
        states = get_session().execute(select(Job.state, Job.attempts)).all()
    assert {tuple(row) for row in states} == {("done", 1)}


def test_jobs_a_job_whose_handler_fails_is_retried_then_failed(app):
    attempts: list[int] = []

    def broken(context):
        attempts.append(context.attempt)
        raise RuntimeError("boom")

    register_kind(app, JobKind("test.broken", broken, max_attempts=2))
    with app.app_context():
        db = get_session()
        job_id = enqueue(db, app, "test.broken", {}).id
        db.commit()
    run_due_jobs(app)
    with app.app_context():
        db = get_session()
        job = db.get(Job, job_id)
        assert (job.state, job.attempts) == ("queued", 1) and "boom" in job.error
        job.run_after = utcnow()
        db.commit()
    run_due_jobs(app)
    assert _job(app, job_id).state == "failed" and attempts == [1, 2]


def test_jobs_the_application_answers_while_an_import_downloads(
    app, client, logged_in, make_user, slow_server, v1_organisations
):  # noqa: F811
    """The export arrives slowly; meanwhile login, /healthz and an operator page answer as usual, because
    no transaction (on SQLite: the write lock) is held during the download."""
    slow_server.body = json.dumps({"organisations": v1_organisations}).encode()
    slow_server.modes = ["hold"]
    app.config.update(FETCH_ALLOWED_HOSTS=["127.0.0.1"], FETCH_TIMEOUT_SECONDS=120)
    logged_in("admin", "region", locale="en")
    job_id = _job_id(_post_url(client, slow_server.url))
    worker = threading.Thread(target=run_due_jobs, args=(app, "worker-download"))
    worker.start()
    try:
        _wait_for(lambda: _job(app, job_id).progress.get("stage") == "downloading", "the download to start")
        visitor = app.test_client()
        assert visitor.get("/healthz").status_code == 200
        assert visitor.get("/auth/login").status_code == 200
        operator = make_user("operator", "sud")
        assert login(visitor, operator.email).status_code == 302
        assert visitor.get("/directory/").status_code == 200
        assert client.get(f"/admin/imports/jobs/{job_id}").status_code == 200
        assert _job(app, job_id).state == "running"  # all of that while the export was still arriving
    finally:
        slow_server.release()
        worker.join()
    assert client.get(f"/admin/imports/jobs/{job_id}.json").get_json()["state"] == "done"


def test_jobs_a_worker_killed_mid_import_leaves_the_job_to_another(
    app, database_url, tmp_path, client, logged_in, slow_server, v1_organisations
):  # noqa: F811
    """A real ``helpdesk worker`` process takes the import and is killed with SIGKILL while downloading; once
    its lease has run out another worker takes the job again and finishes it."""
    slow_server.body = json.dumps({"organisations": v1_organisations}).encode()
    slow_server.modes = ["hold", "fast"]
    lease = {"JOBS_LEASE_SECONDS": 2, "FETCH_ALLOWED_HOSTS": ["127.0.0.1"], "FETCH_TIMEOUT_SECONDS": 120}
    app.config.update(lease)
    logged_in("admin", "region", locale="en")
    job_id = _job_id(_post_url(client, slow_server.url))
    config = {**app_config(database_url, tmp_path), **lease, "JOBS_POLL_SECONDS": 0.2}
    process = subprocess.Popen(  # nosec B603
        [sys.executable, "-c", "from helpdesk.cli import main; main()", "worker", "--quiet"],
        env=environment(config, Path(app.instance_path)),
        cwd=str(PROJECT_ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(
            lambda: slow_server.requests == 1 and _job(app, job_id).state == "running",
            "the worker process to take the job",
        )
        assert str(process.pid) in _job(app, job_id).locked_by
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    _wait_for(lambda: run_due_jobs(app, "rescuer") == 1, "the lease to run out", seconds=60)
    job = _job(app, job_id)
    assert (job.state, job.attempts, slow_server.requests) == ("done", 2, 2)
    with app.app_context():
        run = get_session().get(ImportRun, job.result["run_id"])
        assert (run.status, run.added) == ("dry-run", 8)
