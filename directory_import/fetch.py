"""Reading a source over HTTP: a guarded destination, one deadline for the whole download, retries, a size
limit, and conditional requests.

Only http and https reach the network, and only public addresses: every hop (the first request and each
redirect, followed here, never by the HTTP library) is resolved once, each address checked, and the
connection made to that very address (the name kept for the Host header, SNI and the certificate), so a
name cannot point elsewhere between the check and the connection. Hosts listed in ``allowed_hosts`` (an
export served on the premises) skip the address check. Whatever goes wrong on the network is one
``FetchError`` coded ``unreachable``: its details go to the log, never to the person who typed the address.

The ETag and Last-Modified a server sent are remembered (in ``SourceState``, by the caller) and sent back,
so an unchanged export costs one request answered ``304 Not Modified``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util import Retry, Timeout

from directory_import.readers.base import CodedError

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
USER_AGENT = "brussels-helpdesk-directory-import/1.0"
_CHUNK = 1 << 16

Progress = Callable[[int], None]


class FetchError(CodedError):
    """The source could not be downloaded. ``code``: ``unreachable`` (any network failure or unexpected
    answer; details logged), ``address_refused`` (an internal address), ``bad_scheme``, ``too_large``."""


@dataclass(frozen=True)
class FetchReport:
    """What a download gave: a file (None when the server said 'not modified') and the validators to keep."""

    path: Path | None
    not_modified: bool
    etag: str
    last_modified: str
    size: int = 0
    link: str = ""  # the answer's Link header (``<...>; rel="next"`` of a paged list)


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


# --- where a request may go ----------------------------------------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped ::ffff:a.b.c.d, 6to4, NAT64, compatible ::a.b.c.d)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def is_public_address(value: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local, multicast,
    reserved, unspecified or shared, in IPv4 or IPv6, an IPv4 address written in IPv6 included."""
    address = ipaddress.ip_address(value.split("%", 1)[0] if isinstance(value, str) else value)
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:  # an IPv4 address in IPv6 clothes is what it stands for
            return is_public_address(inner)
    return (
        not (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        )
        and address.is_global
    )


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def resolve_destination(host: str, port: int, allowed_hosts: Collection[str] = ()) -> str:
    """The IP address to connect to for ``host``, resolved once. Raises ``FetchError`` (``address_refused``)
    when any address the name resolves to is not public, unless the host is in ``allowed_hosts``; odd
    spellings of an address (``0x7f000001``, ``2130706433``, ``127.1``) are resolved like a name first."""
    name = _normal_host(host)
    try:
        found = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise _unreachable(f"cannot resolve {name!r}: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise _unreachable(f"{name!r} resolves to no address")
    if name not in {_normal_host(h) for h in allowed_hosts}:
        refused = [a for a in addresses if not is_public_address(a)]
        if refused:
            logger.warning(
                "fetch: refused %s (resolves to %s, not a public address)", name, ", ".join(refused)
            )
            raise FetchError(
                f"{host} is not a public address ({', '.join(refused)}); list it in "
                "HELPDESK_FETCH_ALLOWED_HOSTS if the export is served on the premises",
                "address_refused",
                host=host,
            )
    return addresses[0]


def _unreachable(detail: str, url: str = "") -> FetchError:
    logger.warning("fetch: %s cannot be downloaded: %s", url or "source", detail)
    return FetchError(
        f"cannot download {url or 'the source'} (details in the server log)", "unreachable", url=url
    )


def check_url(url: str, allowed_hosts: Collection[str] = ()) -> str:
    """Refuse at once an address ``fetch`` would refuse: not http(s), no host, or a name that resolves to an
    internal address (see ``resolve_destination``). Returns the address it resolves to. ``fetch`` checks
    again (each hop, and the address it connects to): this is for a quick answer on a form."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"only http and https addresses can be imported ({url})", "bad_scheme", url=url)
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _unreachable("the address has no valid port", url) from None
    if not host:
        raise _unreachable("the address has no host", url)
    return resolve_destination(host, port, allowed_hosts)


# --- one deadline for everything -----------------------------------------------------------------------


class _Deadline:
    """The whole download's budget. When it runs out every socket opened for it is shut, so a server that
    trickles a few bytes at a time is cut off then, not one read timeout later."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self.ends - time.monotonic(), 0.0)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _DeadlineRetry(Retry):
    """urllib3's retries (back-off doubling, Retry-After honoured) that never wait past the deadline."""

    deadline: _Deadline | None = None

    def new(self, **kw):
        fresh = super().new(**kw)
        fresh.deadline = self.deadline
        return fresh

    def is_exhausted(self) -> bool:
        return (self.deadline is not None and self.deadline.expired) or super().is_exhausted()

    def sleep(self, response=None) -> None:
        wait = (
            self.get_retry_after(response)
            if response is not None and self.respect_retry_after_header
            else None
        )
        wait = self.get_backoff_time() if wait is None else wait
        if self.deadline is not None and wait >= self.deadline.remaining():
            raise _unreachable(f"the next attempt would start after the deadline (waiting {wait:g} s)")
        if wait > 0:
            time.sleep(wait)


def _pool(scheme: str, host: str, address: str, port: int, deadline: _Deadline):
    """A connection pool to ``address`` that speaks to ``host`` (Host header, SNI, certificate)."""
    base = HTTPSConnection if scheme == "https" else HTTPConnection

    class Connection(base):  # type: ignore[misc,valid-type]
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, maxsize=1)
    pool.ConnectionCls = Connection
    return pool


