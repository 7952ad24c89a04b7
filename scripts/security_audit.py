"""Security checks of `make test`: known vulnerabilities in dependencies (pip-audit), risky code (bandit).

- bandit: any finding of high severity in the application's packages fails.
- pip-audit: any known vulnerability in an installed dependency fails. pip-audit needs PyPI's vulnerability
  data over the network. Where it cannot get it (an offline machine, a mirror without PyPI's JSON API),
  packages come back "not audited": this script then says so loudly on its last line, and fails only with
  --strict (or HELPDESK_AUDIT_STRICT=1), so that an offline CI stays usable but is never silently green.

    .venv/bin/python scripts/security_audit.py            # both checks
    .venv/bin/python scripts/security_audit.py --strict   # also fail when the vulnerability data is unreachable
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess  # nosec B404
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ["helpdesk", "directory_import", "search_index", "config.py"]


def run_bandit() -> bool:
    packages = [p for p in PACKAGES if (ROOT / p).exists()]
    result = subprocess.run(  # nosec B603
        [str(BIN / "bandit"), "-q", "-r", *packages, "--severity-level", "high", "-f", "json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    try:
        findings = json.loads(result.stdout)["results"]
    except (ValueError, KeyError):
        print(f"bandit: could not run: {result.stderr.strip()[-500:]}")
        return False
    for finding in findings:
        print(f"bandit: {finding['issue_severity']} {finding['test_id']} {finding['filename']}:"
              f"{finding['line_number']}: {finding['issue_text']}")
    print(f"bandit: {len(findings)} high-severity finding(s) in {', '.join(packages)}")
    return not findings


def run_pip_audit(strict: bool) -> bool:
    result = subprocess.run(  # nosec B603
        [str(BIN / "pip-audit"), "--format", "json", "--progress-spinner", "off", "--skip-editable"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(f"pip-audit: NOT AUDITED, it could not run: {result.stderr.strip()[-500:]}")
        return not strict
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"pip-audit: {dep['name']} {dep['version']}: {ids}")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} vulnerable package(s)")
        return False
    if skipped:
        reason = skipped[0]["skip_reason"]
        print(f"pip-audit: NOT AUDITED: {len(skipped)} of {len(dependencies)} packages could not be checked "
              f"(vulnerability data unreachable from this machine; first reason: {reason}). "
              f"{'Failing (--strict).' if strict else 'Run with --strict where PyPI is reachable.'}")
        return not strict
    print(f"pip-audit: {audited} packages audited, no known vulnerability")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", default=os.environ.get("HELPDESK_AUDIT_STRICT") == "1",
                        help="fail when the vulnerability data cannot be reached")
    args = parser.parse_args(argv)
    ok_bandit = run_bandit()
    ok_audit = run_pip_audit(args.strict)
    return 0 if ok_bandit and ok_audit else 1


if __name__ == "__main__":
    raise SystemExit(main())
