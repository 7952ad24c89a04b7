"""What the report benches share: the generator of requests, the databases to run on (SQLite in a temporary
folder, PostgreSQL in a schema of its own), the app over one of them, and timing a report cold (the app's
report cache emptied first, so each run counts the figures anew) or warm (answered from the cache).

Used by ``bench_report.py``, ``bench_reports_year.py`` and ``bench_report_pdf.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
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
from helpdesk.reports.cache import EXTENSION  # noqa: E402
from helpdesk.vocabularies import Channel, LeadOutcome, UnmetReason  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

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


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """``--postgres URL``, ``--skip-sqlite``, ``--skip-postgres``."""
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")


def _reset_schema(postgres: str, schema: str, *, create: bool = True) -> None:
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if create:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()


def databases(args: argparse.Namespace, schema: str, prefix: str) -> list[tuple[str, str]]:
    """(label, URL) of each database asked for: a new SQLite file, a new PostgreSQL schema (dropped and
    created again on each run)."""
    targets = []
    if not args.skip_sqlite:
        path = Path(tempfile.mkdtemp(prefix=prefix)) / "bench.sqlite"
        targets.append(("SQLite", f"sqlite:///{path}"))
    if not args.skip_postgres:
        _reset_schema(args.postgres, schema)
        url = make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        targets.append(("PostgreSQL", url.render_as_string(hide_password=False)))
    return targets


def drop_schema(args: argparse.Namespace, schema: str) -> None:
    if not args.skip_postgres:
        _reset_schema(args.postgres, schema, create=False)


def fill(url: str, label: str, count: int) -> None:
    """``generate`` ``count`` requests into the database at ``url``, and say how long it took."""
    engine = create_engine(url)
    t0 = time.perf_counter()
    generate(engine, count)
    engine.dispose()
    print(f"{label:10} generated {count} requests over two years in {time.perf_counter() - t0:.1f}s")


def report_app(url: str, prefix: str) -> Flask:
    os.environ.setdefault("HELPDESK_INSTANCE_PATH", tempfile.mkdtemp(prefix=prefix))
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})


def cold(app: Flask) -> None:
    """Empty the app's report cache: the next report counts its figures anew."""
    app.extensions[EXTENSION].clear()


def best_of(runs: int, call: Callable[[], object], before: Callable[[], None] | None = None) -> float:
    """The shortest of ``runs`` calls, in seconds; ``before`` runs untimed ahead of each (``cold``)."""
    best = 1e9
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - t0)
    return best


def each_database(args: argparse.Namespace, schema: str, prefix: str) -> Iterator[tuple[str, str]]:
    """Fill each database asked for with ``args.requests`` requests and yield (label, URL); the PostgreSQL
    schema is dropped at the end."""
    for label, url in databases(args, schema, prefix):
        fill(url, label, args.requests)
        yield label, url
    drop_schema(args, schema)
