"""Reading a source over HTTP, against a real server on 127.0.0.1 started by the test (no mocks).

The loopback stand-in server is an internal address: every test that reaches it lists it in the allowlist.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from directory_import.fetch import FetchError, fetch
from directory_import.models import SourceState
from directory_import.sync import import_source

LOCAL = {"allowed_hosts": ["127.0.0.1"]}


# The library is tested without the Flask app (tests/fixtures/database.py).
@pytest.fixture
def session(library_session):
    return library_session


def test_fetch_downloads_and_returns_the_validators(export_server, tmp_path, data_dir):
    export_server.serve((data_dir / "directory_v1.json").read_bytes(), '"abc"')
    report = fetch(export_server.url, tmp_path, **LOCAL)
    assert report.path.read_bytes() == (data_dir / "directory_v1.json").read_bytes()
    assert (report.not_modified, report.etag) == (False, '"abc"')


def test_fetch_sends_the_etag_back_and_gets_304(export_server, tmp_path):
    export_server.serve(b'{"organisations": []}', '"abc"')
    report = fetch(export_server.url, tmp_path, etag='"abc"', **LOCAL)
    assert report.not_modified and report.path is None
    assert export_server.requests[-1]["If-None-Match"] == '"abc"'


def test_fetch_uses_last_modified_when_there_is_no_etag(export_server, tmp_path):
    export_server.serve(b"{}", "")
    export_server.last_modified = "Sun, 01 Nov 2026 03:00:00 GMT"
    first = fetch(export_server.url, tmp_path, **LOCAL)
    second = fetch(export_server.url, tmp_path, last_modified=first.last_modified, **LOCAL)
    assert first.last_modified == "Sun, 01 Nov 2026 03:00:00 GMT" and second.not_modified


def test_fetch_retries_server_errors_with_back_off(export_server, tmp_path):
    export_server.serve(b"{}", "")
    export_server.fail_first = 2
    report = fetch(export_server.url, tmp_path, retries=3, backoff=0.01, **LOCAL)
    assert report.path.read_bytes() == b"{}" and len(export_server.requests) == 3


def test_fetch_gives_up_after_the_retries(export_server, tmp_path):
    export_server.fail_first = 10
    with pytest.raises(FetchError) as refused:
        fetch(export_server.url, tmp_path, retries=2, backoff=0.01, **LOCAL)
    assert refused.value.code == "unreachable" and len(export_server.requests) == 3


def test_fetch_refuses_a_body_over_the_size_limit(export_server, tmp_path):
    export_server.serve(b"x" * 5000, "")
    with pytest.raises(FetchError, match="too large"):
        fetch(export_server.url, tmp_path / "none", max_bytes=1000, **LOCAL)


def test_fetch_a_body_cut_short_leaves_no_file(tmp_path):
    """A server announcing no length and sending more than allowed: the partial file is removed."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"x" * 50_000)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with pytest.raises(FetchError, match="too large"):
        fetch(
            f"http://127.0.0.1:{listener.getsockname()[1]}/x", downloads, max_bytes=10_000, retries=0, **LOCAL
        )
    thread.join()
    listener.close()
    assert list(downloads.iterdir()) == []


def test_fetch_unreachable_server_is_a_clear_error(tmp_path):
    with pytest.raises(FetchError) as refused:
        fetch("http://127.0.0.1:9/export.json", tmp_path, retries=1, backoff=0.01, timeout=2, **LOCAL)
    assert refused.value.code == "unreachable" and "refused" not in str(refused.value)


def test_fetch_unchanged_export_costs_one_request(session, export_server, tmp_path, data_dir):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    export_server.serve((data_dir / "directory_v1.json").read_bytes(), '"v1"')
    _run, first = import_source(session, export_server.url, download_dir=downloads, **LOCAL)
    session.commit()
    assert first.added == 8
    requests_before = len(export_server.requests)
    run, second = import_source(session, export_server.url, download_dir=downloads, **LOCAL)
    session.commit()
    assert len(export_server.requests) == requests_before + 1
    assert second.not_modified and (second.added, second.updated, second.unchanged) == (0, 0, 8)
    assert run.status == "unchanged"
    state = session.scalar(select(SourceState).where(SourceState.source == export_server.url))
    assert (state.etag, state.source_key) == ('"v1"', "bruxelles-social")
    assert list(downloads.iterdir()) == []


def test_fetch_changed_export_is_imported(session, export_server, tmp_path, data_dir):
    export_server.serve((data_dir / "directory_v1.json").read_bytes(), '"v1"')
    import_source(session, export_server.url, download_dir=tmp_path, **LOCAL)
    session.commit()
    export_server.serve((data_dir / "directory_v2.json").read_bytes(), '"v2"')
    _run, report = import_source(session, export_server.url, download_dir=tmp_path, **LOCAL)
    session.commit()
    assert (report.added, report.updated, report.archived) == (1, 1, 1)
    assert export_server.requests[-1]["If-None-Match"] == '"v1"'


def test_fetch_validators_are_not_kept_when_the_import_fails(session, export_server, tmp_path, data_dir):
    export_server.serve(b'{"organisations": [{"id": 1, "nameFr": "x"}, ', '"broken"')
    with pytest.raises(Exception, match="broken"):
        import_source(session, export_server.url, download_dir=tmp_path, **LOCAL)
    session.rollback()
    assert session.scalar(select(SourceState)) is None
