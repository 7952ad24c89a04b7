"""Queueing, claiming and running jobs: the same on SQLite and PostgreSQL.

A worker claims the oldest due job in one short transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL (two workers never get the same row), SQLite's single writer (every write transaction begins
``IMMEDIATE``) elsewhere. It then holds a lease: ``locked_at`` renewed by a heartbeat while the job runs. A
job whose worker was killed is due again once its lease ran out, and is retried up to ``max_attempts``
times. A job finishes in the handler's own transaction when it can (``JobContext.finish``), so the work and
"done" are committed together; a worker that lost its lease cannot finish a job another worker took.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.jobs.models import Job

logger = logging.getLogger(__name__)

EXTENSION = "job_kinds"
POLLERS_EXTENSION = "job_pollers"


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its name, the function that runs it, and (optionally) the key that allows only one
    job of it queued or running at a time."""

    name: str
    handler: Callable[[JobContext], dict | None]
    exclusive_key: str | None = None
    max_attempts: int = 3


class AlreadyQueued(Exception):
    """A job with the same exclusive key is queued or running: ``job`` is that one."""

    def __init__(self, job: Job | None) -> None:
        super().__init__("a job of this kind is already queued or running")
        self.job = job


class LeaseLost(Exception):
    """The lease of this job ran out and another worker has it (or it was finished): stop, change nothing."""


