"""The URL import reaches only public addresses (SSRF), and one deadline bounds a whole download.

Servers are real, on 127.0.0.1, started by the tests; an internal address that must be refused is refused
before any connection, so the tests that name 10.0.0.1 or fe80::1 touch no network.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from directory_import.fetch import FetchError, fetch, is_public_address
from tests.fixtures.jobs import slow_server  # noqa: F401  (fixture)

INTERNAL_HOSTS = [
    pytest.param("127.0.0.1", id="loopback"),
    pytest.param("localhost", id="loopback-by-name"),
    pytest.param("0x7f000001", id="loopback-in-hex"),
    pytest.param("2130706433", id="loopback-as-one-number"),
    pytest.param("127.1", id="loopback-short"),
    pytest.param("0177.0.0.1", id="loopback-in-octal"),
    pytest.param("10.1.2.3", id="private-10"),
    pytest.param("172.16.5.4", id="private-172"),
    pytest.param("192.168.1.10", id="private-192"),
    pytest.param("100.64.0.1", id="shared-carrier-grade-nat"),
    pytest.param("169.254.169.254", id="link-local-cloud-metadata"),
    pytest.param("224.0.0.1", id="multicast"),
    pytest.param("240.0.0.1", id="reserved"),
    pytest.param("0.0.0.0", id="unspecified"),  # nosec B104 - an address to refuse
    pytest.param("[::1]", id="ipv6-loopback"),
    pytest.param("[::]", id="ipv6-unspecified"),
    pytest.param("[::ffff:127.0.0.1]", id="ipv4-mapped-loopback"),
    pytest.param("[::ffff:7f00:1]", id="ipv4-mapped-loopback-in-hex"),
    pytest.param("[::ffff:10.0.0.1]", id="ipv4-mapped-private"),
    pytest.param("[64:ff9b::7f00:1]", id="nat64-loopback"),
    pytest.param("[2002:7f00:1::]", id="6to4-loopback"),
    pytest.param("[fe80::1]", id="ipv6-link-local"),
    pytest.param("[fc00::1]", id="ipv6-unique-local"),
    pytest.param("[ff02::1]", id="ipv6-multicast"),
]


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
def test_fetch_guard_refuses_an_internal_address(host, tmp_path, slow_server):  # noqa: F811
    slow_server.body = b'{"organisations": []}'
    with pytest.raises(FetchError) as refused:
        fetch(f"http://{host}:{slow_server.port}/export.json", tmp_path, retries=0, timeout=5)
    assert refused.value.code == "address_refused"
    assert slow_server.requests == 0 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address", ["8.8.8.8", "193.191.244.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_fetch_guard_public_addresses_are_public(address):
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/export.json", "gopher://example.org/", "javascript:alert(1)"],
)
def test_fetch_guard_only_http_and_https(url, tmp_path):
    with pytest.raises(FetchError) as refused:
        fetch(url, tmp_path, retries=0, timeout=5)
    assert refused.value.code == "bad_scheme"


def test_fetch_guard_allowlist_lets_a_host_on_the_premises_through(tmp_path, slow_server):  # noqa: F811
    slow_server.body = b'{"organisations": []}'
    report = fetch(f"http://localhost:{slow_server.port}/export.json", tmp_path, allowed_hosts=["LOCALHOST"])
    assert report.path.read_bytes() == slow_server.body


def _redirecting_server(location: str, status: int = 302):
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.mark.parametrize(
    "target",
    ["http://localhost:{port}/export.json", "http://[::ffff:127.0.0.1]:{port}/x", "file:///etc/passwd"],
)
def test_fetch_guard_checks_every_redirect(target, tmp_path, slow_server):  # noqa: F811
    """The first hop is allowed (listed); the redirect to an internal host is refused before connecting."""
    slow_server.body = b'{"secret": true}'
    server, seen = _redirecting_server(target.format(port=slow_server.port))
    try:
        with pytest.raises(FetchError) as refused:
            fetch(
                f"http://127.0.0.1:{server.server_address[1]}/export.json",
                tmp_path,
                retries=0,
                allowed_hosts=["127.0.0.1"],
            )
    finally:
        server.shutdown()
        server.server_close()
    assert refused.value.code in ("address_refused", "bad_scheme")
    assert seen == ["/export.json"] and slow_server.requests == 0


def test_fetch_guard_follows_a_redirect_to_an_allowed_host(tmp_path, slow_server):  # noqa: F811
    slow_server.body = b'{"organisations": []}'
    server, seen = _redirecting_server(f"http://localhost:{slow_server.port}/export.json")
    try:
        report = fetch(
            f"http://127.0.0.1:{server.server_address[1]}/old",
            tmp_path,
            retries=0,
            allowed_hosts=["127.0.0.1", "localhost"],
        )
    finally:
        server.shutdown()
        server.server_close()
    assert report.path.read_bytes() == slow_server.body and seen == ["/old"]


def test_fetch_deadline_cuts_a_trickling_server(tmp_path, slow_server):  # noqa: F811
    """A few bytes at a time, each well within any read timeout: the whole download's budget ends it."""
    slow_server.body = json.dumps(
        {"organisations": [{"id": str(i), "nameFr": "x"} for i in range(100)]}
    ).encode()
    slow_server.modes = ["trickle"]
    slow_server.interval = 0.1
    with pytest.raises(FetchError) as cut:
        fetch(slow_server.url, tmp_path, timeout=1, retries=3, allowed_hosts=["127.0.0.1"])
    assert cut.value.code == "unreachable"
    assert slow_server.requests == 1  # no retry past the deadline
    assert list(tmp_path.iterdir()) == []


