"""Helpdesk pages under load: the pages an operator opens all day, timed on a database holding many requests.

Builds N requests (default 5,000) spread over the basins, with leads, callbacks and transfers to the region,
then times through the Flask test client (no network): recording a request at intake, the home page (the
operator's day, with the navigation's counts), the request page, the to-do list, the queue, and the API list;
median and worst of 30 runs each. Target: under 300 ms each.
SQLite in a temporary folder by default; ``--database-url postgresql+psycopg://...`` measures PostgreSQL
(in a new schema, dropped at the end).

Usage: python bench/bench_helpdesk.py [--requests 5000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import helpdesk.models  # noqa: E402,F401  (every table in the metadata)
from directory_import.models import Base, Organisation  # noqa: E402
from directory_import.territory import BASINS  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.auth import operations as accounts  # noqa: E402
from helpdesk.db import get_engine, get_session, make_engine  # noqa: E402
from helpdesk.followup import operations as ops  # noqa: E402
from helpdesk.followup.themes import SECTOR_THEMES, seed_themes  # noqa: E402

PASSWORD = "bench password 2026"
RUNS = 30


def fresh_url(base_url: str, folder: Path) -> str:
    if not base_url:
        return f"sqlite:///{folder / 'bench-helpdesk.sqlite'}"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = make_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return (
        make_url(base_url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def schema_of(url: str) -> str:
    return make_url(url).query["options"].split("search_path=", 1)[1]


def drop_bench_database(app, base_url: str, url: str) -> None:
    """Close the app's connections and, on a server, drop the bench's schema: the server left as found."""
    with app.app_context():
        get_engine().dispose()
    if base_url:
        engine = make_engine(base_url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema_of(url)}" CASCADE'))
        engine.dispose()


def populate(app, count: int) -> tuple[int, str]:
    """``count`` requests; returns the id of one held by Sud and the e-mail of the Sud operator."""
    codes = [code for code, *_ in SECTOR_THEMES]
    with app.app_context():
        db = get_session()
        seed_themes(db)
        users = {
            b: accounts.create_user(
                db,
                app.extensions["passwords"],
                email=f"op.{b}@bench.example",
                password=PASSWORD,
                role="operator",
                territory=b,
            )
            for b in BASINS
        }
        orgs = [Organisation(source="bench", source_id=str(i), name_fr=f"Service {i}") for i in range(200)]
        db.add_all(orgs)
        db.flush()
        now = datetime.now(UTC)
        sud_id = 0
        for i in range(count):
            basin = BASINS[i % len(BASINS)]
            record = ops.IntakeRecord(
                territory=basin,
                caller=ops.CallerRecord(name=f"AS {i}", phone="02 555 12 34"),
                themes=[codes[i % 16], codes[(i * 7) % 16]],
                residence_postcode="1060",
                question=f"Question {i}: recherche d'un service adapté.",
            )
            req = ops.create_request(db, users[basin], record, now=now - timedelta(hours=i % 2000))
            ops.add_lead(db, users[basin], req, orgs[i % 200].id)
            if i % 3 == 0:
                ops.add_callback(db, users[basin], req, due_at=now + timedelta(hours=(i % 96) - 48))
            if i % 7 == 0:
                ops.transfer_request(db, users[basin], req, to="region", note="Bench", expected_version=None)
            elif basin == "sud":
                sud_id = req.id
            if i % 500 == 499:
                db.commit()
        db.commit()
    return sud_id, users["sud"].email


def timed(call) -> tuple[float, float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), response.status_code
    return statistics.median(times), max(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HELPDESK_INSTANCE_PATH"] = tmp
        url = fresh_url(args.database_url, Path(tmp))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "DATABASE_URL": url,
                "SESSION_COOKIE_SECURE": False,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 8,
                "ARGON2_PARALLELISM": 1,
                "SEARCH_INDEX_DIR": str(Path(tmp) / "index"),
            }
        )
        with app.app_context():
            Base.metadata.create_all(get_engine())
        start = time.perf_counter()
        sud_id, email = populate(app, args.requests)
        print(
            f"{args.requests} requests built in {time.perf_counter() - start:.1f} s "
            f"({'PostgreSQL' if args.database_url else 'SQLite'})"
        )
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        page = client.get("/").get_data(as_text=True)  # a fresh session at login: a fresh CSRF token
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        intake = {
            "csrf_token": token,
            "channel": "phone",
            "territory": "sud",
            "urgency": "normal",
            "caller_name": "Marie",
            "residence": "1060",
            "themes": ["housing"],
            "question": "Bench",
        }
        rows = [
            ("intake (POST, new reference)", lambda: client.post("/requests/new", data=intake)),
            ("home page (the day, nav counts)", lambda: client.get("/")),
            ("request page", lambda: client.get(f"/requests/{sud_id}")),
            ("to-do list", lambda: client.get("/requests/todo")),
            ("queue and list", lambda: client.get("/requests/")),
            ("API list (50)", lambda: client.get("/api/v1/requests?status=new")),
        ]
        for label, call in rows:
            median, worst = timed(call)
            flag = "ok" if median < 300 else "SLOW"
            print(f"  {label:32} median {median:7.1f} ms   worst {worst:7.1f} ms   {flag}")
        drop_bench_database(app, args.database_url, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
