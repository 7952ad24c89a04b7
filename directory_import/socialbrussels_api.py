"""The social.brussels REST API as a source: a list endpoint of summaries, then each record fetched politely.

``crawl`` reads the list (``url``), then fetches ``record_url`` (``.../organisation/{id}``) for every id it
names: a few requests at a time (``concurrency``), a pause between two requests (``delay``), retries with
back-off and conditional requests per record (the ETag / Last-Modified of each record is kept beside its body,
so an unchanged record costs a ``304``). Bodies are kept in a cache folder: a crawl that stops (a deadline, a
crash, records that failed) is resumed by the next one, which fetches only what it had not fetched yet; a
record that fails (an error status, a timeout, garbage) is reported with its position and never stops the
others. ``import_api`` then imports what was fetched through the ordinary import (``sync.import_path``): a
record that could not be fetched this time leaves its organisation as it was. No database work happens during
the crawl; the HTTP work goes through ``fetch.fetch``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from sqlalchemy.orm import Session

from directory_import.fetch import FetchError, FetchReport, fetch
from directory_import.list_pages import next_page
from directory_import.models import ImportRun
from directory_import.readers.base import ReaderItem, ReadLimits, RejectedRecord, SourceError, params
from directory_import.readers.socialbrussels import raw_items, read_socialbrussels
from directory_import.source_vocabularies import Labels, with_labels
from directory_import.sync import DEFAULT_SOURCE_KEY, ImportReport, import_path

logger = logging.getLogger(__name__)

STATE = "crawl.json"
PAGES = "pages"  # the list's pages, one file each, named for their address
COMBINED = "records.json"


@dataclass(frozen=True)
class CrawlPolicy:
    """How politely records are fetched."""

    concurrency: int = 2  # requests at the same time
    delay: float = 0.5  # seconds between the starts of two requests, whatever the concurrency
    timeout: float = 30  # per request
    retries: int = 2  # per record: connection errors, timeouts, 429 and 5xx
    backoff: float = 1.0
    max_bytes: int = 5 * 1024 * 1024  # per record
    list_max_bytes: int = 200 * 1024 * 1024  # per page of the list
    max_pages: int = 1000  # of a paged list: past it nothing is imported (a partial list would archive)
    deadline: float | None = None  # seconds for the whole crawl; what is left waits for the next sync
    resume_within: float = 12 * 3600  # an unfinished crawl younger than this is resumed, else started afresh
    allowed_hosts: tuple[str, ...] = ()  # hosts on the premises the fetch guard lets through (see fetch)


# The codes of the rejected rows of records that could not be fetched (they are asked for again next time).
UNFETCHED_CODES = ("record_fetch_failed", "record_garbage", "record_deferred")


def unfetched_ids(rejected: Iterable[Any]) -> list[str]:
    """The ids of the records an import's rejected rows say could not be fetched, in their order."""
    return [
        str(dict(row.params).get("id", "")) for row in rejected if getattr(row, "code", "") in UNFETCHED_CODES
    ]


@dataclass(frozen=True)
class CrawlFailure:
    """A record that could not be fetched: its position in the list, its id and why."""

    position: int
    source_id: str
    reason: str
    code: str = "record_fetch_failed"

    def rejected(self) -> RejectedRecord:
        return RejectedRecord(
            self.position,
            f"record {self.source_id} could not be fetched ({self.reason}); "
            "its organisation is left as it was",
            self.code,
            params(id=self.source_id, detail=self.reason),
            source_id=self.source_id,
        )


@dataclass
class CrawlReport:
    """What a crawl did; ``path`` is the list of fetched records, ready for the socialbrussels reader."""

    path: Path
    listed: int = 0
    pages: int = 0  # of the list
    fetched: int = 0  # answered 200 with a record
    not_modified: int = 0  # answered 304: the kept body is used
    resumed: int = 0  # fetched by the crawl this one resumes
    list_not_modified: bool = False
    resumed_crawl: bool = False
    complete: bool = False
    failures: list[CrawlFailure] = field(default_factory=list)
    list_rejected: list[RejectedRecord] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # position in the list of each record of ``path``

    def items(self, items: Iterable[ReaderItem]) -> Iterator[ReaderItem]:
        """The reader's stream of ``path`` with each row at its position in the list, then the rows of the
        list that had no id and the records that could not be fetched."""
        for item in items:
            if 0 < item.line <= len(self.positions):
                item = dataclasses.replace(item, line=self.positions[item.line - 1])
            yield item
        yield from self.list_rejected
        for failure in self.failures:
            yield failure.rejected()

    def summary(self) -> str:
        return (
            f"{self.listed} listed, {self.fetched} fetched, {self.not_modified} not modified, "
            f"{self.resumed} kept from the interrupted crawl, {len(self.failures)} failed"
        )


