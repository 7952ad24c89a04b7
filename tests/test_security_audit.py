"""The dependency audit's verdict (scripts/security_audit.py), against a PyPI stand-in served on loopback.

pip-audit cannot reach PyPI's per-version JSON on the development machine; the script then asks the project
endpoint, which lists the vulnerabilities of the latest release only. These tests serve that endpoint from a
real HTTP server with crafted answers and check what the script concludes and prints.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROJECTS = {
    "clean-lib": {"info": {"version": "2.0.0"}, "vulnerabilities": []},
    "bad-lib": {
        "info": {"version": "1.4.0"},
        "vulnerabilities": [
            {"id": "PYSEC-2099-1", "fixed_in": []},
            {"id": "GHSA-xxxx-yyyy-zzzz", "fixed_in": [], "withdrawn": None},
        ],
    },
    "old-lib": {"info": {"version": "5.0.0"}, "vulnerabilities": []},
    "withdrawn-lib": {
        "info": {"version": "1.0"},
        "vulnerabilities": [{"id": "PYSEC-2099-2", "withdrawn": "2099-01-01T00:00:00Z"}],
    },
    "garbled-lib": "not json at all",
}


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("security_audit", ROOT / "scripts" / "security_audit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.fixture(scope="module")
def pypi():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            parts = self.path.strip("/").split("/")  # pypi/<name>/json
            project = PROJECTS.get(parts[1]) if len(parts) == 3 and parts[0] == "pypi" else None
            if project is None:
                self.send_error(404)
                return
            body = (project if isinstance(project, str) else json.dumps(project)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def skipped(name: str, version: str) -> dict:
    """An entry as pip-audit writes it for a package it could not check (no version field)."""
    reason = f"Dependency not found on PyPI and could not be audited: {name} ({version})"
    return {"name": name, "skip_reason": reason}


def test_latest_releases_without_vulnerabilities_pass(audit, pypi, capsys):
    deps = [
        skipped("clean-lib", "2.0.0"),
        skipped("withdrawn-lib", "1.0"),
        {"name": "checked-lib", "version": "1.0", "vulns": []},
        {"name": "brussels-helpdesk", "skip_reason": "distribution marked as editable"},
    ]
    assert audit.judge(deps, strict=True, pypi_url=pypi) is True
    out = capsys.readouterr().out
    assert "3 packages audited, no known vulnerability (1 by pip-audit, 2 against PyPI's list" in out


def test_a_vulnerable_latest_release_fails_even_without_strict(audit, pypi, capsys):
    deps = [skipped("clean-lib", "2.0.0"), skipped("bad-lib", "1.4.0")]
    assert audit.judge(deps, strict=False, pypi_url=pypi) is False
    out = capsys.readouterr().out
    assert "pip-audit: bad-lib 1.4.0: PYSEC-2099-1, GHSA-xxxx-yyyy-zzzz" in out
    assert "1 vulnerable package(s)" in out


def test_a_vulnerability_found_by_pip_audit_fails(audit, pypi, capsys):
    deps = [{"name": "flask", "version": "0.1", "vulns": [{"id": "PYSEC-2018-66", "fix_versions": ["1.0"]}]}]
    assert audit.judge(deps, strict=False, pypi_url=pypi) is False
    assert "pip-audit: flask 0.1: PYSEC-2018-66" in capsys.readouterr().out


@pytest.mark.parametrize(
    "dep, reason",
    [
        (skipped("old-lib", "4.2.0"), "installed 4.2.0, latest release 5.0.0"),
        (skipped("unknown-lib", "1.0"), "PyPI answered 404"),
        (skipped("garbled-lib", "1.0"), "unreadable PyPI answer"),
    ],
)
def test_what_cannot_be_checked_is_reported_and_fails_only_when_strict(audit, pypi, capsys, dep, reason):
    deps = [skipped("clean-lib", "2.0.0"), dep]
    assert audit.judge(deps, strict=False, pypi_url=pypi) is True
    out = capsys.readouterr().out
    assert f"not audited: {dep['name']} " in out and reason in out
    assert "NOT AUDITED: 1 of 2 packages could not be checked; the other 1 have no known vulnerability" in out
    assert audit.judge(deps, strict=True, pypi_url=pypi) is False
    assert "Failing (--strict)." in capsys.readouterr().out


def test_an_unreachable_pypi_leaves_everything_unaudited(audit, capsys):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    deps = [skipped("clean-lib", "2.0.0"), skipped("bad-lib", "1.4.0")]
    assert audit.judge(deps, strict=False, pypi_url=closed) is True
    out = capsys.readouterr().out
    assert "PyPI unreachable (ConnectionError)" in out
    assert "NOT AUDITED: 2 of 2 packages could not be checked" in out
    assert audit.judge(deps, strict=True, pypi_url=closed) is False
