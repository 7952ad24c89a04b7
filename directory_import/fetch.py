"""Reading a source over HTTP: timeouts, retries with back-off, a size limit, and conditional requests.

The ETag and Last-Modified a server sent are remembered (in ``SourceState``, by the caller) and sent back,
so an unchanged export costs one request answered ``304 Not Modified``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from directory_import.readers.base import CodedError

logger = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "brussels-helpdesk-directory-import/1.0"


class FetchError(CodedError):
    """The source could not be downloaded; the message says why in plain words."""


@dataclass(frozen=True)
class FetchReport:
    """What a download gave: a file (None when the server said 'not modified') and the validators to keep."""

    path: Path | None
    not_modified: bool
    etag: str
    last_modified: str
    size: int = 0


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def fetch(
    url: str,
    dest_dir: str | Path | None = None,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float = 30,
    max_bytes: int = 200 * 1024 * 1024,
    retries: int = 3,
    backoff: float = 1.0,
    http: requests.Session | None = None,
) -> FetchReport:
    """Download ``url`` into a new file in ``dest_dir`` (system temp folder by default).

    Sends ``If-None-Match`` / ``If-Modified-Since`` when ``etag`` / ``last_modified`` are given. Connection
    errors, timeouts and 429/5xx answers are retried ``retries`` times, waiting ``backoff``, then twice as
    long each time. A body larger than ``max_bytes`` is refused. Raises ``FetchError``.
    """
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    client = http or requests.Session()
    delay = backoff
    last_problem = ""
    try:
        for attempt in range(retries + 1):
            if attempt:
                logger.info("retrying %s in %.1f s (%s)", url, delay, last_problem)
                time.sleep(delay)
                delay *= 2
            try:
                response = client.get(url, headers=headers, timeout=timeout, stream=True)
            except requests.Timeout:
                last_problem = f"no answer within {timeout:g} seconds"
                continue
            except requests.ConnectionError as error:
                last_problem = f"cannot connect ({error.__class__.__name__})"
                continue
            except requests.RequestException as error:
                raise FetchError(f"cannot download {url}: {error}", "download_failed", url=url,
                                 detail=str(error)) from None
            with response:
                if response.status_code in RETRY_STATUSES:
                    last_problem = f"the server answered {response.status_code}"
                    continue
                if response.status_code == 304:
                    return FetchReport(None, True, etag, last_modified)
                if response.status_code != 200:
                    raise FetchError(f"the server answered {response.status_code} {response.reason} for {url}",
                                     "http_status", url=url, status=f"{response.status_code} {response.reason}")
                try:
                    return _save(response, dest_dir, max_bytes)
                except (requests.ConnectionError, requests.Timeout) as error:
                    last_problem = f"the download broke off ({error.__class__.__name__})"
                    continue
        raise FetchError(f"cannot download {url} after {retries + 1} attempts: {last_problem}", "retries_exhausted",
                         url=url, attempts=retries + 1, detail=last_problem)
    finally:
        if http is None:
            client.close()


def _save(response: requests.Response, dest_dir: str | Path | None, max_bytes: int) -> FetchReport:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the export is too large ({int(declared):,} bytes, limit {max_bytes:,})", "too_large",
                         limit=max_bytes)
    fd, name = tempfile.mkstemp(prefix="directory-", suffix=".download", dir=dest_dir)
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"the export is too large (more than {max_bytes:,} bytes)", "too_large",
                                     limit=max_bytes)
                handle.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return FetchReport(Path(name), False, response.headers.get("ETag", ""),
                       response.headers.get("Last-Modified", ""), size)
