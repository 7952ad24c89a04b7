"""Time one report's PDF (WeasyPrint) for one territory: a month, a quarter and a year, internal and public.

Usage: .venv/bin/python bench/bench_report_pdf.py [--requests 20000] [--runs 3] [--territory sud]
Fills a fresh SQLite database with reports_common's generator, then prints per period and version the best of
``--runs``: the whole download (queries, tables, charts and the PDF), the PDF layout alone (WeasyPrint on the
report already built) and the size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reports_common import cold, fill, report_app  # noqa: E402

PERIODS = ("2026-10", "2026-Q3", "2025-11..2026-10")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--territory", default="sud")
    args = parser.parse_args()
    from flask_babel import force_locale

    from helpdesk.db import get_session
    from helpdesk.reports.documents import make_report, public_note, render, report_charts, report_title
    from helpdesk.reports.pdf import to_pdf
    from helpdesk.reports.periods import Period

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-pdf-')) / 'bench.sqlite'}"
    fill(url, "SQLite", args.requests)
    app = report_app(url, "bench-pdf-")
    with app.test_request_context():
        session = get_session()
        for text in PERIODS:
            period = Period.parse(text, ZoneInfo(app.config["TIMEZONE"]))
            for public in (False, True):
                whole = layout = 1e9
                for _ in range(args.runs):
                    cold(app)  # the whole download counts the figures anew
                    t1 = time.perf_counter()
                    document = render(session, period, args.territory, "pdf", "fr", public)
                    whole = min(whole, time.perf_counter() - t1)
                    report = make_report(session, period, args.territory, "fr", public)
                    with force_locale("fr"):
                        title, note, charts = report_title(report), public_note(report), report_charts(report)
                        t2 = time.perf_counter()
                        to_pdf(report, title, note, charts)
                        layout = min(layout, time.perf_counter() - t2)
                mode = "public" if public else "internal"
                print(
                    f"{text:17} {args.territory} {mode:8} whole PDF download {whole:.2f}s; "
                    f"WeasyPrint layout alone {layout:.2f}s; {len(document.content) // 1024} KiB"
                )


if __name__ == "__main__":
    main()
