"""Search bench: this index against SQLite FTS5 on the same generated directory, and the page under load.

For each size (5,000 and 50,000 organisations by default) it generates the directory of the quality
suite (``tests/search_corpus.py``), stores it in SQLite, then measures side by side:

- build time and size on disk: ``search_index.rebuild`` vs an FTS5 table (unicode61, remove_diacritics 2);
- query latency p50/p95 over the quality queries (in-process, warm, each query run ``--repeat`` times);
  the index answers with total, facets and highlights, FTS5 with its top 5 and a count;
- recall@5 and MRR on the quality queries;
- the catch-up of a machine's index from the database: the check a search makes when nothing changed
  (just after the directory was imported, so every row was stamped within the catch-up margin), and the
  re-indexing of 100 organisations changed elsewhere (one by one: 100 stamps), beside the full rebuild.

Then it serves the smaller directory with gunicorn on a loopback port and has ``--users`` concurrent users
load the search page for ``--seconds``, pausing about ``--think`` s between searches as a person does,
then again with no pause at all (a stress figure): page latency p50/p95.

Usage: python bench/bench_search.py [--sizes 5000 50000] [--users 20] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import helpdesk.models  # noqa: E402,F401  (every table)
from directory_import.models import Base, Organisation, utcnow  # noqa: E402
from search_index import SearchIndex, catch_up, rebuild, search  # noqa: E402
from search_index.analysis import words  # noqa: E402
from tests.search_corpus import generate, load_queries  # noqa: E402

TARGETS = {5000: 30.0, 50000: 100.0}  # in-process p95, ms
PAGE_TARGET_MS = 150.0
REBUILD_TARGET_S = 10.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def load_database(url: str, records: list[dict]) -> dict[int, str]:
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    stamp = utcnow()  # one time for every row, as an import stamps them
    with Session(engine) as session:
        for start in range(0, len(records), 2000):
            session.add_all(
                Organisation(source="bench", created_at=stamp, updated_at=stamp, **r)
                for r in records[start : start + 2000]
            )
            session.commit()
        ids = {o.id: o.source_id for o in session.query(Organisation)}
    engine.dispose()
    return ids


def build_fts(db_path: Path, records: list[dict]) -> tuple[float, int]:
    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(source_id UNINDEXED, name_fr, name_nl, acronym, "
        "description_fr, description_nl, tags, place, tokenize='unicode61 remove_diacritics 2')"
    )
    rows = []
    for r in records:
        tags = " ".join(
            [c.get("label_fr", "") + " " + c.get("label_nl", "") for c in r["categories"]]
            + [p.get("fr", "") + " " + p.get("nl", "") for p in r["publics"]]
        )
        place = f"{r['postcode']} {r['commune_fr']} {r['commune_nl']}"
        rows.append(
            (
                r["source_id"],
                r["name_fr"],
                r["name_nl"],
                r["acronym"],
                r["description_fr"],
                r["description_nl"],
                tags,
                place,
            )
        )
    conn.executemany("INSERT INTO fts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - started, db_path.stat().st_size


def fts_query(text: str, prefix_last: bool = True) -> str:
    tokens = words(text)
    if not tokens:
        return ""
    parts = [f'"{t}"' for t in tokens]
    if prefix_last and not text.endswith(" "):
        parts[-1] += "*"
    return " ".join(parts)


def fts_search(conn: sqlite3.Connection, text: str) -> list[str]:
    match = fts_query(text)
    if not match:
        return []
    rows = conn.execute(
        "SELECT source_id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 0, 4, 4, 6, 1, 1, 2, 1.5) LIMIT 5",
        (match,),
    ).fetchall()
    conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,)).fetchone()
    return [r[0] for r in rows]


def quality(results: dict[str, list[str]], queries: list[dict]) -> tuple[float, float]:
    recalls, ranks = [], []
    for q in queries:
        top = results[q["q"]][:5]
        expected = set(q["expect"])
        recalls.append(len(expected & set(top)) / len(expected))
        ranks.append(next((1 / (i + 1) for i, s in enumerate(top) if s in expected), 0.0))
    return sum(recalls) / len(recalls), sum(ranks) / len(ranks)


def bench_size(n: int, repeat: int, workdir: Path) -> dict:
    records = generate(n)
    queries = load_queries()
    db_path = workdir / f"directory-{n}.sqlite"
    url = f"sqlite:///{db_path}"
    ids = load_database(url, records)

    engine = create_engine(url)
    index = SearchIndex(workdir / f"index-{n}")
    with Session(engine) as session:
        started = time.perf_counter()
        rebuild(index, session)
        build_s = time.perf_counter() - started
    engine.dispose()
    index_bytes = folder_size(index.generation_path())

    fts_path = workdir / f"fts-{n}.sqlite"
    fts_build_s, fts_bytes = build_fts(fts_path, records)

    ours: dict[str, list[str]] = {}
    ours_ms: list[float] = []
    for q in queries:  # warm-up: vocabulary and caches of the searcher
        search(index, q["q"], limit=5)
    for _ in range(repeat):
        for q in queries:
            started = time.perf_counter()
            result = search(index, q["q"], limit=5)
            ours_ms.append((time.perf_counter() - started) * 1000)
            ours[q["q"]] = [ids[h.id] for h in result.hits]

    conn = sqlite3.connect(fts_path)
    theirs: dict[str, list[str]] = {}
    theirs_ms: list[float] = []
    for q in queries:
        fts_search(conn, q["q"])
    for _ in range(repeat):
        for q in queries:
            started = time.perf_counter()
            theirs[q["q"]] = fts_search(conn, q["q"])
            theirs_ms.append((time.perf_counter() - started) * 1000)
    conn.close()

    ours_recall, ours_mrr = quality(ours, queries)
    fts_recall, fts_mrr = quality(theirs, queries)
    catch_up_figures = bench_catch_up(url, index, changed=100)
    return {
        "size": n,
        "whoosh": {
            "build_s": build_s,
            "bytes": index_bytes,
            "p50_ms": percentile(ours_ms, 50),
            "p95_ms": percentile(ours_ms, 95),
            "recall_at_5": ours_recall,
            "mrr": ours_mrr,
        },
        "fts5": {
            "build_s": fts_build_s,
            "bytes": fts_bytes,
            "p50_ms": percentile(theirs_ms, 50),
            "p95_ms": percentile(theirs_ms, 95),
            "recall_at_5": fts_recall,
            "mrr": fts_mrr,
        },
        "catch_up": catch_up_figures,
        "db_url": url,
        "index_dir": str(index.path),
    }


def bench_catch_up(url: str, index: SearchIndex, changed: int) -> dict:
    """Median of 5 catch-ups finding nothing to do, then one catching up with ``changed`` rows."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            catch_up(index, session)
            idle_ms = []
            for _ in range(5):
                started = time.perf_counter()
                assert catch_up(index, session) == 0
                idle_ms.append((time.perf_counter() - started) * 1000)
            ids = list(session.scalars(select(Organisation.id).order_by(Organisation.id).limit(changed)))
            for org_id in ids:  # as 100 edits made on another machine
                session.execute(
                    update(Organisation).where(Organisation.id == org_id).values(updated_at=utcnow())
                )
            session.commit()
            started = time.perf_counter()
            count = catch_up(index, session)
            changed_ms = (time.perf_counter() - started) * 1000
    finally:
        engine.dispose()
    return {"idle_ms": statistics.median(idle_ms), "changed": count, "changed_ms": changed_ms}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_page(
    db_url: str, index_dir: str, users: int, seconds: float, workers: int, workdir: Path, think: float = 0.0
) -> dict:
    """Users load the search page for ``seconds``; each pauses about ``think`` s between searches (0: none)."""
    port = free_port()
    env = dict(
        os.environ,
        HELPDESK_DATABASE_URL=db_url,
        HELPDESK_SEARCH_INDEX_DIR=index_dir,
        HELPDESK_DIRECTORY_PUBLIC="true",
        HELPDESK_SECRET_KEY="bench-secret",
        HELPDESK_INSTANCE_PATH=str(workdir / "instance"),
        HELPDESK_SESSION_COOKIE_SECURE="false",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "helpdesk:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError(
                        "the app did not start: " + server.stderr.read().decode()[-2000:]
                    ) from None
                time.sleep(0.2)
        texts = [q["q"] for q in load_queries()]
        for text in texts[:20]:  # warm every worker a little
            urllib.request.urlopen(f"{base}/directory/?" + urllib.parse.urlencode({"q": text})).read()
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds

        def user(seed: int) -> None:
            rng = random.Random(seed)
            while time.perf_counter() < stop_at:
                url = f"{base}/directory/?" + urllib.parse.urlencode({"q": rng.choice(texts)})
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:
                        response.read()
                        ok = response.status == 200
                except OSError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors[0] += 0 if ok else 1
                if think:
                    time.sleep(rng.uniform(think / 2, think * 1.5))

        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(10)
    return {
        "users": users,
        "seconds": seconds,
        "workers": workers,
        "think_s": think,
        "requests": len(latencies),
        "errors": errors[0],
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "throughput_rps": len(latencies) / seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause of a user between two searches, in seconds (the page is also loaded "
        "with no pause at all, as a stress figure)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        rows = []
        for n in args.sizes:
            print(f"… {n} organisations", flush=True)
            rows.append(bench_size(n, args.repeat, workdir))
        print()
        print("| organisations | engine | build (s) | size (MB) | p50 (ms) | p95 (ms) | recall@5 | MRR |")
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in rows:
            for engine in ("whoosh", "fts5"):
                r = row[engine]
                name = "search_index (Whoosh)" if engine == "whoosh" else "SQLite FTS5"
                print(
                    f"| {row['size']:,} | {name} | {r['build_s']:.1f} | {r['bytes'] / 1e6:.1f} | "
                    f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['recall_at_5']:.3f} | {r['mrr']:.3f} |"
                )
        print()
        print(
            "| organisations | catch-up check, nothing changed (ms) | catch-up of 100 changed (ms) | "
            "full rebuild (s) |"
        )
        print("| ---: | ---: | ---: | ---: |")
        for row in rows:
            c = row["catch_up"]
            print(
                f"| {row['size']:,} | {c['idle_ms']:.1f} | {c['changed_ms']:.0f} | {row['whoosh']['build_s']:.1f} |"
            )
        smallest = rows[0]
        pages = [
            bench_page(
                smallest["db_url"],
                smallest["index_dir"],
                args.users,
                args.seconds,
                args.workers,
                workdir,
                think,
            )
            for think in (args.think, 0.0)
        ]
        print()
        for page in pages:
            pacing = (
                f"a pause of about {page['think_s']:.1f} s between searches"
                if page["think_s"]
                else ("no pause at all (stress)")
            )
            print(
                f"search page, {smallest['size']:,} organisations, {page['users']} concurrent users with "
                f"{pacing}, {page['seconds']:.0f} s (gunicorn, {page['workers']} workers x 4 threads, loopback): "
                f"{page['requests']} requests, {page['errors']} errors, p50 {page['p50_ms']:.0f} ms, "
                f"p95 {page['p95_ms']:.0f} ms, {page['throughput_rps']:.0f} req/s"
            )
        page = pages[0]
        print()
        for row in rows:
            target = TARGETS.get(row["size"])
            if target:
                verdict = "ok" if row["whoosh"]["p95_ms"] < target else "MISSED"
                print(f"target p95 < {target:.0f} ms at {row['size']:,}: {verdict}")
            if row["size"] == 5000:
                verdict = "ok" if row["whoosh"]["build_s"] < REBUILD_TARGET_S else "MISSED"
                print(f"target rebuild of 5,000 < {REBUILD_TARGET_S:.0f} s: {verdict}")
        print(
            f"target page p95 < {PAGE_TARGET_MS:.0f} ms with 20 users pausing {args.think:.1f} s: "
            f"{'ok' if page['p95_ms'] < PAGE_TARGET_MS else 'MISSED'}; with no pause at all: "
            f"{'ok' if pages[1]['p95_ms'] < PAGE_TARGET_MS else 'MISSED'}"
        )
        if args.json:
            print(json.dumps({"sizes": rows, "pages": pages}, indent=1))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
