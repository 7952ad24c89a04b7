"""Import speed and memory, on data the bench generates itself (the invented sample directory, scaled up).

Prints, side by side: a first import of 5,000 organisations (target < 5 s), the same export re-imported
unchanged (< 2 s), a first import of 50,000 (< 60 s), and the peak memory of an import as the file grows
(each size in a fresh process, so the figures do not mix). SQLite in a temporary folder by default;
``--database-url postgresql+psycopg://...`` measures PostgreSQL (the tables are created in a new schema).

Usage: python bench/bench_import.py [--sizes 5000,50000] [--memory-sizes 1000,5000,20000,50000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import helpdesk.models  # noqa: E402,F401  (every table in the metadata)
from directory_import.models import Base  # noqa: E402
from directory_import.sample import write_sample  # noqa: E402
from directory_import.sync import import_path  # noqa: E402
from helpdesk.db import make_engine  # noqa: E402

CREATED_SCHEMAS: list[str] = []


def fresh_database(base_url: str, folder: Path) -> str:
    """An empty database with the schema: a new SQLite file, or a new PostgreSQL schema."""
    if not base_url:
        url = f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.sqlite'}"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        CREATED_SCHEMAS.append(schema)
        engine = make_engine(base_url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url = (
            make_url(base_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def timed_import(url: str, path: Path) -> tuple[float, str]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            start = time.perf_counter()
            _run, report = import_path(session, path)
            session.commit()
            return time.perf_counter() - start, report.summary()
    finally:
        engine.dispose()


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child_peak(url: str, path: Path) -> None:
    """In a child process: import ``path``; print the resident memory before and its peak during the import.

    Linux resets the peak (VmHWM) when "5" is written to /proc/self/clear_refs, so start-up (imports of
    Flask, SQLAlchemy...) does not hide what the import itself uses.
    """
    engine = make_engine(url)
    with Session(engine) as session:  # connect and load everything once, outside the measure
        session.execute(text("SELECT 1"))
    engine.dispose()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kib("VmRSS")
    except OSError:
        before = 0
    seconds, _summary = timed_import(url, path)
    peak = _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_mib": before / 1024, "peak_mib": peak / 1024, "seconds": seconds}))


def measure_peak(url: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--database-url", url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--memory-sizes", default="1000,5000,20000,50000")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_peak(args.database_url, Path(args.child))
        return

    targets = {5000: (5.0, 2.0), 50000: (60.0, None)}
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        exports: dict[int, Path] = {}

        def export(size: int) -> Path:
            if size not in exports:
                exports[size] = folder / f"export-{size}.json"
                write_sample(exports[size], count=size)
            return exports[size]

        backend = "PostgreSQL" if args.database_url else "SQLite"
        print(f"Directory import bench ({backend}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
        print()
        print(
            f"{'organisations':>13} | {'file':>8} | {'first import':>12} | {'target':>6} | "
            f"{'unchanged re-import':>19} | {'target':>6}"
        )
        print("-" * 80)
        for size in (int(s) for s in args.sizes.split(",") if s):
            path = export(size)
            url = fresh_database(args.database_url, folder)
            first, _ = timed_import(url, path)
            again, summary = timed_import(url, path)
            first_target, again_target = targets.get(size, (None, None))
            print(
                f"{size:>13,} | {path.stat().st_size / 2**20:>6.1f} M | {first:>10.2f} s | "
                f"{(f'< {first_target:g} s' if first_target else ''):>6} | {again:>17.2f} s | "
                f"{(f'< {again_target:g} s' if again_target else ''):>6}"
            )
            assert summary.startswith("0 added, 0 updated"), summary
        print()
        print(
            f"{'organisations':>13} | {'file':>8} | {'memory before':>13} | {'peak during import':>18} | "
            f"{'growth':>9}"
        )
        print("-" * 74)
        for size in (int(s) for s in args.memory_sizes.split(",") if s):
            path = export(size)
            url = fresh_database(args.database_url, folder)
            peak = measure_peak(url, path)
            print(
                f"{size:>13,} | {path.stat().st_size / 2**20:>6.1f} M | {peak['before_mib']:>9.1f} MiB | "
                f"{peak['peak_mib']:>14.1f} MiB | {peak['peak_mib'] - peak['before_mib']:>5.1f} MiB"
            )
    drop_schemas(args.database_url)


def drop_schemas(base_url: str) -> None:
    if not CREATED_SCHEMAS:
        return
    engine = make_engine(base_url)
    with engine.begin() as conn:
        for schema in CREATED_SCHEMAS:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


if __name__ == "__main__":
    main()
