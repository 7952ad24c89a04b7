"""The social.brussels API as a source, against a stand-in server on 127.0.0.1 started by the test: a list
endpoint of summaries, one endpoint per record with ETags, and records that fail in the ways servers fail."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from directory_import.models import Organisation
from directory_import.socialbrussels_api import CrawlPolicy, crawl, import_api
from helpdesk.db import get_session

DATA = Path(__file__).resolve().parent / "data" / "socialbrussels"
# The stand-in server is on loopback: the fetch guard lets it through only when listed.
LOCAL = ("127.0.0.1",)
FAST = CrawlPolicy(concurrency=2, delay=0.0, timeout=2.0, retries=1, backoff=0.01, allowed_hosts=LOCAL)


def _records() -> dict[str, dict]:
    """The usable records of the fixture files, by id (those without id or name are the reader's tests)."""
    records = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
    usable = {
        str(r.get("id") or r.get("Id")): r
        for r in records
        if str(r.get("id") or r.get("Id")) in {"4012", "5120", "6001", "8003"}
    }
    usable["9100"] = json.loads((DATA / "organisation_wrapped.json").read_text(encoding="utf-8"))[
        "organisation"
    ]
    return usable


@dataclass
class ApiServer:
    """What the stand-in API serves, how it misbehaves, and what it was asked."""

    records: dict[str, dict] = field(default_factory=_records)
    failing: set[str] = field(default_factory=set)  # answer 500
    slow: set[str] = field(default_factory=set)  # answer after the client's timeout
    garbage: set[str] = field(default_factory=set)  # answer 200 with something that is not a record
    asked: list[tuple[str, str]] = field(default_factory=list)  # (path, If-None-Match)
    answered: Counter = field(default_factory=Counter)  # status -> count, records only
    in_flight: int = 0
    most_in_flight: int = 0
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def list_url(self) -> str:
        return f"{self.base}/rest/search/organisation"

    @property
    def record_url(self) -> str:
        return f"{self.base}/rest/organisation/{{id}}"

    def record_requests(self) -> list[str]:
        return [path.rsplit("/", 1)[1] for path, _ in self.asked if "/rest/organisation/" in path]


@pytest.fixture
def api() -> Iterator[ApiServer]:
    state = ApiServer()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes = b"", etag: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's naming)
            with state.lock:
                state.asked.append((self.path, self.headers.get("If-None-Match", "")))
                state.in_flight += 1
                state.most_in_flight = max(state.most_in_flight, state.in_flight)
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _answer(self) -> None:
            if self.path == "/rest/search/organisation":
                summaries = [
                    {
                        "id": source_id,
                        "nameOfficialFr": r.get("nameOfficialFr"),
                        "lastUpdate": r.get("lastUpdate"),
                    }
                    for source_id, r in state.records.items()
                ]
                body = json.dumps({"total": len(summaries), "results": summaries}).encode()
                etag = f'"list-{len(summaries)}"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304)
                return self._send(200, body, etag)
            source_id = self.path.rsplit("/", 1)[1]
            record = state.records.get(source_id)
            time.sleep(0.05)  # long enough for requests to overlap when they run side by side
            if source_id in state.slow:
                time.sleep(FAST.timeout + 1)
            if record is None:
                status, body, etag = 404, b"{}", ""
            elif source_id in state.failing:
                status, body, etag = 500, b'{"error": "internal"}', ""
            elif source_id in state.garbage:
                status, body, etag = 200, b"<html><body>Maintenance</body></html>", '"garbage"'
            else:
                body = json.dumps(record, ensure_ascii=False).encode()
                status, etag = 200, f'"r{source_id}-{hash(body) & 0xFFFF}"'
                if self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
            with state.lock:
                state.answered[status] += 1
            self._send(status, body, etag)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def _import(session, api: ApiServer, cache: Path, policy: CrawlPolicy = FAST):
    run, report, crawled = import_api(session, api.list_url, api.record_url, cache, policy=policy)
    session.commit()
    return run, report, crawled


def test_socialbrussels_api_crawl_fetches_every_listed_record_a_few_at_a_time(session, api, tmp_path):
    run, report, crawled = _import(session, api, tmp_path / "cache")
    assert (crawled.listed, crawled.fetched, crawled.complete) == (5, 5, True)
    assert sorted(api.record_requests()) == sorted(api.records)
    assert 1 <= api.most_in_flight <= FAST.concurrency
    assert (report.added, report.rejected, run.status) == (5, [], "applied")
    cpas = session.scalar(select(Organisation).where(Organisation.source_id == "4012"))
    assert (cpas.name_fr, cpas.phones[0]) == (
        "Centre Public d'Action Sociale de Schaerbeek",
        "+32 2 435 51 38",
    )


def test_socialbrussels_api_second_sync_costs_304s_and_changes_nothing(session, api, tmp_path):
    _import(session, api, tmp_path / "cache")
    api.asked.clear()
    api.answered.clear()
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert crawled.list_not_modified and crawled.not_modified == 5 and crawled.fetched == 0
    assert api.answered == Counter({304: 5})
    assert all(etag for path, etag in api.asked)  # every request sent its validator back
    assert (report.added, report.updated, report.unchanged, report.archived) == (0, 0, 5, 0)


def test_socialbrussels_api_a_changed_record_is_fetched_again_and_updated(session, api, tmp_path):
    _import(session, api, tmp_path / "cache")
    api.records["6001"] = {**api.records["6001"], "activitiesNl": "- Psychotherapie\n- Groepswerking"}
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert (crawled.fetched, crawled.not_modified) == (1, 4)
    assert (report.updated, report.unchanged) == (1, 4)


def test_socialbrussels_api_failing_slow_and_garbage_records_never_lose_the_others(session, api, tmp_path):
    _import(session, api, tmp_path / "cache")
    api.records["9999"] = {"id": 9999, "nameOfficialFr": "NOUVELLE ASBL"}
    api.failing, api.slow, api.garbage = {"4012"}, {"6001"}, {"9999"}
    api.records["5120"] = {**api.records["5120"], "permanencyFr": "Tous les jours"}
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert {f.source_id: f.code for f in crawled.failures} == {
        "4012": "record_fetch_failed",
        "6001": "record_fetch_failed",
        "9999": "record_garbage",
    }
    assert not crawled.complete
    # The others imported; the organisations whose record failed stay as they were, not archived.
    assert (report.updated, report.archived, report.added) == (1, 0, 0)
    rejected = {dict(r.params)["id"]: r for r in report.rejected}
    assert set(rejected) == {"4012", "6001", "9999"}
    positions = {source_id: n for n, source_id in enumerate(api.records, start=1)}
    assert all(row.line == positions[source_id] for source_id, row in rejected.items())
    kept = session.scalars(select(Organisation).where(Organisation.source_id.in_(["4012", "6001"]))).all()
    assert [o.archived for o in kept] == [False, False]


def test_socialbrussels_api_sync_resumes_where_a_failure_stopped_it(session, api, tmp_path):
    api.failing = {"6001"}
    _r, first_report, first = _import(session, api, tmp_path / "cache")
    assert not first.complete and first_report.added == 4
    api.failing = set()
    api.asked.clear()
    _r, report, resumed = _import(session, api, tmp_path / "cache")
    assert resumed.resumed_crawl and resumed.complete
    assert api.record_requests() == ["6001"]  # only what the stopped crawl had not fetched
    assert (resumed.resumed, resumed.fetched) == (4, 1)
    assert (report.added, report.unchanged) == (1, 4)


def test_socialbrussels_api_deadline_defers_records_to_the_next_sync(session, api, tmp_path):
    policy = CrawlPolicy(concurrency=1, delay=0.0, timeout=2.0, retries=0, deadline=0.0, allowed_hosts=LOCAL)
    crawled = crawl(api.list_url, api.record_url, tmp_path / "cache", policy)
    assert {f.code for f in crawled.failures} == {"record_deferred"} and len(crawled.failures) == 5
    assert api.record_requests() == []
    again = crawl(api.list_url, api.record_url, tmp_path / "cache", FAST)
    assert again.resumed_crawl and again.fetched == 5 and again.complete


def test_socialbrussels_api_list_that_cannot_be_had_imports_nothing(session, api, tmp_path):
    from directory_import.fetch import FetchError

    with pytest.raises(FetchError):
        import_api(session, f"{api.base}/rest/nothing-here", api.record_url, tmp_path / "cache", policy=FAST)


def test_socialbrussels_api_sync_command_reads_the_configured_source(app, runner, api):
    app.config.update(
        DIRECTORY_SOURCES=[{"url": api.list_url, "format": "socialbrussels", "record_url": api.record_url}],
        SOCIALBRUSSELS_DELAY_SECONDS=0,
        SOCIALBRUSSELS_TIMEOUT_SECONDS=2,
        SOCIALBRUSSELS_RETRIES=0,
        FETCH_BACKOFF_SECONDS=0.01,
        FETCH_ALLOWED_HOSTS=list(LOCAL),
        DIRECTORY_VOCABULARIES={
            "actionzones": str(DATA / "actionzones.json"),
            "legalstatus": str(DATA / "legalstatus.json"),
        },
    )
    first = runner.invoke(args=["directory", "sync"])
    assert first.exit_code == 0, first.output
    assert "5 added" in first.output
    api.failing = {"5120"}
    second = runner.invoke(args=["directory", "sync"])
    assert second.exit_code == 0, second.output
    assert "4 unchanged" in second.output and "1 rejected" in second.output
    with app.app_context():
        assert (
            get_session().scalar(select(Organisation).where(Organisation.source_id == "5120")).archived
            is False
        )


def test_socialbrussels_api_import_command_with_a_record_url(app, runner, api):
    app.config.update(
        SOCIALBRUSSELS_DELAY_SECONDS=0, FETCH_BACKOFF_SECONDS=0.01, FETCH_ALLOWED_HOSTS=list(LOCAL)
    )
    result = runner.invoke(
        args=[
            "directory",
            "import",
            api.list_url,
            "--format",
            "socialbrussels",
            "--record-url",
            api.record_url,
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == 5


def test_socialbrussels_api_record_url_without_its_placeholder_is_refused(app, runner, api):
    result = runner.invoke(args=["directory", "import", api.list_url, "--record-url", f"{api.base}/rest/org"])
    assert result.exit_code != 0 and "{id}" in result.output