# --- the download --------------------------------------------------------------------------------------


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
    allowed_hosts: Collection[str] = (),
    progress: Progress | None = None,
) -> FetchReport:
    """Download ``url`` into a new file in ``dest_dir`` (system temp folder by default).

    ``timeout`` is the whole download's budget in seconds (connections, retries, waits and body alike).
    Sends ``If-None-Match`` / ``If-Modified-Since`` when ``etag`` / ``last_modified`` are given. Connection
    errors and 429/5xx answers are retried ``retries`` times, waiting ``backoff`` then twice as long each time
    (or what Retry-After says). A body larger than ``max_bytes`` is refused. ``progress`` is called with the
    bytes received so far. Redirects are followed here, each hop checked like the first. Raises ``FetchError``.
    """
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = _Deadline(timeout)
    try:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            response, pool = _request(current, headers, deadline, retries, backoff, allowed_hosts)
            try:
                status = response.status
                if status in REDIRECT_STATUSES and response.headers.get("Location"):
                    current = urljoin(current, response.headers["Location"])
                    logger.info("fetch: %s redirects to %s", url, current)
                    continue
                if status == 304:
                    return FetchReport(None, True, etag, last_modified)
                if status != 200:
                    raise _unreachable(f"the server answered {status} {response.reason}", url)
                return _save(response, dest_dir, max_bytes, deadline, url, progress)
            finally:
                response.close()  # never back to a pool: one connection per hop, closed with its answer
                response.release_conn()
                pool.close()
        raise _unreachable(f"more than {MAX_REDIRECTS} redirects", url)
    finally:
        deadline.cancel()


def fetch_bytes(url: str, *, max_bytes: int = 20 * 1024 * 1024, **options) -> tuple[bytes, FetchReport]:
    """Like ``fetch`` (same options and guard) for a small document wanted in memory: (body, report); the
    body is ``b""`` when the server answered 304."""
    with tempfile.TemporaryDirectory(prefix="directory-fetch-") as folder:
        report = fetch(url, folder, max_bytes=max_bytes, **options)
        body = report.path.read_bytes() if report.path is not None else b""
    return body, FetchReport(None, report.not_modified, report.etag, report.last_modified, report.size)


def _request(
    url: str, headers: dict, deadline: _Deadline, retries: int, backoff: float, allowed_hosts: Collection[str]
):
    if deadline.expired:
        raise _unreachable("the deadline passed", url)
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    address = check_url(url, allowed_hosts)
    port = parts.port or (443 if scheme == "https" else 80)
    pool = _pool(scheme, host, address, port, deadline)
    retry = _DeadlineRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=False,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    retry.deadline = deadline
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    hop_headers = {**headers, "Host": parts.netloc.rsplit("@", 1)[-1]}
    remaining = deadline.remaining()
    try:
        response = pool.urlopen(
            "GET",
            target,
            headers=hop_headers,
            retries=retry,
            redirect=False,
            preload_content=False,
            timeout=Timeout(connect=remaining, read=remaining),
            assert_same_host=False,
        )
    except FetchError:
        pool.close()
        raise
    except (Urllib3Error, OSError) as error:
        pool.close()
        reason = "the deadline passed" if deadline.expired else f"{error.__class__.__name__}: {error}"
        raise _unreachable(reason, url) from None
    return response, pool


def _save(
    response,
    dest_dir: str | Path | None,
    max_bytes: int,
    deadline: _Deadline,
    url: str,
    progress: Progress | None,
) -> FetchReport:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            f"the export is too large ({int(declared):,} bytes, limit {max_bytes:,})",
            "too_large",
            limit=max_bytes,
        )
    fd, name = tempfile.mkstemp(prefix="directory-", suffix=".download", dir=dest_dir)
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                for chunk in response.stream(_CHUNK, decode_content=True):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(
                            f"the export is too large (more than {max_bytes:,} bytes)",
                            "too_large",
                            limit=max_bytes,
                        )
                    handle.write(chunk)
                    if deadline.expired:
                        break
                    if progress is not None:
                        progress(size)
            except (Urllib3Error, OSError) as error:
                if not deadline.expired:
                    raise _unreachable(
                        f"the download broke off ({error.__class__.__name__}: {error})", url
                    ) from None
            if deadline.expired:
                raise _unreachable(f"the deadline passed after {size:,} bytes", url)
            if declared.isdigit() and size < int(declared) and "Content-Encoding" not in response.headers:
                raise _unreachable(f"the download broke off after {size:,} of {declared} bytes", url)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return FetchReport(
        Path(name),
        False,
        response.headers.get("ETag", ""),
        response.headers.get("Last-Modified", ""),
        size,
        response.headers.get("Link", ""),
    )
