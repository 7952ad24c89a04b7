"""Operator pages while a directory import runs: latency and 5xx during an import from a slow server.

The app runs as in production (gunicorn, 3 workers) with a separate ``helpdesk worker`` process. An admin
starts an import of 5,000 organisations from the admin page; the export is served by a local server on
127.0.0.1 (allowed through HELPDESK_FETCH_ALLOWED_HOSTS) that sends it slowly, over ``--serve-seconds``.
Meanwhile signed-in operators open their pages in a loop. Prints p50/p95/max and the 5xx count before the
import, while it downloads, while it reads and applies, and overall. Goal: p95 < 300 ms and no 5xx.
The dry run is then confirmed, so the apply step (the only write) is measured too.

Usage: python bench/bench_import_concurrency.py [--organisations 5000] [--serve-seconds 15] [--clients 4]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess  # nosec B404
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from directory_import.sample import generate  # noqa: E402
from tests.reliability.servers import Gunicorn, csrf_from, environment, sign_in  # noqa: E402

PASSWORD = "bench password 2026"
OPERATOR_PAGES = ("/", "/requests/", "/directory/?q=maison", "/directory/", "/requests/new")


def slow_export_server(body: bytes, seconds: float) -> tuple[ThreadingHTTPServer, str]:
    """Serves ``body`` in 100 slices spread over ``seconds``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            step = max(len(body) // 100, 1)
            try:
                for start in range(0, len(body), step):
                    self.wfile.write(body[start : start + step])
                    self.wfile.flush()
                    time.sleep(seconds / 100)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/export.json"


def prepare_database(base_url: str, folder: Path) -> tuple[str, str | None]:
    if not base_url:
        return f"sqlite:///{folder / 'bench.sqlite'}", None
    from helpdesk.db import make_engine

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = make_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    return url, schema


def drop_schema(base_url: str, schema: str) -> None:
    from helpdesk.db import make_engine

    engine = make_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def helpdesk(env: dict, *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-c", "from helpdesk.cli import main; main()", *args],  # nosec B603
        env=env,
        cwd=str(ROOT),
        check=True,
        capture_output=True,
        text=True,
        input=stdin,
    )


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--serve-seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-import-concurrency-"))
    url, schema = prepare_database(options.database_url, folder)
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret",
        "SESSION_COOKIE_SECURE": False,
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "FETCH_ALLOWED_HOSTS": ["127.0.0.1"],
        "FETCH_TIMEOUT_SECONDS": options.serve_seconds * 4 + 60,
        "JOBS_POLL_SECONDS": 0.5,
    }
    instance = folder / "instance"
    env = environment(config, instance)
    helpdesk(env, "db", "upgrade")
    helpdesk(
        env,
        "users",
        "create",
        "admin@bench.example",
        "--role",
        "admin",
        "--territory",
        "region",
        "--password",
        PASSWORD,
    )
    operators = [f"operator{n}@bench.example" for n in range(options.clients)]
    for email in operators:
        helpdesk(
            env, "users", "create", email, "--role", "operator", "--territory", "sud", "--password", PASSWORD
        )

    body = json.dumps(
        {"exportDate": "2026-12-01", "organisations": list(generate(options.organisations, seed=11))},
        ensure_ascii=False,
    ).encode()
    export_server, export_url = slow_export_server(body, options.serve_seconds)
    web = Gunicorn(config, instance, workers=3)
    worker_log = (folder / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from helpdesk.cli import main; main()",  # nosec B603
            "worker",
            "--quiet",
        ],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=worker_log,
    )
    samples: dict[str, list[float]] = defaultdict(list)  # by phase, in the order phases began
    errors: dict[str, int] = defaultdict(int)
    phase = {"name": "before"}
    stop = threading.Event()

    def operator_loop(email: str) -> None:
        http = requests.Session()
        sign_in(http, web.url, email, PASSWORD)
        n = 0
        while not stop.is_set():
            page = OPERATOR_PAGES[n % len(OPERATOR_PAGES)]
            n += 1
            started = time.perf_counter()
            try:
                status = http.get(web.url + page, timeout=60).status_code
            except requests.RequestException:
                status = 599
            elapsed = (time.perf_counter() - started) * 1000
            current = phase["name"]
            samples[current].append(elapsed)
            if status >= 500:
                errors[current] += 1

    try:
        admin = requests.Session()
        sign_in(admin, web.url, "admin@bench.example", PASSWORD)
        clients = [threading.Thread(target=operator_loop, args=(email,)) for email in operators]
        for client in clients:
            client.start()
        time.sleep(3)

        def follow(job_location: str, label: str) -> dict:
            job_json = web.url + job_location + ".json"
            while True:
                state = admin.get(job_json, timeout=60).json()
                if state["finished"]:
                    return state
                phase["name"] = f"{label}: {state['stage'] or 'queued'}"
                time.sleep(0.2)

        token = csrf_from(admin.get(web.url + "/admin/imports", timeout=60).text)
        started = time.perf_counter()
        posted = admin.post(
            web.url + "/admin/imports",
            data={"csrf_token": token, "url": export_url, "format": "auto"},
            allow_redirects=False,
            timeout=60,
        )
        job_location = posted.headers["Location"].replace(web.url, "")
        dry = follow(job_location, "dry run")
        dry_seconds = time.perf_counter() - started
        phase["name"] = "between"
        run_path = dry["run_url"]
        token = csrf_from(admin.get(web.url + run_path, timeout=60).text)
        started = time.perf_counter()
        confirmed = admin.post(
            web.url + run_path + "/confirm", data={"csrf_token": token}, allow_redirects=False, timeout=60
        )
        applied = follow(confirmed.headers["Location"].replace(web.url, ""), "apply")
        apply_seconds = time.perf_counter() - started
        phase["name"] = "after"
        time.sleep(3)
    finally:
        stop.set()
        for client in clients:
            client.join()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=300)
        worker_log.close()
        web.stop()
        export_server.shutdown()
        if schema:
            drop_schema(options.database_url, schema)

    database = "PostgreSQL" if options.database_url else "SQLite"
    print(
        f"Import of {options.organisations:,} organisations ({len(body) / 1e6:.1f} MB served over "
        f"{options.serve_seconds:g} s) on {database}, gunicorn 3 workers + helpdesk worker, "
        f"{options.clients} operators looping over {len(OPERATOR_PAGES)} pages"
    )
    print(
        f"  dry run job: {dry_seconds:.1f} s ({dry['state']}); apply job: {apply_seconds:.1f} s "
        f"({applied['state']})"
    )
    print(f"  {'phase':22} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'5xx':>5}")
    everything: list[float] = []
    for name, values in samples.items():
        everything.extend(values)
        print(
            f"  {name:22} {len(values):8} {percentile(values, 0.5):8.0f} {percentile(values, 0.95):8.0f} "
            f"{max(values):8.0f} {errors.get(name, 0):5}"
        )
    total_errors = sum(errors.values())
    p95 = percentile(everything, 0.95)
    print(
        f"  {'all':22} {len(everything):8} {percentile(everything, 0.5):8.0f} {p95:8.0f} "
        f"{max(everything):8.0f} {total_errors:5}"
    )
    verdict = "met" if p95 < 300 and total_errors == 0 else "NOT met"
    print(f"Goal p95 < 300 ms and no 5xx: {verdict}.")


if __name__ == "__main__":
    main()
