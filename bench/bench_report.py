"""Time the monthly report for all territories over 100,000 requests spread across two years.

Usage: .venv/bin/python bench/bench_report.py [--requests 100000] [--postgres URL] [--skip-sqlite]
       [--skip-postgres]
Prints the generation time, then the time of the report (queries + tables + each format) per database,
each format cold (the report cache emptied before each run: the figures counted anew), then the page's
second view (warm: from the cache). PostgreSQL uses its own schema (bench_reports), dropped at the end.
The generator and the databases are ``bench/reports_common.py``'s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reports_common import add_database_arguments, best_of, cold, each_database, report_app  # noqa: E402

SCHEMA = "bench_reports"


def time_report(url: str, label: str, runs: int = 3) -> None:
    from zoneinfo import ZoneInfo

    from helpdesk.db import get_session
    from helpdesk.reports.documents import render
    from helpdesk.reports.periods import Month
    from helpdesk.reports.queries import monthly_figures
    from helpdesk.reports.report import build_report

    app = report_app(url, "bench-report-")
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
                best[fmt] = best_of(
                    runs,
                    lambda fmt=fmt, public=public: render(session, month, "all", fmt, "fr", public),
                    before=lambda: cold(app),
                )
            warm = best_of(runs, lambda public=public: render(session, month, "all", "html", "fr", public))
            mode = "public" if public else "internal"
            print(
                f"{label:10} {mode:8} received={figures.received} queries {best['queries']:.3f}s, "
                f"tables {best['tables']:.3f}s; whole report as json {best['json']:.3f}s, "
                f"csv {best['csv']:.3f}s, "
                f"xlsx {best['xlsx']:.3f}s, html {best['html']:.3f}s; html viewed again {warm:.3f}s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    add_database_arguments(parser)
    args = parser.parse_args()
    for label, url in each_database(args, SCHEMA, "bench-report-"):
        time_report(url, label)


if __name__ == "__main__":
    main()
