"""The social.brussels API as a source, against a stand-in server on 127.0.0.1 started by the test: a list
endpoint of summaries, one endpoint per record with ETags, and records that fail in the ways servers fail."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import func, select

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
    # How the list pages: "" (one page), or the shape of a paged REST list (see ``_list_page``).
    paging: str = ""
    page_size: int = 2
    failing_pages: set[int] = field(default_factory=set)  # pages (from 1) answering 500
    garbage_pages: set[int] = field(default_factory=set)  # pages (from 1) answering 200 with HTML
    whole: bool = False  # the list holds the whole records, not summaries
    next_host: str = ""  # the host the next links name (default: the list's own)
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

    def list_requests(self) -> list[str]:
        return [path for path, _ in self.asked if path.startswith("/rest/search/organisation")]


def _list_page(state: ApiServer, query: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """One page of the list in the shape ``state.paging`` names: status, body, headers."""
    rows = [
        r
        if state.whole
        else {"id": source_id, "nameOfficialFr": r.get("nameOfficialFr"), "lastUpdate": r.get("lastUpdate")}
        for source_id, r in state.records.items()
    ]
    if not state.paging:
        return 200, json.dumps({"total": len(rows), "results": rows}).encode(), {}
    size = state.page_size
    count = max(1, -(-len(rows) // size))
    zero_based = state.paging == "spring"
    if state.paging == "offset":
        number = int(query.get("offset", "0")) // size + 1
    else:
        number = int(query.get("page", "0" if zero_based else "1")) + (1 if zero_based else 0)
    if number in state.failing_pages:
        return 500, b'{"error": "internal"}', {}
    if number in state.garbage_pages:
        return 200, b"<html><body>Maintenance</body></html>", {}
    chunk = rows[(number - 1) * size : number * size]
    base = state.next_host or state.base
    nxt = f"/rest/search/organisation?page={number + 1}" if number < count else None
    headers: dict[str, str] = {}
    if state.paging == "next":  # Django REST framework: a relative next link here
        body = {"count": len(rows), "next": nxt, "previous": None, "results": chunk}
    elif state.paging == "page":
        body = {"page": number, "totalPages": count, "results": chunk}
    elif state.paging == "spring":
        body = {"content": chunk, "number": number - 1, "totalPages": count, "last": number == count}
    elif state.paging == "hal":
        body = {
            "_embedded": {"organisations": chunk},
            "_links": {"self": {"href": base}, **({"next": {"href": base + nxt}} if nxt else {})},
            "page": {"size": size, "totalElements": len(rows), "totalPages": count, "number": number - 1},
        }
    elif state.paging == "offset":
        body = {"offset": (number - 1) * size, "limit": size, "total": len(rows), "items": chunk}
    elif state.paging == "link":
        body = chunk
        if nxt:
            headers["Link"] = (
                f'<{base}{nxt}>; rel="next", <{base}/rest/search/organisation?page=1>; rel="first"'
            )
    else:
        raise AssertionError(state.paging)
    if state.paging == "next" and state.next_host and nxt:
        body["next"] = base + nxt
    return 200, json.dumps(body, ensure_ascii=False).encode(), headers


@pytest.fixture
def api() -> Iterator[ApiServer]:
    state = ApiServer()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes = b"", etag: str = "", headers=None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
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
            path, _, query = self.path.partition("?")
            if path == "/rest/search/organisation":
                status, body, headers = _list_page(state, dict(parse_qsl(query)))
                etag = f'"list-{hashlib.sha256(body).hexdigest()[:12]}"'
                if status != 200:
                    return self._send(status, body)
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", etag, headers)
                return self._send(200, body, etag, headers)
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


# --- a list that pages ---------------------------------------------------------------------------------
PAGINGS = ["next", "page", "spring", "hal", "offset", "link"]


@pytest.mark.parametrize("paging", PAGINGS)
def test_socialbrussels_api_paged_list_is_followed_to_its_last_page(session, api, tmp_path, paging):
    api.paging = paging
    run, report, crawled = _import(session, api, tmp_path / "cache")
    assert len(api.list_requests()) == 3  # 5 records, 2 a page
    assert (crawled.pages, crawled.listed, crawled.fetched) == (3, 5, 5)
    assert sorted(api.record_requests()) == sorted(api.records)
    assert (report.added, report.rejected, run.status) == (5, [], "applied")


@pytest.mark.parametrize("paging", ["next", "link"])
def test_socialbrussels_api_paged_list_unchanged_costs_a_304_a_page(session, api, tmp_path, paging):
    api.paging = paging
    _import(session, api, tmp_path / "cache")
    api.asked.clear()
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert crawled.list_not_modified and crawled.pages == 3
    assert len(api.list_requests()) == 3 and all(etag for _path, etag in api.asked)
    assert (report.unchanged, report.archived) == (5, 0)


def test_socialbrussels_api_paged_list_beyond_the_cap_imports_nothing(session, api, tmp_path):
    from directory_import.readers import SourceError

    api.paging = "page"
    policy = dataclasses.replace(FAST, max_pages=2)
    with pytest.raises(SourceError) as refused:
        import_api(session, api.list_url, api.record_url, tmp_path / "cache", policy=policy)
    assert refused.value.code == "list_too_many_pages"
    assert len(api.list_requests()) == 2 and api.record_requests() == []
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_socialbrussels_api_paged_list_resumes_at_the_page_that_failed(session, api, tmp_path):
    from directory_import.fetch import FetchError

    api.paging, api.failing_pages = "next", {2}
    with pytest.raises(FetchError):
        import_api(session, api.list_url, api.record_url, tmp_path / "cache", policy=FAST)
    session.rollback()
    # A partial list would archive what it misses: nothing is imported, no record is asked for.
    assert api.record_requests() == []
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0
    api.asked.clear()
    with pytest.raises(FetchError):
        import_api(session, api.list_url, api.record_url, tmp_path / "cache", policy=FAST)
    session.rollback()
    assert set(api.list_requests()) == {"/rest/search/organisation?page=2"}  # page 1 is not asked again
    api.failing_pages = set()
    api.asked.clear()
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert api.list_requests() == ["/rest/search/organisation?page=2", "/rest/search/organisation?page=3"]
    assert crawled.resumed_crawl and crawled.pages == 3 and report.added == 5


def test_socialbrussels_api_paged_list_never_follows_a_link_to_another_host(session, api, tmp_path):
    from directory_import.readers import SourceError

    api.paging, api.next_host = "next", "http://elsewhere.example"
    with pytest.raises(SourceError) as refused:
        import_api(session, api.list_url, api.record_url, tmp_path / "cache", policy=FAST)
    assert refused.value.code == "list_page_elsewhere"
    assert len(api.list_requests()) == 1 and api.record_requests() == []


def test_socialbrussels_api_paged_list_of_whole_records_without_record_url(session, api, tmp_path):
    api.paging, api.whole = "spring", True
    api.records["4444"] = {"id": 4444, "nameOfficialFr": None, "nameOfficialNl": ""}  # 6th: page 3
    run, report, crawled = _import_list(session, api, tmp_path / "cache")
    assert api.record_requests() == [] and crawled.pages == 3
    assert report.added == 5
    assert [(row.line, row.code) for row in report.rejected] == [(6, "no_name")]
    cpas = session.scalar(select(Organisation).where(Organisation.source_id == "4012"))
    assert cpas.phones[0] == "+32 2 435 51 38"


def _import_list(session, api: ApiServer, cache: Path):
    run, report, crawled = import_api(session, api.list_url, "", cache, policy=FAST)
    session.commit()
    return run, report, crawled


def test_socialbrussels_api_import_command_follows_the_pages_of_a_list_of_records(app, runner, api):
    app.config.update(
        SOCIALBRUSSELS_DELAY_SECONDS=0, FETCH_BACKOFF_SECONDS=0.01, FETCH_ALLOWED_HOSTS=list(LOCAL)
    )
    api.paging, api.whole = "link", True
    args = ["directory", "import", api.list_url, "--format", "socialbrussels", "--json"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == 5 and len(api.list_requests()) == 3
    again = runner.invoke(args=args)
    assert json.loads(again.output)["unchanged"] == 5


# --- a record that fails the first time it is asked for ------------------------------------------------
@pytest.mark.parametrize("failure", ["failing", "slow", "garbage"])
def test_socialbrussels_api_new_record_failing_its_first_fetch_is_added_by_the_next_sync(
    session, api, tmp_path, failure
):
    api.records["9999"] = {"id": 9999, "nameOfficialFr": "NOUVELLE ASBL", "telFr": ["02/218.00.01"]}
    getattr(api, failure).add("9999")
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert [f.source_id for f in crawled.failures] == ["9999"]
    assert report.added == 5  # the others import
    assert [(row.line, dict(row.params)["id"]) for row in report.rejected] == [(6, "9999")]
    assert session.scalar(select(Organisation).where(Organisation.source_id == "9999")) is None
    getattr(api, failure).clear()
    api.asked.clear()
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert api.record_requests() == ["9999"] and crawled.complete
    assert (report.added, report.unchanged, report.rejected) == (1, 5, [])
    added = session.scalar(select(Organisation).where(Organisation.source_id == "9999"))
    assert (added.name_fr, added.phones) == ("Nouvelle ASBL", ["+32 2 218 00 01"])


def test_socialbrussels_api_record_failing_again_after_the_resume_window_is_still_retried(
    session, api, tmp_path
):
    api.failing = {"6001"}
    policy = dataclasses.replace(FAST, resume_within=0)  # every sync starts afresh
    _import(session, api, tmp_path / "cache", policy)
    _r, report, crawled = _import(session, api, tmp_path / "cache", policy)
    assert not crawled.resumed_crawl and [f.source_id for f in crawled.failures] == ["6001"]
    api.failing = set()
    _r, report, crawled = _import(session, api, tmp_path / "cache", policy)
    assert report.added == 1 and crawled.complete


def test_socialbrussels_api_sync_command_names_the_records_not_fetched(app, runner, api):
    app.config.update(
        DIRECTORY_SOURCES=[{"url": api.list_url, "format": "socialbrussels", "record_url": api.record_url}],
        SOCIALBRUSSELS_DELAY_SECONDS=0,
        SOCIALBRUSSELS_TIMEOUT_SECONDS=2,
        SOCIALBRUSSELS_RETRIES=0,
        FETCH_BACKOFF_SECONDS=0.01,
        FETCH_ALLOWED_HOSTS=list(LOCAL),
    )
    api.failing, api.garbage = {"4012"}, {"8003"}
    result = runner.invoke(args=["directory", "sync", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "2 records could not be fetched" in result.output
    assert "asked for again at the next sync: 4012, 8003" in result.output
    api.failing, api.garbage = set(), set()
    result = runner.invoke(args=["directory", "sync"])
    assert "2 added" in result.output and "could not be fetched" not in result.output


def test_socialbrussels_api_resumed_crawl_reads_the_list_as_it_is_now(session, api, tmp_path):
    api.paging, api.failing = "next", {"6001"}
    _import(session, api, tmp_path / "cache")
    api.failing = set()
    api.records["9999"] = {"id": 9999, "nameOfficialFr": "NOUVELLE ASBL"}  # listed since
    api.asked.clear()
    _r, report, crawled = _import(session, api, tmp_path / "cache")
    assert crawled.resumed_crawl and len(api.list_requests()) == 3
    assert sorted(api.record_requests()) == ["6001", "9999"]
    assert (report.added, report.unchanged) == (2, 4)


def test_socialbrussels_api_paged_list_with_a_garbage_page_imports_nothing_then_recovers(
    session, api, tmp_path
):
    from directory_import.readers import SourceError

    api.paging, api.garbage_pages = "page", {2}
    with pytest.raises(SourceError):
        import_api(session, api.list_url, api.record_url, tmp_path / "cache", policy=FAST)
    session.rollback()
    assert api.record_requests() == []
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0
    api.garbage_pages = set()
    api.asked.clear()
    _run, report, crawled = _import(session, api, tmp_path / "cache")
    assert "/rest/search/organisation?page=2" in api.list_requests()
    assert "/rest/search/organisation" not in api.list_requests()  # page 1 was kept
    assert crawled.pages == 3 and report.added == 5