class _Pacer:
    """At most one request start every ``delay`` seconds across all workers."""

    def __init__(self, delay: float) -> None:
        self.delay = max(0.0, delay)
        self.lock = threading.Lock()
        self.next = 0.0

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.delay
        if start > now:
            time.sleep(start - now)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _file_name(source_id: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", source_id)[:60]
    return f"{readable}-{hashlib.sha256(source_id.encode()).hexdigest()[:10]}"


def record_from_body(data: bytes) -> dict[str, Any] | None:
    """The record an API answer holds (the object itself, or the one object it wraps); None for anything
    else (garbage, an HTML error page, a list)."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(value, dict) and "id" not in {k.lower() for k in value}:
        inner = [v for v in value.values() if isinstance(v, dict)]
        if len(inner) == 1:
            value = inner[0]
    return value if isinstance(value, dict) and value else None


def _get(
    url: str, folder: Path, policy: CrawlPolicy, max_bytes: int, meta: dict | None = None
) -> FetchReport:
    """``fetch`` with the crawl's timeout, retries and host checks; the validators kept in ``meta``."""
    meta = meta or {}
    return fetch(
        url,
        folder,
        etag=str(meta.get("etag") or ""),
        last_modified=str(meta.get("last_modified") or ""),
        timeout=policy.timeout,
        max_bytes=max_bytes,
        retries=policy.retries,
        backoff=policy.backoff,
        allowed_hosts=policy.allowed_hosts,
    )


def _summaries(pages: list[Path]) -> tuple[list[tuple[int, str]], list[RejectedRecord]]:
    """(position, id) of each record the list's pages name, and its rows that name none; positions run on
    from one page to the next."""
    wanted: list[tuple[int, str]] = []
    rejected: list[RejectedRecord] = []
    first: dict[str, int] = {}
    offset = 0
    for page in pages:
        count = 0
        for item in read_socialbrussels(page):
            count = max(count, item.line)
            line = offset + item.line
            if isinstance(item, RejectedRecord):
                rejected.append(dataclasses.replace(item, line=line))
            elif not item.source_id.strip():
                rejected.append(RejectedRecord(line, "no id", "no_id"))
            elif item.source_id.strip() in first:
                source_id = item.source_id.strip()
                rejected.append(
                    RejectedRecord(
                        line,
                        f"the id {source_id} appears twice (first on line {first[source_id]}); "
                        "this one is skipped",
                        "duplicate_id",
                        params(id=source_id, first_line=first[source_id]),
                    )
                )
            else:
                first[item.source_id.strip()] = line
                wanted.append((line, item.source_id.strip()))
        offset += count
    return wanted, rejected


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _page_records(page: Path) -> int:
    """How many records a page of the list holds (streamed; raises ``SourceError`` on a broken page)."""
    return sum(1 for _ in read_socialbrussels(page))


def _list_pages(
    url: str,
    cache: Path,
    state: dict[str, Any],
    policy: CrawlPolicy,
    pacer: _Pacer,
    resume: bool,
    started: float,
    report: CrawlReport,
) -> list[Path]:
    """Fetch the list at ``url`` and the pages after it (see ``list_pages.next_page``): conditionally (each
    page's validators are kept in ``state``), paced like the records, at most ``policy.max_pages``, never
    off the list's own host. A page fetched by the crawl being resumed, when its listing broke off, is not
    asked for again. Saves ``state`` after each page, so a list that breaks off is resumed at the page that
    failed. Raises
    ``FetchError`` / ``SourceError`` when a page cannot be had: a partial list would archive what it
    misses, so nothing is imported then."""
    folder = cache / PAGES
    folder.mkdir(parents=True, exist_ok=True)
    known = {
        str(p["url"]): p
        for p in state.get("pages") or []
        if isinstance(p, dict) and isinstance(p.get("url"), str)
    }
    origin = _origin(url)
    # Only a listing that broke off is resumed page by page; one that was complete is asked again (each page
    # conditionally), so that the records resumed are those of the list as it is now.
    listing_resumed = resume and not state.get("listed")
    ordered: list[dict[str, Any]] = []
    paths: list[Path] = []
    not_modified = True
    current = url
    while current:
        if current in {p["url"] for p in ordered}:
            logger.warning("list of %s: page %s links back to an earlier page; stopping there", url, current)
            break
        if _origin(current) != origin:
            raise SourceError(
                f"the list's next page {current} is on another host than the list; nothing is imported",
                "list_page_elsewhere",
                url=current,
            )
        if len(ordered) >= policy.max_pages:
            raise SourceError(
                f"the list has more than {policy.max_pages} pages (SOCIALBRUSSELS_MAX_PAGES); nothing is imported",
                "list_too_many_pages",
                limit=policy.max_pages,
            )
        path = folder / f"{hashlib.sha256(current.encode()).hexdigest()[:24]}.json"
        meta = known.get(current, {}) if path.is_file() else {}
        if not (listing_resumed and meta.get("crawl") == state["crawl"] and "next" in meta):
            if ordered and policy.deadline is not None and time.monotonic() - started >= policy.deadline:
                raise FetchError(
                    "the crawl's deadline passed while reading the list's pages; the next sync goes on from here",
                    "unreachable",
                )
            if ordered:
                pacer.wait()
            answer = _get(current, cache, policy, policy.list_max_bytes, meta)
            if answer.not_modified and "next" in meta:
                meta = {**meta, "crawl": state["crawl"]}
            else:
                if answer.path is None:  # 304 for a page whose link we had not kept: ask again, afresh
                    answer = _get(current, cache, policy, policy.list_max_bytes)
                if answer.path is None:
                    raise FetchError(
                        f"{current} answers 304 Not Modified to a request without validators", "unreachable"
                    )
                answer.path.replace(path)
                try:
                    records_on_page = _page_records(path)
                except SourceError:  # garbage this time: not kept, so the next sync asks for it again
                    path.unlink(missing_ok=True)
                    raise
                following = next_page(current, path, answer.link)
                if following and ordered and not records_on_page:
                    following = ""  # an empty page: whatever it says, the list ends here
                meta = {
                    "url": current,
                    "etag": answer.etag,
                    "last_modified": answer.last_modified,
                    "next": following,
                    "crawl": state["crawl"],
                }
                not_modified = False
        ordered.append(meta)
        paths.append(path)
        known[current] = meta
        state["pages"] = ordered + [p for u, p in known.items() if u not in {o["url"] for o in ordered}]
        _write_json(cache / STATE, state)
        current = str(meta.get("next") or "")
    state["pages"] = ordered  # pages no longer in the list are forgotten
    state["listed"] = True
    _write_json(cache / STATE, state)
    report.pages = len(ordered)
    report.list_not_modified = not_modified
    return paths


def _combine_pages(pages: list[Path], report: CrawlReport, limits: ReadLimits | None = None) -> int:
    """Write the records of the list's pages, in order, as one list at ``report.path``; how many records
    the pages hold (a record refused as too large is a rejected row at its position, not written)."""
    count = written = 0
    report.positions = []
    with report.path.open("w", encoding="utf-8") as combined:
        combined.write("[")
        for page in pages:
            for _position, item, refused in raw_items(page, limits=limits):
                count += 1
                if refused is not None:
                    report.list_rejected.append(dataclasses.replace(refused, line=count))
                    continue
                combined.write(("," if written else "") + "\n" + json.dumps(item, ensure_ascii=False))
                report.positions.append(count)
                written += 1
        combined.write("\n]\n")
    return count


def crawl(
    url: str,
    record_url: str,
    cache_dir: str | Path,
    policy: CrawlPolicy = CrawlPolicy(),
    *,
    progress: Callable[[int], None] | None = None,
    limits: ReadLimits | None = None,
) -> CrawlReport:
    """Fetch the list at ``url`` and each record it names at ``record_url`` (``{id}`` replaced), keeping
    bodies and validators in ``cache_dir``. Returns the ``CrawlReport``; raises ``FetchError`` or
    ``SourceError`` only when the list itself cannot be had (nothing is imported then). Without
    ``record_url`` the list's pages hold the records, written as they are (``limits`` applied to them)."""
    if record_url and "{id}" not in record_url:
        raise SourceError(
            "the record URL must hold {id}, where each organisation's id goes", "record_url", url=record_url
        )
    cache = Path(cache_dir)
    records = cache / "records"
    records.mkdir(parents=True, exist_ok=True)
    state = _read_json(cache / STATE)
    now = datetime.now(UTC)
    try:
        age = (now - datetime.fromisoformat(state["started_at"])).total_seconds()
    except (KeyError, TypeError, ValueError):
        age = float("inf")
    resume = bool(state.get("crawl")) and not state.get("complete") and age < policy.resume_within
    if not resume:
        state = {
            "crawl": uuid.uuid4().hex,
            "started_at": now.isoformat(),
            "complete": False,
            "pages": state.get("pages") if isinstance(state.get("pages"), list) else [],  # their validators
        }
    report = CrawlReport(cache / COMBINED, resumed_crawl=resume)
    pacer = _Pacer(policy.delay)
    started = time.monotonic()
    pages = _list_pages(url, cache, state, policy, pacer, resume, started, report)
    if not record_url:  # the list holds the records themselves
        report.listed = _combine_pages(pages, report, limits)
        report.fetched = len(report.positions)
        report.complete = True
        state["complete"] = True
        _write_json(cache / STATE, state)
        logger.info("list of %s: %s pages, %s records", url, len(pages), report.listed)
        return report
    wanted, report.list_rejected = _summaries(pages)
    report.listed = len(wanted)

    local = threading.local()
    sessions: list[requests.Session] = []
    lock = threading.Lock()
    done = {"count": 0}

    def client() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            with lock:
                sessions.append(local.session)
        return local.session

    def one(position: int, source_id: str) -> tuple[str, CrawlFailure | None]:
        body, meta_path = (
            records / f"{_file_name(source_id)}.json",
            records / f"{_file_name(source_id)}.meta.json",
        )
        meta = _read_json(meta_path) if body.is_file() else {}
        if resume and meta.get("crawl") == state["crawl"]:
            return "resumed", None
        if policy.deadline is not None and time.monotonic() - started >= policy.deadline:
            return "failed", CrawlFailure(
                position,
                source_id,
                "not fetched before the crawl's deadline; the next sync goes on from here",
                "record_deferred",
            )
        pacer.wait()
        address = record_url.replace("{id}", quote(source_id, safe=""))
        try:
            answer = _get(address, records, policy, policy.max_bytes, meta)
        except FetchError as error:
            return "failed", CrawlFailure(position, source_id, str(error))
        if answer.not_modified:
            _write_json(meta_path, {**meta, "crawl": state["crawl"]})
            return "not_modified", None
        try:
            record = record_from_body(answer.path.read_bytes())
        finally:
            answer.path.unlink(missing_ok=True)
        if record is None:
            return "failed", CrawlFailure(
                position, source_id, "the answer is not a JSON record", "record_garbage"
            )
        _write_json(body, record)
        _write_json(
            meta_path,
            {
                "etag": answer.etag,
                "last_modified": answer.last_modified,
                "crawl": state["crawl"],
                "fetched_at": datetime.now(UTC).isoformat(),
            },
        )
        return "fetched", None

    def counted(args: tuple[int, str]) -> tuple[str, CrawlFailure | None]:
        try:
            outcome = one(*args)
        except OSError as error:  # the cache folder: the record is retried next time
            outcome = "failed", CrawlFailure(args[0], args[1], f"cannot keep the record ({error})")
        with lock:
            done["count"] += 1
            if progress is not None:
                progress(done["count"])
        return outcome

    try:
        with ThreadPoolExecutor(max_workers=max(1, policy.concurrency)) as pool:
            outcomes = list(pool.map(counted, wanted))
    finally:
        for session in sessions:
            session.close()
    with report.path.open("w", encoding="utf-8") as combined:
        combined.write("[")
        written = 0
        for (position, source_id), (outcome, failure) in zip(wanted, outcomes, strict=True):
            if failure is not None:
                report.failures.append(failure)
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            text = (records / f"{_file_name(source_id)}.json").read_text(encoding="utf-8")
            combined.write(("," if written else "") + "\n" + text)
            report.positions.append(position)
            written += 1
        combined.write("\n]\n")
    report.complete = not report.failures
    state["complete"] = report.complete
    _write_json(cache / STATE, state)
    logger.info("crawl of %s: %s", url, report.summary())
    return report


def import_api(
    session: Session,
    url: str,
    record_url: str,
    cache_dir: str | Path,
    *,
    policy: CrawlPolicy = CrawlPolicy(),
    source_key: str = "",
    dry_run: bool = False,
    started_by: str = "",
    labels: Labels | None = None,
    progress: Callable[[int], None] | None = None,
    limits: ReadLimits | None = None,
) -> tuple[ImportRun, ImportReport, CrawlReport]:
    """Crawl ``url`` / ``record_url`` and import what was fetched as one import run (see ``sync.import_path``;
    flushes, never commits; ``limits`` as the readers take them). ``labels``
    (``source_vocabularies.vocabulary_labels``) name the ids records give without labels. Records that could
    not be fetched are rejected rows that leave their organisation as it was. Without ``record_url`` the
    list's pages hold the records themselves."""
    crawled = crawl(url, record_url, cache_dir, policy, progress=progress, limits=limits)
    if crawled.failures:
        logger.warning(
            "crawl of %s: %s records not fetched, asked for again at the next sync: %s",
            url,
            len(crawled.failures),
            ", ".join(f.source_id for f in crawled.failures[:100]),
        )

    def transform(items: Iterator[ReaderItem]) -> Iterable[ReaderItem]:
        return with_labels(crawled.items(items), labels or {})

    run, report = import_path(
        session,
        crawled.path,
        source=url,
        source_key=source_key or DEFAULT_SOURCE_KEY,
        fmt="socialbrussels",
        dry_run=dry_run,
        started_by=started_by,
        transform=transform,
        limits=limits,
    )
    return run, report, crawled
