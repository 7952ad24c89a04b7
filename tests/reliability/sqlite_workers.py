"""SQLite under several gunicorn workers: a write-heavy run must give no "database is locked" and lose nothing.

Simulated operators sign in, switch language (a write on their account), fail logins on unknown addresses
(a write per attempt checked; throttled ones are refused before any check), record help requests when the helpdesk has the route, and sign
out, as fast as the server answers, for a bounded time. Afterwards every write the clients saw succeed is
counted in the database, and the server log is searched for "database is locked" and tracebacks.

    .venv/bin/python -m tests.reliability.sqlite_workers --seconds 120    # the 2-minute run
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import func, select

from tests.reliability.servers import Gunicorn, csrf_from, sign_in

PASSWORD = "correct horse battery"


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    logins: int = 0
    logouts: int = 0
    language_changes: int = 0
    failed_logins: int = 0
    throttled_logins: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, response: requests.Response | None = None) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)
            if response is not None:
                self.statuses[response.status_code] += 1


def _config(url: str) -> dict:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "reliability-run",
        "SESSION_COOKIE_SECURE": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        # Every client comes from 127.0.0.1: the throttle per address would soon space their sign-ins.
        "LOGIN_ADDRESS_SLOW_AFTER": 1_000_000,
        "LOGIN_ADDRESS_MAX_FAILURES": 1_000_000,
    }


def _prepare(instance: Path, clients: int) -> tuple[str, list[str]]:
    from helpdesk import create_app
    from helpdesk.auth import operations
    from helpdesk.db import get_session, upgrade_database

    url = f"sqlite:///{instance / 'helpdesk.sqlite'}"
    upgrade_database(url)
    app = create_app(_config(url) | {"TESTING": True})
    emails = [f"writer{n}@reliability.example" for n in range(clients)]
    with app.app_context():
        db = get_session()
        for email in emails:
            operations.create_user(
                db,
                app.extensions["passwords"],
                email=email,
                password=PASSWORD,
                role="operator",
                territory="sud",
                name=email,
            )
        db.commit()
    return url, emails


def _client_loop(base: str, email: str, n: int, deadline: float, tally: Tally) -> None:
    http = requests.Session()
    try:
        while time.monotonic() < deadline:
            response = sign_in(http, base, email, PASSWORD)
            tally.statuses[response.status_code] += 1
            if response.status_code != 302:
                tally.errors.append(f"sign-in {email}: {response.status_code}")
                continue
            tally.add("logins")
            token = csrf_from(http.get(base + "/", timeout=30).text)
            for language in ("nl", "fr", "nl", "fr"):
                response = http.post(
                    base + "/language",
                    data={"language": language, "next": "/", "csrf_token": token},
                    allow_redirects=False,
                    timeout=30,
                )
                if response.status_code == 302:
                    tally.add("language_changes", response)
                else:
                    tally.statuses[response.status_code] += 1
                    tally.errors.append(f"language {email}: {response.status_code}")
            ghost = requests.Session()
            response = sign_in(ghost, base, f"ghost{n}@reliability.example", "wrong password!")
            if response.status_code == 401:
                tally.add("failed_logins", response)
            elif response.status_code == 429:  # refused before any check: no failure row written
                tally.add("throttled_logins", response)
            else:
                tally.statuses[response.status_code] += 1
                tally.errors.append(f"ghost login: {response.status_code}")
            response = http.post(
                base + "/auth/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30
            )
            if response.status_code == 302:
                tally.add("logouts", response)
            else:
                tally.statuses[response.status_code] += 1
                tally.errors.append(f"logout {email}: {response.status_code}")
    except requests.RequestException as error:
        tally.errors.append(f"{email}: {type(error).__name__}: {error}")


def _count_in_database(url: str, emails: list[str]) -> dict[str, int]:
    from helpdesk.audit import AuditEvent
    from helpdesk.auth.models import LoginFailure, User, UserSession
    from helpdesk.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        user_ids = select(User.id).where(User.email.in_(emails))
        counts = {
            "sessions": conn.scalar(
                select(func.count(UserSession.id)).where(UserSession.user_id.in_(user_ids))
            ),
            "sessions_ended": conn.scalar(
                select(func.count(UserSession.id)).where(
                    UserSession.user_id.in_(user_ids), UserSession.revoked_at.is_not(None)
                )
            ),
            "login_audit_rows": conn.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "login.success")
            ),
            "failed_login_rows": conn.scalar(
                select(func.count(LoginFailure.id)).where(LoginFailure.email.like("ghost%"))
            ),
        }
    engine.dispose()
    return counts


def run(seconds: float, clients: int = 12, workers: int = 3, instance: Path | None = None) -> dict:
    """Run the write-heavy load for ``seconds``; returns the figures and the problems found."""
    with tempfile.TemporaryDirectory(prefix="sqlite-workers-") as tmp:
        instance = instance or Path(tmp)
        url, emails = _prepare(instance, clients)
        server = Gunicorn(_config(url), instance, workers=workers)
        tally = Tally()
        started = time.monotonic()
        try:
            deadline = started + seconds
            threads = [
                threading.Thread(target=_client_loop, args=(server.url, email, n, deadline, tally))
                for n, email in enumerate(emails)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            elapsed = time.monotonic() - started
            server.stop()
        log = server.log_text()
        counts = _count_in_database(url, emails)
    problems = list(tally.errors)
    if "database is locked" in log:
        problems.append("the server log says 'database is locked'")
    if "Traceback" in log:
        problems.append("the server log holds a traceback")
    expected = {
        "sessions": tally.logins,
        "sessions_ended": tally.logouts,
        "login_audit_rows": tally.logins,
        "failed_login_rows": tally.failed_logins,
    }
    for name, value in expected.items():
        if counts[name] != value:
            problems.append(f"{name}: {counts[name]} in the database, {value} acknowledged to clients")
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    requests_made = sum(tally.statuses.values()) + tally.logins * 3  # + the GETs of forms and pages
    return {
        "seconds": round(elapsed, 1),
        "workers": workers,
        "clients": clients,
        "requests": requests_made,
        "writes_acknowledged": tally.logins * 2
        + tally.language_changes
        + tally.failed_logins
        + tally.logouts,
        "statuses": dict(sorted(tally.statuses.items())),
        "server_errors": server_errors,
        "database": counts,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    figures = run(args.seconds, args.clients, args.workers)
    print(json.dumps(figures, indent=2))
    verdict = "FAILED" if figures["problems"] else "held"
    print(
        f"SQLite, {figures['workers']} workers, {figures['seconds']} s: {figures['requests']} requests, "
        f"{figures['writes_acknowledged']} writes acknowledged, {figures['server_errors']} server errors: {verdict}"
    )
    return 1 if figures["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
