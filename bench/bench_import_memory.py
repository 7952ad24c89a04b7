"""Peak memory of `helpdesk directory import` on hostile exports and on a large honest one (not a test).

Each file is imported by the real command in a child process, on a fresh SQLite database; the child's peak
resident memory comes from the kernel (``os.wait4`` rusage ``ru_maxrss``, start-up included). Printed side
by side, with the goal of each under 300 MB: the issue's deeply nested JSON (30,000 and 200,000 levels),
an HSDS zip bomb (about 1 MB of zip holding a 400 MB organizations.csv, written streaming) and a
50,000-organisation export (the invented sample directory, scaled up).

Usage: python bench/bench_import_memory.py [--bomb-mb 400] [--organisations 50000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory_import.sample import write_sample  # noqa: E402

GOAL_MB = 300
HELPDESK = str(Path(sys.executable).with_name("helpdesk"))
# A child's peak RSS counts the pages it shared with its parent before exec, so the command is started by
# a small fresh process rather than by this one (which holds the generated export): that process waits for
# it and writes [exit code, peak KiB] to the file named by its first argument.
WAITER = (
    "import json, os, subprocess, sys; child = subprocess.Popen(sys.argv[2:]); "
    "_pid, status, usage = os.wait4(child.pid, 0); "
    "open(sys.argv[1], 'w').write(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))"
)


def nested_json(path: Path, levels: int) -> Path:
    path.write_bytes(
        b'{"organisations":[{"id":"1","nameFr":"x","extra":' + b"[" * levels + b"]" * levels + b"}]}"
    )
    return path


def zip_bomb(path: Path, megabytes: int) -> Path:
    """organizations.csv of ``megabytes`` MB of one row repeated (duplicate ids), deflated, written streaming."""
    block = b"o,x,y\n" * 100_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("datapackage.json", '{"name": "bomb"}')
        with package.open("organizations.csv", "w", force_zip64=True) as member:
            member.write(b"id,name,description\n")
            for _ in range(megabytes * 1024 * 1024 // len(block)):
                member.write(block)
    return path


def run_import(
    path: Path,
    folder: Path,
    command: tuple[str, ...] = (HELPDESK, "directory", "import", "--quiet"),
    settings: dict[str, str] | None = None,
) -> dict:
    """`helpdesk directory import --quiet PATH` on a fresh database (``settings`` added to its environment):
    exit code, seconds, peak RSS (MB)."""
    case = Path(tempfile.mkdtemp(prefix=f"case-{path.stem}-", dir=folder))
    env = {
        **os.environ,
        "HELPDESK_DATABASE_URL": f"sqlite:///{case / 'bench.sqlite'}",
        "HELPDESK_INSTANCE_PATH": str(case / "instance"),
        "HELPDESK_SEARCH_INDEX_DIR": str(case / "index"),
        **(settings or {}),
    }
    subprocess.run([HELPDESK, "db", "upgrade"], check=True, env=env, cwd=ROOT, capture_output=True)
    output, measure = case / "output.txt", case / "measure.json"
    with output.open("wb") as sink:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", WAITER, str(measure), *command, str(path)],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            check=True,
        )
        seconds = time.perf_counter() - started
    exit_code, peak_kib = json.loads(measure.read_text())
    said = output.read_text("utf-8", "replace").strip().splitlines()
    return {
        "exit": exit_code,
        "seconds": seconds,
        "peak_mb": peak_kib / 1024,
        "said": said[-1][:110] if said else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=400)
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated files (their folder is printed)"
    )
    parser.add_argument("--only", default="", help="run only the cases whose label contains this text")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-memory-"))
    try:
        bomb = zip_bomb(folder / "bomb.zip", args.bomb_mb)
        export = folder / f"export-{args.organisations}.json"
        # label: (file, settings). The bomb a second time with the size and ratio checks out of the way:
        # then it is streamed, and refused at the 1,001st rejected row.
        cases = {
            "nested JSON, 30,000 levels": (nested_json(folder / "nested-30000.json", 30_000), {}),
            "nested JSON, 200,000 levels": (nested_json(folder / "nested-200000.json", 200_000), {}),
            f"HSDS zip bomb ({args.bomb_mb} MB csv)": (bomb, {}),
            "same bomb, size/ratio caps off": (
                bomb,
                {
                    "HELPDESK_IMPORT_MAX_COMPRESSION_RATIO": "1000000",
                    "HELPDESK_IMPORT_MAX_UNCOMPRESSED_BYTES": str(2**40),
                },
            ),
            f"{args.organisations:,} organisations (JSON)": (export, {}),
        }
        cases = {label: case for label, case in cases.items() if args.only.lower() in label.lower()}
        if any(path == export for path, _settings in cases.values()):
            write_sample(export, count=args.organisations)
        print(
            f"helpdesk directory import: peak memory (goal < {GOAL_MB} MB each), Python {sys.version.split()[0]}"
        )
        print()
        print(
            f"{'file':<34} | {'size':>9} | {'exit':>4} | {'time':>8} | {'peak RSS':>9} | {'goal':>4} | outcome"
        )
        print("-" * 130)
        failed = False
        start_up = run_import(folder / "nothing", folder, (HELPDESK, "directory", "import", "--help"))
        print(
            f"{'(start-up: import --help)':<34} | {'':>9} | {start_up['exit']:>4} | {start_up['seconds']:>6.1f} s | "
            f"{start_up['peak_mb']:>6.0f} MB |      |"
        )
        for label, (path, settings) in cases.items():
            result = run_import(path, folder, settings=settings)
            ok = result["peak_mb"] < GOAL_MB
            failed |= not ok
            size = path.stat().st_size
            print(
                f"{label:<34} | {size / 2**20:>7.2f} M | {result['exit']:>4} | {result['seconds']:>6.1f} s | "
                f"{result['peak_mb']:>6.0f} MB | {'ok' if ok else 'OVER':>4} | {result['said']}"
            )
        if args.keep:
            print(f"\nfiles kept in {folder}")
    finally:
        if not args.keep:
            for path in sorted(folder.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            folder.rmdir()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
