"""Security checks of `make test`: known vulnerabilities in dependencies (pip-audit), risky code (bandit).

- bandit: any finding of high severity in the application's packages fails.
- pip-audit: any known vulnerability in an installed dependency fails. pip-audit asks PyPI's JSON API for the
  vulnerabilities of each installed version (`/pypi/<name>/<version>/json`). Some package proxies only serve
  the project endpoint (`/pypi/<name>/json`), which carries PyPI's vulnerability list for the project's latest
  release only. For each package pip-audit could not check, this script then asks that endpoint: an installed
  version that is the latest release is audited against that list (a listed vulnerability fails); an older
  one cannot be audited that way and is counted as "not audited". When anything stays unaudited, the last line
  says so loudly; it fails only with --strict (or HELPDESK_AUDIT_STRICT=1), so that an offline CI stays usable
  but is never silently green.

    .venv/bin/python scripts/security_audit.py            # both checks
    .venv/bin/python scripts/security_audit.py --strict   # also fail when a package could not be audited
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess  # nosec B404
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import requests
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ["helpdesk", "directory_import", "search_index", "config.py"]
PYPI_URL = os.environ.get("HELPDESK_AUDIT_PYPI_URL", "https://pypi.org")


def run_bandit() -> bool:
    packages = [p for p in PACKAGES if (ROOT / p).exists()]
    result = subprocess.run(  # nosec B603
        [str(BIN / "bandit"), "-q", "-r", *packages, "--severity-level", "high", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        findings = json.loads(result.stdout)["results"]
    except (ValueError, KeyError):
        print(f"bandit: could not run: {result.stderr.strip()[-500:]}")
        return False
    for finding in findings:
        print(
            f"bandit: {finding['issue_severity']} {finding['test_id']} {finding['filename']}:"
            f"{finding['line_number']}: {finding['issue_text']}"
        )
    print(f"bandit: {len(findings)} high-severity finding(s) in {', '.join(packages)}")
    return not findings


@dataclass
class LatestReleaseCheck:
    """What PyPI's project endpoint says of one installed package."""

    name: str
    version: str
    latest: str | None = None
    vulns: tuple[str, ...] = ()
    problem: str | None = None  # why the package could not be audited this way

    @property
    def audited(self) -> bool:
        return self.problem is None


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_latest_release(name: str, version: str, pypi_url: str = PYPI_URL) -> LatestReleaseCheck:
    """Audit one package against the vulnerabilities PyPI lists for the project's latest release."""
    check = LatestReleaseCheck(name, version)
    try:
        response = requests.get(f"{pypi_url}/pypi/{canonical_name(name)}/json", timeout=20)
    except requests.RequestException as exc:
        check.problem = f"PyPI unreachable ({type(exc).__name__})"
        return check
    if response.status_code != 200:
        check.problem = f"PyPI answered {response.status_code}"
        return check
    try:
        project = response.json()
        check.latest = str(project["info"]["version"])
        vulns = project.get("vulnerabilities") or []
        ids = tuple(str(v["id"]) for v in vulns if not v.get("withdrawn"))
        same = Version(check.latest) == Version(version)
    except (ValueError, KeyError, TypeError, InvalidVersion) as exc:
        check.problem = f"unreadable PyPI answer ({type(exc).__name__})"
        return check
    if not same:
        check.problem = f"installed {version}, latest release {check.latest}"
        return check
    check.vulns = ids
    return check


def installed_version(dependency: dict) -> str:
    """pip-audit leaves the version out of a skipped package's entry: ask the environment it audited."""
    if dependency.get("version"):
        return str(dependency["version"])
    try:
        return metadata.version(dependency["name"])
    except metadata.PackageNotFoundError:
        found = re.search(r"\(([^()]+)\)\s*$", dependency.get("skip_reason", ""))
        return found.group(1) if found else "unknown"


def check_latest_releases(dependencies: list[dict], pypi_url: str = PYPI_URL) -> list[LatestReleaseCheck]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(
            pool.map(lambda d: check_latest_release(d["name"], installed_version(d), pypi_url), dependencies)
        )


def run_pip_audit(strict: bool, pypi_url: str = PYPI_URL) -> bool:
    result = subprocess.run(  # nosec B603
        [str(BIN / "pip-audit"), "--format", "json", "--progress-spinner", "off", "--skip-editable"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(f"pip-audit: NOT AUDITED, it could not run: {result.stderr.strip()[-500:]}")
        return not strict
    return judge(report.get("dependencies", []), strict, pypi_url)


def judge(dependencies: list[dict], strict: bool, pypi_url: str = PYPI_URL) -> bool:
    """Print the verdict on pip-audit's report, completing what it skipped from PyPI's project endpoint."""
    # --skip-editable: the project itself, installed in development mode, is not a dependency.
    dependencies = [d for d in dependencies if "editable" not in d.get("skip_reason", "")]
    vulnerable = [
        (d["name"], installed_version(d), [v["id"] for v in d["vulns"]])
        for d in dependencies
        if d.get("vulns")
    ]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    by_pip_audit = len(dependencies) - len(skipped)
    checks = check_latest_releases(skipped, pypi_url) if skipped else []
    vulnerable += [(c.name, c.version, list(c.vulns)) for c in checks if c.vulns]
    unaudited = [c for c in checks if not c.audited]
    by_latest = len(checks) - len(unaudited)
    for name, version, ids in vulnerable:
        print(f"pip-audit: {name} {version}: {', '.join(ids)}")
    for check in unaudited:
        print(f"pip-audit: not audited: {check.name} {check.version}: {check.problem}")
    how = f"{by_pip_audit} by pip-audit, {by_latest} against PyPI's list for their latest release"
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} vulnerable package(s) ({how})")
        return False
    if unaudited:
        print(
            f"pip-audit: NOT AUDITED: {len(unaudited)} of {len(dependencies)} packages "
            "could not be checked; "
            f"the other {len(dependencies) - len(unaudited)} have no known vulnerability ({how}). "
            f"{'Failing (--strict).' if strict else 'Run with --strict to make this a failure.'}"
        )
        return not strict
    print(f"pip-audit: {len(dependencies)} packages audited, no known vulnerability ({how})")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--strict",
        action="store_true",
        default=os.environ.get("HELPDESK_AUDIT_STRICT") == "1",
        help="fail when the vulnerability data cannot be reached",
    )
    args = parser.parse_args(argv)
    ok_bandit = run_bandit()
    ok_audit = run_pip_audit(args.strict)
    return 0 if ok_bandit and ok_audit else 1


if __name__ == "__main__":
    raise SystemExit(main())
