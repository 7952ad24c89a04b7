"""Type checking that may only get better: mypy's errors compared with the ones listed in mypy-baseline.txt.

The baseline lists today's errors, one a line, as ``path: [code] message`` (no line numbers, so editing a
file above an old error does not make it new). ``check`` fails on any error that the baseline does not list
(more of them than listed counts as new) and says when errors of the baseline are gone, so that it can
shrink; ``update`` rewrites the baseline and refuses to let it grow unless told ``--accept-new`` (after a
merge that moved code, for instance).

    python scripts/mypy_baseline.py check            # `make types`, part of `make test`
    python scripts/mypy_baseline.py update           # after fixing errors: the baseline shrinks
    python scripts/mypy_baseline.py update --accept-new
"""

from __future__ import annotations

import argparse
import re
import subprocess  # nosec B404 - runs mypy with an argument list
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
HEADER = (
    "# mypy errors known on the day they were listed; this file may only shrink.\n"
    "# `make types` fails on any other error. Regenerate: python scripts/mypy_baseline.py update\n"
)
ERROR = re.compile(
    r"^(?P<path>[^:\s]+\.py):(?P<line>\d+)(?::\d+)?: error: (?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$"
)


def run_mypy() -> list[tuple[str, str]]:
    """(key, the error as mypy printed it) for every error mypy reports with the settings of pyproject.toml."""
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", "mypy", "--no-pretty", "--no-error-summary", "--show-error-codes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1):
        sys.exit(f"mypy did not run (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return parse(result.stdout)


def parse(output: str) -> list[tuple[str, str]]:
    """(``path: [code] message``, the line as printed) for each error line of mypy's output; notes are left."""
    errors = []
    for line in output.splitlines():
        match = ERROR.match(line)
        if match:
            errors.append((f"{match['path']}: [{match['code'] or 'misc'}] {match['message']}", line))
    return errors


def compare(found: Counter[str], known: Counter[str]) -> tuple[Counter[str], Counter[str]]:
    """(errors that are new, errors of the baseline that are gone); one more of a listed error is new."""
    return found - known, known - found


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line.strip() and not line.startswith("#"))


def write_baseline(keys: Counter[str]) -> None:
    BASELINE.write_text(HEADER + "".join(f"{key}\n" for key in sorted(keys.elements())), encoding="utf-8")


def check() -> int:
    errors = run_mypy()
    known = read_baseline()
    found = Counter(key for key, _ in errors)
    new, gone = compare(found, known)
    if new:
        print(f"mypy: {sum(new.values())} new error(s), not in {BASELINE.name}:")
        for key, line in errors:
            if new[key] > 0:
                print(f"  {line}")
        print("Fix them (the baseline may only shrink).")
    if gone:
        print(
            f"mypy: {sum(gone.values())} error(s) of {BASELINE.name} are gone: "
            "shrink it with `python scripts/mypy_baseline.py update` and commit it."
        )
    if not new:
        print(f"mypy: no new error ({sum(found.values())} known in {BASELINE.name}).")
    return 1 if new else 0


def update(accept_new: bool) -> int:
    found = Counter(key for key, _ in run_mypy())
    new, _gone = compare(found, read_baseline())
    if new and not accept_new:
        print(f"mypy: {sum(new.values())} error(s) not in the baseline; fix them, or pass --accept-new:")
        for key in sorted(new.elements()):
            print(f"  {key}")
        return 1
    write_baseline(found)
    print(f"{BASELINE.name}: {sum(found.values())} error(s) listed.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="fail on any error the baseline does not list")
    update_parser = commands.add_parser("update", help="rewrite the baseline with today's errors")
    update_parser.add_argument(
        "--accept-new", action="store_true", help="let the baseline grow (after a merge)"
    )
    args = parser.parse_args(argv)
    return check() if args.command == "check" else update(args.accept_new)


if __name__ == "__main__":
    sys.exit(main())