class JobFailed(Exception):
    """A handler's way to fail a job for good (no retry), keeping ``result`` for the page that follows it."""

    def __init__(self, message: str, result: dict | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


def register_kind(app: Flask, kind: JobKind) -> None:
    app.extensions.setdefault(EXTENSION, {})[kind.name] = kind


def register_poller(app: Flask, poller: Callable[..., int]) -> None:
    """A function ``poll(app, worker_id, stop) -> int`` (how much it did) the worker calls between jobs."""
    pollers = app.extensions.setdefault(POLLERS_EXTENSION, [])
    if poller not in pollers:
        pollers.append(poller)


def run_pollers(app: Flask, worker_id: str, stop: threading.Event | None = None) -> int:
    """Give each registered poller its turn; how much they did together. One that fails is logged."""
    done = 0
    for poller in app.extensions.get(POLLERS_EXTENSION, []):
        try:
            done += poller(app, worker_id, stop)
        except SQLAlchemyError:
            raise
        except Exception:  # a poller's bug must not stop the worker
            logger.exception("worker %s: %s failed", worker_id, getattr(poller, "__qualname__", poller))
    return done


def kinds(app: Flask) -> dict[str, JobKind]:
    return app.extensions.get(EXTENSION, {})


def lease_seconds(app: Flask) -> float:
    return float(app.config["JOBS_LEASE_SECONDS"])


def enqueue(db: Session, app: Flask, kind: str, payload: dict[str, Any], *, created_by: str = "") -> Job:
    """Add a job of a registered ``kind``; flushes. Raises ``AlreadyQueued`` when the kind is exclusive and
    one of it is queued or running (decided by a unique index, so two requests at once cannot both pass)."""
    spec = kinds(app)[kind]
    job = Job(
        kind=kind,
        payload=payload,
        state="queued",
        attempts=0,
        max_attempts=spec.max_attempts,
        run_after=utcnow(),
        exclusive_key=spec.exclusive_key,
        created_by=created_by[:200],
        progress={},
        result={},
        error="",
    )
    try:
        with db.begin_nested():
            db.add(job)
            db.flush()
    except IntegrityError:
        raise AlreadyQueued(active_job(db, spec.exclusive_key)) from None
    return job


def active_job(db: Session, exclusive_key: str | None) -> Job | None:
    """The job queued or running under ``exclusive_key``, if any."""
    if exclusive_key is None:
        return None
    return db.scalar(
        select(Job).where(Job.exclusive_key == exclusive_key, Job.state.in_(("queued", "running")))
    )


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(app: Flask, worker_id: str) -> Job | None:
    """Take the oldest due job (queued and due, or running with a lease run out) for ``worker_id``, in one
    short committed transaction; None when nothing is due. A job taken back from a dead worker that has
    used all its attempts is failed instead."""
    known = list(kinds(app))
    if not known:
        return None
    with app.extensions["db_sessionmaker"]() as db:
        while True:
            now = utcnow()
            expired = now - timedelta(seconds=lease_seconds(app))
            job = db.scalar(
                select(Job)
                .where(
                    Job.kind.in_(known),
                    or_(
                        and_(Job.state == "queued", Job.run_after <= now),
                        and_(Job.state == "running", Job.locked_at < expired),
                    ),
                )
                .order_by(Job.run_after, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job is None:
                db.rollback()
                return None
            if job.state == "running":
                logger.warning(
                    "job %s: the lease of %s ran out (attempt %s of %s)",
                    job.id,
                    job.locked_by,
                    job.attempts,
                    job.max_attempts,
                )
                if job.attempts >= job.max_attempts:
                    job.state, job.finished_at, job.locked_by = "failed", now, None
                    job.error = "its worker stopped before the end, every attempt"
                    db.commit()
                    continue
            job.state, job.locked_by, job.locked_at = "running", worker_id, now
            job.attempts += 1
            job.started_at = job.started_at or now
            db.commit()
            return job


def _mine(job_id: int, worker_id: str):
    return and_(Job.id == job_id, Job.locked_by == worker_id, Job.state == "running")


def finish(
    db: Session,
    job_id: int,
    worker_id: str,
    *,
    state: str = "done",
    result: dict | None = None,
    error: str = "",
) -> None:
    """Mark the job finished in ``db``'s transaction (flushes; the caller commits, with the job's work).
    Raises ``LeaseLost`` when this worker no longer holds it."""
    changed = db.execute(
        update(Job)
        .where(_mine(job_id, worker_id))
        .values(
            state=state,
            result=result or {},
            error=error[:4000],
            finished_at=utcnow(),
            locked_by=None,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise LeaseLost(f"job {job_id} is no longer held by {worker_id}")


class JobContext:
    """What a handler gets: the job's payload, a way to report progress (which also renews the lease) and
    a way to finish inside its own transaction."""

    def __init__(self, app: Flask, job: Job, worker_id: str) -> None:
        self.app = app
        self.job_id = job.id
        self.kind = job.kind
        self.payload = dict(job.payload or {})
        self.attempt = job.attempts
        self.created_by = job.created_by
        self.worker_id = worker_id
        self.finished = False
        self._last_progress = 0.0

    def progress(self, force: bool = False, **values: Any) -> None:
        """Record how far the job got (shown on its page), at most once a second unless ``force``."""
        now = time.monotonic()
        if not force and now - self._last_progress < 1.0:
            return
        self._last_progress = now
        if not _touch(self.app, self.job_id, self.worker_id, progress=values):
            raise LeaseLost(f"job {self.job_id} is no longer held by {self.worker_id}")

    def finish(
        self, db: Session, result: dict | None = None, *, state: str = "done", error: str = ""
    ) -> None:
        """Mark the job finished in ``db``'s transaction, so its work and its end are committed together."""
        finish(db, self.job_id, self.worker_id, state=state, result=result, error=error)
        self.finished = True


def _touch(app: Flask, job_id: int, worker_id: str, **values: Any) -> bool:
    """Renew the lease (and write ``values``) in a transaction of its own; False when the lease is lost."""
    with app.extensions["db_sessionmaker"]() as db:
        changed = db.execute(
            update(Job)
            .where(_mine(job_id, worker_id))
            .values(locked_at=utcnow(), updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.commit()
    return changed == 1


class _Heartbeat(threading.Thread):
    """Renews a running job's lease every third of it, so a long step without progress keeps its job."""

    def __init__(self, app: Flask, job_id: int, worker_id: str) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.app, self.job_id, self.worker_id = app, job_id, worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = max(lease_seconds(self.app) / 3, 0.2)
        while not self.stopped.wait(interval):
            try:
                if not _touch(self.app, self.job_id, self.worker_id):
                    return
            except SQLAlchemyError:
                logger.warning("job %s: heartbeat failed; retrying", self.job_id, exc_info=True)


def run_job(app: Flask, job: Job, worker_id: str) -> str:
    """Run a claimed job to its end; returns its final state (``done``, ``failed``, ``queued`` for a retry
    later, ``lost`` when another worker took it meanwhile). Never raises for the job's own failures."""
    spec = kinds(app).get(job.kind)
    context = JobContext(app, job, worker_id)
    heartbeat = _Heartbeat(app, job.id, worker_id)
    heartbeat.start()
    try:
        if spec is None:
            raise JobFailed(f"unknown kind of job {job.kind!r}")
        with app.app_context():
            result = spec.handler(context)
        if not context.finished:
            with app.extensions["db_sessionmaker"]() as db:
                finish(db, job.id, worker_id, result=result or {})
                db.commit()
        return "done"
    except LeaseLost as lost:
        logger.warning("job %s: %s; left to the worker that has it", job.id, lost)
        return "lost"
    except JobFailed as failed:
        logger.warning("job %s (%s) failed: %s", job.id, job.kind, failed)
        return _end(app, job, worker_id, "failed", str(failed), failed.result)
    except Exception as error:  # a handler's bug or a database down: retried, then failed
        logger.exception("job %s (%s), attempt %s, failed", job.id, job.kind, job.attempts)
        if job.attempts < job.max_attempts:
            return _end(
                app,
                job,
                worker_id,
                "queued",
                f"{error.__class__.__name__}: {error}",
                None,
                retry_in=min(30 * 2 ** (job.attempts - 1), 600),
            )
        return _end(app, job, worker_id, "failed", f"{error.__class__.__name__}: {error}", None)
    finally:
        heartbeat.stopped.set()
        heartbeat.join()


def _end(
    app: Flask, job: Job, worker_id: str, state: str, error: str, result: dict | None, retry_in: float = 0
) -> str:
    try:
        with app.extensions["db_sessionmaker"]() as db:
            if state == "queued":
                changed = db.execute(
                    update(Job)
                    .where(_mine(job.id, worker_id))
                    .values(
                        state="queued",
                        locked_by=None,
                        error=error[:4000],
                        updated_at=utcnow(),
                        run_after=utcnow() + timedelta(seconds=retry_in),
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                if changed != 1:
                    raise LeaseLost(f"job {job.id}")
            else:
                finish(db, job.id, worker_id, state=state, result=result, error=error)
            db.commit()
    except LeaseLost:
        return "lost"
    except SQLAlchemyError:
        logger.exception("job %s: its end could not be recorded; its lease will run out", job.id)
        return "lost"
    return state


def run_due_jobs(
    app: Flask, worker_id: str | None = None, *, limit: int | None = None, stop: threading.Event | None = None
) -> int:
    """Claim and run due jobs one after another until none is due (or ``limit`` ran, or ``stop`` is set);
    returns how many ran. ``helpdesk worker --once`` is this."""
    worker_id = worker_id or new_worker_id()
    count = 0
    while (limit is None or count < limit) and not (stop is not None and stop.is_set()):
        job = claim(app, worker_id)
        if job is None:
            break
        logger.info("job %s (%s): taken by %s, attempt %s", job.id, job.kind, worker_id, job.attempts)
        state = run_job(app, job, worker_id)
        logger.info("job %s (%s): %s", job.id, job.kind, state)
        count += 1
    return count


def work(app: Flask, stop: threading.Event, worker_id: str | None = None) -> None:
    """The worker's loop: run what is due, then wait ``JOBS_POLL_SECONDS``, until ``stop`` is set. A
    database that is down is waited for, not fatal."""
    worker_id = worker_id or new_worker_id()
    poll = float(app.config["JOBS_POLL_SECONDS"])
    logger.info("worker %s: started (polling every %g s)", worker_id, poll)
    while not stop.is_set():
        try:
            ran = run_due_jobs(app, worker_id, stop=stop)
            ran += run_pollers(app, worker_id, stop)
        except SQLAlchemyError:
            logger.warning("worker %s: the database cannot be reached; waiting", worker_id, exc_info=True)
            ran = 0
        if not ran:
            stop.wait(poll)
    logger.info("worker %s: stopped", worker_id)


def start_worker_thread(app: Flask) -> tuple[threading.Thread, threading.Event]:
    """A worker in a daemon thread of this process (``helpdesk run``); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(app, stop), name="helpdesk-worker", daemon=True)
    thread.start()
    return thread, stop
