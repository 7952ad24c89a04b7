"""Suggestions for a request, timed at size: 5,000 organisations (the project's sample directory in the
social.brussels shape, imported as ``make run`` does) and 100,000 past leads with their outcomes over the
last 200 days, on SQLite in a temporary folder (``--database-url`` for PostgreSQL, in a schema dropped at
the end).

Times ``suggest_for_request`` in-process (the operation the request page and the API call) over varied
requests (themes, situation, languages, postcode, question), and the API route through the Flask test
client; prints p50 and p95. Goal: p95 under 100 ms.

Usage: python bench/bench_suggestions.py [--organisations 5000] [--leads 100000] [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

import helpdesk.models  # noqa: E402,F401  (every table in the metadata)
from bench.bench_helpdesk import drop_bench_database, fresh_url  # noqa: E402
from directory_import.models import Base, Organisation  # noqa: E402
from directory_import.sample import write_sample  # noqa: E402
from directory_import.territory import LOCALITIES  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.auth import operations as accounts  # noqa: E402
from helpdesk.db import get_engine, get_session  # noqa: E402
from helpdesk.directory.search import rebuild_index  # noqa: E402
from helpdesk.followup import operations as ops  # noqa: E402
from helpdesk.followup.models import HelpRequest, Lead, RequestTheme  # noqa: E402
from helpdesk.followup.themes import SECTOR_THEMES, seed_themes  # noqa: E402
from helpdesk.orientation.profiles import EXTENSION  # noqa: E402
from helpdesk.orientation.suggestions import suggest_for_request  # noqa: E402
from helpdesk.vocabularies import LeadOutcome, SituationFlag  # noqa: E402

PASSWORD = "bench password 2026"
QUESTIONS = [
    "Un homme à la rue cherche un abri pour la nuit.",
    "Idées noires depuis la perte de son emploi, cherche un suivi psychologique.",
    "Consomme de l'héroïne, cherche un traitement de substitution.",
    "Plus rien à manger à la fin du mois.",
    "Jeune femme enceinte, parle espagnol.",
    "Dame âgée seule, besoin d'aide à domicile.",
    "Sans titre de séjour, cherche une information juridique.",
    "Victime de violences conjugales, doit partir ce soir.",
    "Zoekt psychologische begeleiding voor zijn depressie.",
    "Zoekt een slaapplaats voor vannacht.",
    "maison médicale",
    "Aide pour ses démarches administratives et ses dettes.",
]
LANGUAGES = [["fr"], ["nl"], ["ar"], ["tr", "fr"], ["es"], ["ro"], ["pt"], ["en", "fr"]]


def past_leads(app, count: int, rnd: random.Random) -> None:
    """``count`` leads spread over past requests (4 a request), outcomes of all kinds, last 200 days."""
    codes = [code for code, *_ in SECTOR_THEMES]
    outcomes = [o.value for o in LeadOutcome]
    now = datetime.now(UTC)
    with app.app_context():
        db = get_session()
        org_ids = list(db.scalars(select(Organisation.id)))
        requests = count // 4
        start = (db.scalar(select(HelpRequest.id).order_by(HelpRequest.id.desc()).limit(1)) or 0) + 1
        for first in range(0, requests, 5000):
            batch = range(first, min(first + 5000, requests))
            at = [now - timedelta(days=rnd.random() * 200) for _ in batch]
            db.execute(
                insert(HelpRequest),
                [
                    {
                        "id": start + i,
                        "reference": f"BENCH-{i:06d}",
                        "territory": "sud",
                        "received_territory": "sud",
                        "status": "closed",
                        "created_at": at[n],
                        "updated_at": at[n],
                    }
                    for n, i in enumerate(batch)
                ],
            )
            db.execute(
                insert(RequestTheme),
                [{"request_id": start + i, "theme_code": codes[i % len(codes)]} for i in batch],
            )
            db.execute(
                insert(Lead),
                [
                    {
                        "request_id": start + i,
                        "organisation_id": rnd.choice(org_ids),
                        "outcome": rnd.choice(outcomes),
                        "created_at": at[n],
                        "updated_at": at[n] + timedelta(days=rnd.random() * 5),
                    }
                    for n, i in enumerate(batch)
                    for _ in range(4)
                ],
            )
            db.commit()
        if db.get_bind().dialect.name == "postgresql":
            # Rows inserted with their ids: the sequences move past them, for the requests made next.
            for table in ("help_requests", "leads"):
                db.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}")
                )
            db.commit()


def requests_to_time(app, count: int, rnd: random.Random) -> tuple[list[int], str]:
    codes = [code for code, *_ in SECTOR_THEMES]
    with app.app_context():
        db = get_session()
        user = accounts.create_user(
            db,
            app.extensions["passwords"],
            email="op.sud@bench.example",
            password=PASSWORD,
            role="operator",
            territory="region",
        )
        ids = []
        for i in range(count):
            record = ops.IntakeRecord(
                territory="region",
                caller=ops.CallerRecord(name=f"AS {i}", phone="02 555 12 34"),
                themes=rnd.sample(codes, rnd.choice([0, 1, 1, 2])),
                situation_flags=rnd.sample(SituationFlag.codes(), rnd.choice([0, 0, 1, 2])),
                languages=rnd.choice(LANGUAGES),
                residence_postcode=rnd.choice(sorted(LOCALITIES)),
                age_band=rnd.choice(["18-24", "25-44", "45-64", "80+", ""]),
                question=rnd.choice(QUESTIONS),
            )
            ids.append(ops.create_request(db, user, record).id)
        db.commit()
    return ids, user.email


def sample_directory_app(folder: Path, base_url: str, organisations: int):
    """An app over a new database (SQLite in ``folder``, else a new schema of ``base_url``) holding the
    sample directory in the social.brussels shape at ``organisations``, imported and indexed as ``make run``
    does: (app, its database URL)."""
    url = fresh_url(base_url, folder)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "SESSION_COOKIE_SECURE": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        Base.metadata.create_all(get_engine())
        seed_themes(get_session())
        get_session().commit()
    started = time.perf_counter()
    export = folder / "sample.json"
    write_sample(export, count=organisations, fmt="socialbrussels")
    result = app.test_cli_runner().invoke(args=["directory", "import", str(export), "--quiet"])
    assert result.exit_code == 0, result.output
    rebuild_index(app)
    print(f"{organisations} organisations imported and indexed in {time.perf_counter() - started:.1f} s")
    return app, url


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print where the in-process time goes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    rnd = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HELPDESK_INSTANCE_PATH"] = tmp
        app, url = sample_directory_app(Path(tmp), args.database_url, args.organisations)
        started = time.perf_counter()
        past_leads(app, args.leads, rnd)
        print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{args.leads} past leads written in {time.perf_counter() - started:.1f} s")
        ids, email = requests_to_time(app, args.runs, rnd)

        with app.test_request_context():
            db = get_session()
            first = time.perf_counter()
            suggest_for_request(db, db.get(HelpRequest, ids[0]))  # reads the directory's profiles once
            print(f"first call (profiles read): {(time.perf_counter() - first) * 1000:.0f} ms")
            times, counts = [], []
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            remembered = app.extensions[EXTENSION].directory.question_hits
            reloads = []
            for request_id in ids:
                req = db.get(HelpRequest, request_id)
                remembered.clear()  # a question never searched before
                start = time.perf_counter()
                found = suggest_for_request(db, req, limit=10)
                times.append((time.perf_counter() - start) * 1000)
                counts.append(len(found))
                start = time.perf_counter()
                suggest_for_request(db, req, limit=10)  # the page shown again after an action
                reloads.append((time.perf_counter() - start) * 1000)
            if profiler is not None:
                import pstats

                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        p50, p95 = percentiles(times)
        flag = "ok" if p95 < 100 else "SLOW"
        print(
            f"  suggest_for_request, new question ({len(times)} requests)  p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
            f"{flag}   ({statistics.mean(counts):.1f} suggestions each)"
        )
        p50, p95 = percentiles(reloads)
        print(f"  suggest_for_request, page shown again                p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")

        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        times = []
        for request_id in ids:
            app.extensions[EXTENSION].directory.question_hits.clear()
            start = time.perf_counter()
            response = client.get(f"/api/v1/requests/{request_id}/suggestions?limit=10")
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        p50, p95 = percentiles(times)
        print(
            f"  GET /api/v1/requests/<id>/suggestions ({len(times)})          p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
        )
        drop_bench_database(app, args.database_url, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
