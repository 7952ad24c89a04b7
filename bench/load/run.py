"""The load run: gunicorn (2 workers) on PostgreSQL, 50 simulated operators (locust) for 5 minutes, a
directory import and an index rebuild during the load; then the figures and the database counts.

Loopback only, bounded in time, its own schema (dropped at the end). Targets: no error, p95 < 300 ms for
pages and API, every write the server acknowledged found once in the database.

    make load                                             # installs locust in .venv-load, then runs this
    .venv/bin/python bench/load/run.py --locust .venv-load/bin/locust --seconds 300 --users 50
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess  # nosec B404
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.reliability.servers import Gunicorn, environment  # noqa: E402

PASSWORD = "load-password-2026"
BASINS = ["nord", "nord-est", "centre-ouest", "sud", "sud-est"]
TARGET_P95_MS = 300


def _config(url: str) -> dict:
    return {"DATABASE_URL": url, "SECRET_KEY": "load-run", "SESSION_COOKIE_SECURE": False}


def _prepare(url: str, instance: Path, users: int, organisations: int) -> tuple[list[dict], list[int], Path]:
    import helpdesk.models  # noqa: F401
    from directory_import.models import Base
    from directory_import.sample import generate
    from helpdesk import create_app
    from helpdesk.auth import operations
    from helpdesk.db import get_session

    app = create_app(_config(url) | {"SEARCH_INDEX_DIR": str(instance / "search-index")})
    with app.app_context():
        from helpdesk.db import get_engine

        Base.metadata.create_all(get_engine())
        db = get_session()
        accounts = []
        for n in range(users):
            territory = BASINS[n % len(BASINS)]
            user = operations.create_user(
                db,
                app.extensions["passwords"],
                email=f"load{n}@load.example",
                password=PASSWORD,
                role="operator",
                territory=territory,
                locale="fr",
            )
            token = operations.create_api_token(db, user, "load")
            accounts.append(
                {"email": user.email, "password": PASSWORD, "token": token, "territory": territory}
            )
        db.commit()
    records = list(generate(organisations, seed=11))
    export = instance / "directory.json"
    export.write_text(json.dumps({"organisations": records}, ensure_ascii=False), encoding="utf-8")
    changed = [
        dict(r, nameFr=r["nameFr"] + " (mise à jour)") if i % 20 == 0 else r for i, r in enumerate(records)
    ]
    changed_export = instance / "directory-changed.json"
    changed_export.write_text(json.dumps({"organisations": changed}, ensure_ascii=False), encoding="utf-8")
    env = environment(_config(url) | {"SEARCH_INDEX_DIR": str(instance / "search-index")}, instance)
    for args in (["directory", "import", str(export), "--quiet"], ["index", "rebuild", "--quiet"]):
        subprocess.run(
            [str(Path(sys.executable).parent / "helpdesk"), *args],
            env=env,
            check=True,  # nosec B603
            cwd=ROOT,
            capture_output=True,
        )
    with app.app_context():
        ids = list(get_session().scalars(text("SELECT id FROM organisations ORDER BY id LIMIT 500")))
    return accounts, ids, changed_export


def _during_load(url: str, instance: Path, changed_export: Path, seconds: float, events: list) -> None:
    """A directory import at a third of the run, an index rebuild at two thirds."""
    env = environment(_config(url) | {"SEARCH_INDEX_DIR": str(instance / "search-index")}, instance)
    helpdesk = str(Path(sys.executable).parent / "helpdesk")
    for at, args in (
        (seconds / 3, ["directory", "import", str(changed_export), "--quiet", "--json"]),
        (2 * seconds / 3, ["index", "rebuild", "--quiet"]),
    ):
        time.sleep(max(0.0, at - (time.monotonic() - events[0]["started"])))
        started = time.monotonic()
        result = subprocess.run(
            [helpdesk, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,  # nosec B603
            text=True,
            check=False,
        )
        events.append(
            {
                "command": " ".join(args[:2]),
                "exit": result.returncode,
                "seconds": round(time.monotonic() - started, 1),
                "output": (result.stdout.strip() or result.stderr.strip())[-300:],
            }
        )


def _stats(prefix: Path) -> dict:
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    per_route = {}
    for row in rows:
        per_route[f"{row['Type']} {row['Name']}".strip()] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
        }
    return per_route


def _database_counts(url: str) -> dict:
    engine = create_engine(url)
    queries = {
        "requests": "SELECT count(*) FROM help_requests WHERE question LIKE '%(load)%'",
        "leads": "SELECT count(*) FROM leads WHERE note = 'load'",
        "transfers": "SELECT count(*) FROM transfers WHERE note = 'load' AND kind = 'transfer'",
        "closed": "SELECT count(*) FROM help_requests WHERE question LIKE '%(load)%' AND status = 'closed'",
        "notes": "SELECT count(*) FROM organisation_notes WHERE text LIKE '%(load)'",
        "duplicate_references": "SELECT count(*) - count(DISTINCT reference) FROM help_requests",
    }
    counts = {}
    with engine.connect() as conn:
        for name, sql in queries.items():
            try:
                counts[name] = conn.execute(text(sql)).scalar_one()
            except Exception as error:  # noqa: BLE001 - a table the app does not have yet
                conn.rollback()
                counts[name] = f"n/a ({type(error).__name__})"
    engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locust", default=str(ROOT / ".venv-load" / "bin" / "locust"))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--port", type=int, default=5016)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    schema = "load_" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]
    admin = create_engine(args.database_url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(args.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url = url.render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="helpdesk-load-") as tmp:
        instance = Path(tmp)
        accounts, org_ids, changed_export = _prepare(url, instance, args.users, args.organisations)
        server = Gunicorn(
            _config(url) | {"SEARCH_INDEX_DIR": str(instance / "search-index")},
            instance,
            workers=args.workers,
            port=args.port,
        )
        events: list = [{"started": time.monotonic()}]
        side = threading.Thread(
            target=_during_load, args=(url, instance, changed_export, args.seconds, events)
        )
        try:
            side.start()
            env = dict(
                os.environ,
                LOAD_ACCOUNTS=json.dumps(accounts),
                LOAD_TALLY_DIR=str(instance),
                LOAD_ORGANISATION_IDS=json.dumps(org_ids),
            )
            prefix = instance / "locust"
            subprocess.run(
                [
                    args.locust,
                    "-f",
                    str(ROOT / "bench" / "load" / "locustfile.py"),
                    "--headless",  # nosec
                    "-u",
                    str(args.users),
                    "-r",
                    "10",
                    "-t",
                    f"{args.seconds}s",
                    "--host",
                    server.url,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--stop-timeout",
                    "10",
                ],
                env=env,
                cwd=ROOT,
                check=False,
                timeout=args.seconds + 180,
            )
            side.join()
        finally:
            server.stop()
        log = server.log_text()
        Path(tempfile.gettempdir(), "helpdesk-load-server.log").write_text(log)
        stats = _stats(prefix)
        tally: Counter = Counter()
        for path in instance.glob("tally-*.json"):
            tally.update(json.loads(path.read_text()))
    counts = _database_counts(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()

    aggregated = stats.pop("Aggregated", {})
    slow = {
        name: s["p95_ms"]
        for name, s in stats.items()
        if s["p95_ms"] > TARGET_P95_MS and "/auth/login" not in name
    }
    mismatches = {
        k: (counts.get(k), tally.get(k, 0))
        for k in ("requests", "leads", "transfers", "closed", "notes")
        if counts.get(k) != tally.get(k, 0)
    }
    figures = {
        "seconds": args.seconds,
        "users": args.users,
        "workers": args.workers,
        "organisations": args.organisations,
        "requests": aggregated.get("requests"),
        "failures": aggregated.get("failures"),
        "p95_ms_all": aggregated.get("p95_ms"),
        "median_ms_all": aggregated.get("median_ms"),
        "per_route": stats,
        "acknowledged_writes": dict(tally),
        "database_counts": counts,
        "during_load": events[1:],
        "server_errors_in_log": log.count("Traceback"),
        "routes_over_p95_target": slow,
        "lost_or_duplicated": mismatches,
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"server log: {Path(tempfile.gettempdir(), 'helpdesk-load-server.log')}")
    held = (
        not aggregated.get("failures")
        and not slow
        and not mismatches
        and all(e["exit"] == 0 for e in events[1:])
    )
    print(
        f"load: {figures['requests']} requests in {args.seconds} s by {args.users} operators, "
        f"{figures['failures']} failures, p95 {figures['p95_ms_all']} ms; "
        f"{'held' if held else 'NOT held'}"
    )
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
