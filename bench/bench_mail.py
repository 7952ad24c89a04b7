"""Time one sender delivering 1,000 queued messages to a local SMTP server (aiosmtpd on loopback).

Usage: .venv/bin/python bench/bench_mail.py [--messages 1000] [--postgres URL] [--batch 50]
Prints the time to queue the messages (one transaction) and the time to send them all (goal: < 30 s), per
database. PostgreSQL uses its own schema (bench_mail), dropped and recreated on each run.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import helpdesk.models  # noqa: E402,F401
from directory_import.models import Base  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.db import get_session  # noqa: E402
from helpdesk.mail.models import OutboxMessage  # noqa: E402
from helpdesk.mail.outbox import queue_mail  # noqa: E402
from helpdesk.mail.sender import send_due  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(url: str, messages: int, batch: int, label: str) -> float:
    handler = Counter()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    tmp = tempfile.mkdtemp()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "SEARCH_INDEX_DIR": str(Path(tmp) / "index"),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_FROM": "helpdesk@example.org",
            "MAIL_BATCH_SIZE": batch,
        }
    )
    try:
        with app.app_context():
            engine = get_session().get_bind()
            Base.metadata.create_all(engine)
            started = time.perf_counter()
            db = get_session()
            for n in range(messages):
                queue_mail(
                    db,
                    kind="bench",
                    to=f"pro{n}@example.org",
                    to_name=f"Professionnel·le {n}",
                    subject=f"[SUD-2026-{n:05d}] Orientation du helpdesk Sud",
                    text="Bonjour,\n\nVoici les services trouvés.\n" * 20,
                    html="<p>Bonjour,</p><p>Voici les services trouvés.</p>" * 20,
                    language="fr",
                )
            db.commit()
            queued = time.perf_counter() - started
        started = time.perf_counter()
        report = send_due(app, "bench-sender")
        elapsed = time.perf_counter() - started
        with app.app_context():
            sent = get_session().scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "sent")
            )
        assert report.sent == messages == sent == handler.count, (report, sent, handler.count)
        print(
            f"{label}: queued {messages} in {queued:.2f} s; sent {report.sent} in {elapsed:.2f} s "
            f"({messages / elapsed:.0f} messages/s, batches of {batch})"
        )
        return elapsed
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument(
        "--postgres", default="", help="postgresql+psycopg://... (a schema bench_mail is used)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", args.messages, args.batch, "SQLite")
    if args.postgres:
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS bench_mail CASCADE"))
            conn.execute(text("CREATE SCHEMA bench_mail"))
        admin.dispose()
        url = make_url(args.postgres).update_query_dict({"options": "-csearch_path=bench_mail"})
        run(url.render_as_string(hide_password=False), args.messages, args.batch, "PostgreSQL")


if __name__ == "__main__":
    main()
