"""The request page's lead search as you type, timed at size: 5,000 organisations (the project's sample
directory in the social.brussels shape, imported as ``make run`` does) and past leads with their outcomes (the
cards' warnings read them), on SQLite in a temporary folder (``--database-url`` for PostgreSQL, in a schema
dropped at the end).

Times the partial the page fetches at each pause in typing, ``GET /requests/<id>/lead-search?lead_q=...``,
in-process through the Flask test client (access check, chips preset from the request, the search, 50 cards
with their warnings, the template), for the prefixes an operator types ("ab", "abr", "abri", "abri d"...)
over varied requests; prints p50 and p95, with the chips on and lifted. Goal: p95 under 50 ms.

Usage: python bench/bench_lead_search.py [--organisations 5000] [--leads 20000] [--requests 20]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


import helpdesk.models  # noqa: E402,F401  (every table in the metadata)
from bench.bench_helpdesk import drop_bench_database  # noqa: E402
from bench.bench_suggestions import (  # noqa: E402
    PASSWORD,
    past_leads,
    percentiles,
    requests_to_time,
    sample_directory_app,
)

# What operators type in the lead search: names, kinds of service, needs, places, in French and Dutch.
TYPED = [
    "abri de nuit",
    "maison medicale",
    "cpas anderlecht",
    "sante mentale",
    "aide alimentaire",
    "huisarts",
    "ocmw",
    "depression",
    "schuldbemiddeling",
    "planning familial",
    "logement",
    "thuiszorg",
]


def prefixes(words: str) -> list[str]:
    """What the page asks for while ``words`` are typed: every prefix of two characters or more."""
    return [words[:n] for n in range(2, len(words) + 1) if not words[:n].endswith(" ")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20, help="requests whose page is typed on")
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    rnd = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HELPDESK_INSTANCE_PATH"] = tmp
        app, url = sample_directory_app(Path(tmp), args.database_url, args.organisations)
        started = time.perf_counter()
        past_leads(app, args.leads, rnd)
        print(f"{args.leads} past leads written in {time.perf_counter() - started:.1f} s")
        ids, email = requests_to_time(app, args.requests, rnd)

        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        client.get(f"/requests/{ids[0]}/lead-search?lead_q=abri")  # the searcher and the profiles, once
        print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        for label, extra in (("chips preset from the request", ""), ("every chip lifted", "&lift=all")):
            times, cards = [], []
            for n, request_id in enumerate(ids):
                words = TYPED[n % len(TYPED)]
                for typed in prefixes(words):
                    start = time.perf_counter()
                    response = client.get(
                        f"/requests/{request_id}/lead-search?lead_q={quote_plus(typed)}{extra}"
                    )
                    times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.status_code
                    cards.append(response.get_data(as_text=True).count('role="option"'))
            p50, p95 = percentiles(times)
            flag = "ok" if p95 < 50 else "SLOW"
            print(
                f"  GET /requests/<id>/lead-search, {label:30s} ({len(times)} keystrokes)  "
                f"p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {flag}   ({sum(cards) / len(cards):.1f} cards each)"
            )
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        drop_bench_database(app, args.database_url, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
