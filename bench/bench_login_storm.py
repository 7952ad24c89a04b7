"""A storm of failed sign-ins must not stall the operators: 100 concurrent failed logins with random e-mails
against a live gunicorn on loopback, while a signed-in operator keeps opening their to-do list.

Argon2 runs at the production cost (config.py). Each storm login comes from its own loopback address
(127.0.x.y: Linux routes all of 127/8 to this machine), as a botnet would, so the throttle per address does
not cut the storm short and every attempt is really hashed; ``--same-address`` sends them all from
127.0.0.1 (the throttle then refuses most with 429 before any hashing). Prints the operator page's
latencies (p50, p95, max) before and during the storm, and the number of 5xx answers. Goal: p95 < 300 ms.
Not a test: figures depend on the machine.

Usage: python bench/bench_login_storm.py [--logins 100] [--workers 3] [--threads 4] [--same-address]
                                         [--rounds 5] [--compare-niceness] [--database-url URL]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.bench_import_concurrency import drop_schema, prepare_database  # noqa: E402
from tests.reliability.servers import FromAddress, Gunicorn, csrf_from, sign_in  # noqa: E402

PASSWORD = "tulip canal bridge 2026"
OPERATOR = "operator.storm@bench.example"
PAGE = "/requests/todo"


def _prepare(url: str) -> None:
    from helpdesk import create_app
    from helpdesk.auth import operations
    from helpdesk.db import get_session, upgrade_database

    upgrade_database(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db = get_session()
        operations.create_user(
            db,
            app.extensions["passwords"],
            email=OPERATOR,
            password=PASSWORD,
            role="operator",
            territory="sud",
            name="Storm operator",
        )
        db.commit()


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _poll(base: str, http: requests.Session, stop: threading.Event, out: list, statuses: Counter) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status = http.get(base + PAGE, timeout=120, allow_redirects=False).status_code
        except requests.RequestException:
            status = 599
        out.append(time.perf_counter() - started)
        statuses[status] += 1
        time.sleep(0.05)


def _storm(
    base: str,
    operator: requests.Session,
    logins: int,
    round_: int,
    same_address: bool,
    during: list,
    during_statuses: Counter,
    login_statuses: Counter,
) -> float:
    """One storm: every client first gets its form (and CSRF token), then all post at once while the operator
    polls their page. Each round comes from fresh addresses. Returns the storm's duration in seconds."""
    sessions = []
    for n in range(logins):
        http = requests.Session()
        k = round_ * logins + n
        source = "127.0.0.1" if same_address else f"127.{1 + k // 62500}.{2 + k // 250 % 250}.{1 + k % 250}"
        http.mount("http://", FromAddress(source))
        # "close": the post opens its own connection (an idle kept-alive one may be closed meanwhile).
        form = http.get(base + "/auth/login", timeout=60, headers={"Connection": "close"})
        sessions.append((http, csrf_from(form.text)))
    stop = threading.Event()
    poller = threading.Thread(target=_poll, args=(base, operator, stop, during, during_statuses))
    barrier = threading.Barrier(logins)

    def storm(item) -> int:
        http, token = item
        barrier.wait()
        email = f"{secrets.token_hex(6)}@storm.example"
        try:
            return http.post(
                base + "/auth/login",
                timeout=300,
                allow_redirects=False,
                data={"email": email, "password": "wrong password " + token[:6], "csrf_token": token},
            ).status_code
        except requests.RequestException as error:
            print(f"storm login: {type(error).__name__}: {error}"[:300], file=sys.stderr)
            return 599

    poller.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=logins) as pool:
        for status in pool.map(storm, sessions):
            login_statuses[status] += 1
    seconds = time.perf_counter() - started
    stop.set()
    poller.join()
    return seconds


def run(
    logins: int,
    workers: int,
    threads: int,
    same_address: bool,
    database_url: str,
    rounds: int,
    niceness: int | None = None,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="login-storm-") as tmp:
        instance = Path(tmp)
        # PostgreSQL: a schema of its own, dropped at the end (so runs one after the other start afresh).
        url, schema = prepare_database(database_url, instance)
        _prepare(url)
        config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False}
        if niceness is not None:
            config["PASSWORD_HASHING_NICENESS"] = niceness
        extra = ("--worker-class", "gthread", "--threads", str(threads)) if threads > 1 else ()
        server = Gunicorn(config, instance / "instance", workers=workers, extra_args=extra)
        try:
            operator = requests.Session()
            assert sign_in(operator, server.url, OPERATOR, PASSWORD).status_code == 302, (
                "operator cannot sign in"
            )
            before, before_statuses = [], Counter()
            for _ in range(20):
                started = time.perf_counter()
                before_statuses[operator.get(server.url + PAGE, timeout=60).status_code] += 1
                before.append(time.perf_counter() - started)
            during, during_statuses, login_statuses = [], Counter(), Counter()
            storm_seconds = 0.0
            for round_ in range(rounds):
                seconds = _storm(
                    server.url,
                    operator,
                    logins,
                    round_,
                    same_address,
                    during,
                    during_statuses,
                    login_statuses,
                )
                storm_seconds += seconds
            log = server.log_text()
        finally:
            server.stop()
            if schema:
                drop_schema(database_url, schema)
    server_errors = sum(
        n for s, n in (during_statuses + login_statuses + before_statuses).items() if s >= 500
    )
    return {
        "database": "postgresql" if schema else "sqlite",
        "workers": workers,
        "threads": threads,
        "logins": logins,
        "rounds": rounds,
        "same_address": same_address,
        "storm_seconds": round(storm_seconds, 1),
        "login_statuses": dict(sorted(login_statuses.items())),
        "page_before_ms": {
            "p50": round(statistics.median(before) * 1000),
            "p95": round(_percentile(before, 0.95) * 1000),
        },
        "page_during_ms": {
            "n": len(during),
            "p50": round(statistics.median(during) * 1000) if during else None,
            "p95": round(_percentile(during, 0.95) * 1000) if during else None,
            "max": round(max(during) * 1000) if during else None,
        },
        "page_statuses": dict(sorted(during_statuses.items())),
        "server_errors": server_errors,
        "database_locked_in_log": "database is locked" in log,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker (1: sync workers)")
    parser.add_argument("--same-address", action="store_true", help="every storm login from 127.0.0.1")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument(
        "--rounds", type=int, default=5, help="storms one after the other (more page samples)"
    )
    parser.add_argument(
        "--compare-niceness",
        action="store_true",
        help="run twice, password hashing at normal priority (niceness 0) then at the configured one",
    )
    args = parser.parse_args(argv)
    if args.compare_niceness:
        from config import PASSWORD_HASHING_NICENESS

        for niceness in (0, PASSWORD_HASHING_NICENESS):
            figures = run(
                args.logins,
                args.workers,
                args.threads,
                args.same_address,
                args.database_url,
                args.rounds,
                niceness,
            )
            print(
                f"hashing niceness {niceness:2}: operator page during the storms {figures['page_during_ms']}"
            )
        return 0
    figures = run(args.logins, args.workers, args.threads, args.same_address, args.database_url, args.rounds)
    for key, value in figures.items():
        print(f"{key:24} {value}")
    during = figures["page_during_ms"]
    verdict = (
        "met"
        if during["p95"] is not None and during["p95"] < 300 and not figures["server_errors"]
        else "MISSED"
    )
    print(
        f"operator page during {figures['logins']} failed logins: p95 {during['p95']} ms, "
        f"{figures['server_errors']} 5xx (goal p95 < 300 ms: {verdict})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