def test_fetch_deadline_is_not_per_read(tmp_path, slow_server):  # noqa: F811
    """Retries and Retry-After never wait past the deadline either: a server that holds the body back gets
    one attempt within a budget shorter than its silence."""
    slow_server.body = b'{"organisations": []}' + b" " * 100
    slow_server.modes = ["hold"]
    with pytest.raises(FetchError) as cut:
        fetch(slow_server.url, tmp_path, timeout=1, retries=5, allowed_hosts=["127.0.0.1"])
    assert cut.value.code == "unreachable" and slow_server.requests == 1


def test_fetch_guard_cli_import_and_sync_refuse_an_internal_address(
    app,
    runner,
    slow_server,  # noqa: F811
    v1_organisations,
):
    slow_server.body = json.dumps({"organisations": v1_organisations}).encode()
    imported = runner.invoke(args=["directory", "import", slow_server.url, "--quiet"])
    assert imported.exit_code != 0 and "is an address of an internal network" in imported.output
    app.config["DIRECTORY_SOURCES"] = [slow_server.url]
    synced = runner.invoke(args=["directory", "sync", "--quiet"])
    assert synced.exit_code != 0 and "is an address of an internal network" in synced.output
    assert slow_server.requests == 0
    app.config["FETCH_ALLOWED_HOSTS"] = ["127.0.0.1"]
    allowed = runner.invoke(args=["directory", "sync"])
    assert allowed.exit_code == 0 and "8 added" in allowed.output and slow_server.requests == 1


def test_fetch_guard_one_message_for_every_network_failure(tmp_path):
    """Refused, not found, a server error or silence: the same code and words, nothing of the server's."""
    failures = []
    for status, location in ((404, ""), (500, ""), (302, "http://127.0.0.1:9/")):
        server, _seen = _redirecting_server(location, status)
        try:
            with pytest.raises(FetchError) as failed:
                fetch(
                    f"http://127.0.0.1:{server.server_address[1]}/",
                    tmp_path,
                    retries=0,
                    timeout=2,
                    allowed_hosts=["127.0.0.1"],
                )
        finally:
            server.shutdown()
            server.server_close()
        failures.append(failed.value)
    with pytest.raises(FetchError) as refused:
        fetch("http://127.0.0.1:9/export.json", tmp_path, retries=0, timeout=2, allowed_hosts=["127.0.0.1"])
    failures.append(refused.value)
    assert {(f.code, str(f).split(" (", 1)[-1]) for f in failures} == {
        ("unreachable", "details in the server log)")
    }
