"""Time the monthly report for all territories over 100,000 requests spread across two years.

Usage: .venv/bin/python bench/bench_report.py [--requests 100000] [--postgres URL] [--skip-sqlite]
Prints the generation time, then the time of the report (queries + tables + each format) per database.
PostgreSQL uses its own schema (bench_reports), dropped and recreated on each run.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import helpdesk.models  # noqa: E402,F401
from directory_import.models import Base, Organisation  # noqa: E402
from directory_import.territory import BASINS, TERRITORIES  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.followup.models import (  # noqa: E402
    Callback,
    HelpRequest,
    Lead,
    RequestEvent,
    RequestTheme,
    Transfer,
    UnmetNeed,
)
from helpdesk.followup.themes import SECTOR_THEMES  # noqa: E402
from helpdesk.vocabularies import Channel, LeadOutcome, UnmetReason  # noqa: E402

THEMES = [code for code, *_labels in SECTOR_THEMES]
REASONS = list(UnmetReason.codes())
OUTCOMES = list(LeadOutcome.codes())
FUNCTIONS = [
    "Assistant social",
    "Infirmière",
    "Médecin généraliste",
    "Psychologue",
    "Maatschappelijk werker",
    "Éducateur",
    "Coordinateur",
    "Huisarts",
]
SECTORS = ["CPAS", "Maison médicale", "Hôpital", "Mutualité", "OCMW", "Wijkgezondheidscentrum", "Association"]
START = datetime(2024, 11, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
BATCH = 5000


def generate(engine, count: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    span = (END - START).total_seconds()
    with engine.begin() as conn:
        conn.execute(
            insert(Organisation),
            [
                {"source": "bench", "source_id": str(i), "name_fr": f"Service {i}", "name_nl": f"Dienst {i}"}
                for i in range(1, 501)
            ],
        )
    requests, themes, leads, unmet, callbacks, transfers, events = [], [], [], [], [], [], []

    def flush(conn) -> None:
        for table, rows in (
            (HelpRequest, requests),
            (RequestTheme, themes),
            (Lead, leads),
            (UnmetNeed, unmet),
            (Callback, callbacks),
            (Transfer, transfers),
            (RequestEvent, events),
        ):
            if rows:
                conn.execute(insert(table), rows)
                rows.clear()

    with engine.begin() as conn:
        for i in range(1, count + 1):
            created = START + timedelta(seconds=rng.random() * span)
            territory = rng.choice(TERRITORIES)
            closed = created + timedelta(days=rng.expovariate(1 / 12)) if rng.random() < 0.85 else None
            if closed and closed > END:
                closed = None
            answered = created + timedelta(days=rng.expovariate(1 / 1.5))
            requests.append(
                {
                    "id": i,
                    "reference": f"B-{i:07d}",
                    "territory": territory,
                    "received_territory": territory if rng.random() < 0.9 else rng.choice(TERRITORIES),
                    "channel": rng.choice([Channel.PHONE.value, *Channel.codes()]),  # phone twice as often
                    "urgency": "normal",
                    "status": "closed" if closed else "in_progress",
                    "caller_function": rng.choice(FUNCTIONS),
                    "caller_sector": rng.choice(SECTORS),
                    "age_band": rng.choice(["0-17", "18-24", "25-64", "65+", ""]),
                    "languages": rng.sample(["fr", "nl", "ar", "en", "es", "ro", "tr"], rng.randint(0, 2)),
                    "residence_basin": rng.choice(BASINS + ("outside", "")),
                    "situation_flags": rng.sample(
                        ["homeless", "no_income", "undocumented", "isolated"], rng.randint(0, 2)
                    ),
                    "feedback_given": (rng.random() < 0.7) if closed else None,
                    "created_at": created,
                    "updated_at": created,
                    "first_answer_at": answered,
                    "closed_at": closed,
                    "version": 1,
                }
            )
            # The timeline the report reads for reopened requests: 1 closed request in 100 was closed once
            # before, then reopened.
            events.append({"request_id": i, "kind": "created", "at": created, "changes": {}})
            if closed:
                if rng.random() < 0.01:
                    span_closed = closed - created
                    events.append(
                        {
                            "request_id": i,
                            "kind": "closed",
                            "at": created + span_closed / 3,
                            "changes": {"feedback_given": rng.random() < 0.7},
                        }
                    )
                    events.append(
                        {"request_id": i, "kind": "reopened", "at": created + span_closed / 2, "changes": {}}
                    )
                events.append(
                    {
                        "request_id": i,
                        "kind": "closed",
                        "at": closed,
                        "changes": {"feedback_given": requests[-1]["feedback_given"]},
                    }
                )
            for code in rng.sample(THEMES, rng.randint(1, 3)):
                themes.append({"request_id": i, "theme_code": code})
            for _ in range(rng.randint(0, 2)):
                leads.append(
                    {
                        "request_id": i,
                        "organisation_id": rng.randint(1, 500),
                        "outcome": rng.choice(OUTCOMES),
                        "created_at": answered,
                        "updated_at": answered,
                    }
                )
            if rng.random() < 0.3:
                unmet.append(
                    {
                        "request_id": i,
                        "reason": rng.choice(REASONS),
                        "theme_code": rng.choice(THEMES),
                        "created_at": answered,
                    }
                )
            if rng.random() < 0.4:
                due = created + timedelta(days=rng.randint(1, 10))
                callbacks.append(
                    {
                        "request_id": i,
                        "due_at": due,
                        "created_at": created,
                        "done_at": due if rng.random() < 0.8 else None,
                    }
                )
            if rng.random() < 0.1:
                transfers.append(
                    {
                        "request_id": i,
                        "kind": "transfer",
                        "from_territory": territory,
                        "to_territory": rng.choice(TERRITORIES),
                        "at": answered,
                    }
                )
            if i % BATCH == 0:
                flush(conn)
        flush(conn)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def time_report(url: str, label: str, runs: int = 3) -> None:
    from zoneinfo import ZoneInfo

    from helpdesk.db import get_session
    from helpdesk.reports.documents import render
    from helpdesk.reports.periods import Month
    from helpdesk.reports.queries import monthly_figures
    from helpdesk.reports.report import build_report

    os.environ.setdefault("HELPDESK_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-report-"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    month = Month(2026, 10, ZoneInfo(app.config["TIMEZONE"]))
    with app.test_request_context():
        session = get_session()
        for public in (False, True):
            best = {}
            for _ in range(runs):
                t0 = time.perf_counter()
                figures = monthly_figures(session, month, "all")
                t1 = time.perf_counter()
                build_report(session, figures, "fr", public)
                t2 = time.perf_counter()
                best["queries"] = min(best.get("queries", 1e9), t1 - t0)
                best["tables"] = min(best.get("tables", 1e9), t2 - t1)
                for fmt in ("json", "csv", "xlsx", "html"):
                    t3 = time.perf_counter()
                    render(session, month, "all", fmt, "fr", public)
                    best[fmt] = min(best.get(fmt, 1e9), time.perf_counter() - t3)
            mode = "public" if public else "internal"
            print(
                f"{label:10} {mode:8} received={figures.received} queries {best['queries']:.3f}s, "
                f"tables {best['tables']:.3f}s; whole report as json {best['json']:.3f}s, "
                f"csv {best['csv']:.3f}s, "
                f"xlsx {best['xlsx']:.3f}s, html {best['html']:.3f}s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    targets = []
    if not args.skip_sqlite:
        path = Path(tempfile.mkdtemp(prefix="bench-report-")) / "bench.sqlite"
        targets.append(("SQLite", f"sqlite:///{path}"))
    if not args.skip_postgres:
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text('DROP SCHEMA IF EXISTS "bench_reports" CASCADE'))
            conn.execute(text('CREATE SCHEMA "bench_reports"'))
        admin.dispose()
        url = make_url(args.postgres).update_query_dict({"options": "-csearch_path=bench_reports"})
        targets.append(("PostgreSQL", url.render_as_string(hide_password=False)))
    for label, url in targets:
        engine = create_engine(url)
        t0 = time.perf_counter()
        generate(engine, args.requests)
        engine.dispose()
        elapsed = time.perf_counter() - t0
        print(f"{label:10} generated {args.requests} requests over two years in {elapsed:.1f}s")
        time_report(url, label)


if __name__ == "__main__":
    main()
