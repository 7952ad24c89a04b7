"""Where the index lives on disk, who may write it, and the searchers that read it.

Layout of the index folder::

    CURRENT          name of the live generation folder (replaced atomically with os.replace)
    write.lock       one writer at a time across processes (filelock's flock, retried until a timeout)
    gen-<stamp>/     a complete Whoosh index; ``rebuild`` fills a new one and then points CURRENT at it

Readers open the generation named in CURRENT and keep their files open, so a swap or a commit never
pulls a file from under a running search; they notice a new generation or a new commit on their next
search and reopen, so new data shows without a restart.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout
from whoosh import index as whoosh_index

from search_index.schema import SCHEMA_VERSION, build_schema

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
LOCK = "write.lock"
LABELS = "labels.json"
KEEP_GENERATIONS = 2  # the live one and the previous one, which old readers may still be opening


class IndexUnavailable(Exception):
    """The index is missing or cannot be opened (corrupt); the caller should rebuild it."""


class IndexBusy(Exception):
    """Another process held the write lock for longer than the timeout."""


@dataclass(frozen=True)
class IndexStatus:
    path: str
    exists: bool
    generation: str = ""
    documents: int = 0
    size_bytes: int = 0
    built_at: str = ""
    error: str = ""


class SearchIndex:
    """An index folder. Thread-safe: each thread keeps its own searcher."""

    def __init__(self, path: str | os.PathLike, *, lock_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._local = threading.local()
        self._labels_cache: tuple[str, float, dict] | None = None

    # --- generations -------------------------------------------------------------------------------
    def current_generation(self) -> str:
        try:
            return (self.path / CURRENT).read_text().strip()
        except FileNotFoundError:
            return ""

    def generation_path(self, name: str | None = None) -> Path:
        return self.path / (name or self.current_generation())

    def exists(self) -> bool:
        name = self.current_generation()
        return bool(name) and (self.path / name).is_dir()

    def new_generation(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        folder = self.path / f"gen-{stamp}-{os.getpid()}"
        folder.mkdir()
        whoosh_index.create_in(str(folder), build_schema())
        (folder / "schema_version").write_text(str(SCHEMA_VERSION))
        return folder

    def publish(self, folder: Path) -> None:
        """Point CURRENT at ``folder`` atomically, then drop generations older than the previous one."""
        tmp = self.path / f".{CURRENT}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(folder.name)
        os.replace(tmp, self.path / CURRENT)
        self._drop_old_generations(folder.name)

    def _drop_old_generations(self, live: str) -> None:
        generations = sorted((p for p in self.path.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
        older = [p.name for p in generations if p.name != live]
        keep = {live} | set(older[-(KEEP_GENERATIONS - 1) :])
        for folder in generations:
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def open_whoosh(self, name: str | None = None):
        name = name or self.current_generation()
        folder = self.path / name if name else None
        if folder is None or not folder.is_dir():
            raise IndexUnavailable(f"no search index in {self.path}")
        try:
            version = (folder / "schema_version").read_text().strip()
        except (OSError, ValueError):  # missing, or garbage that is not even text
            version = ""
        if version != str(SCHEMA_VERSION):
            raise IndexUnavailable(f"index schema {version or '?'} is not {SCHEMA_VERSION} in {folder}")
        # Whoosh leaves the file it failed to parse open: drop it here rather than warn at random later.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return whoosh_index.open_dir(str(folder))
            except Exception as error:  # whoosh raises many kinds on a damaged folder
                failure = f"cannot open the search index in {folder}: {error!r}"
            gc.collect()
        raise IndexUnavailable(failure)

    # --- writing -----------------------------------------------------------------------------------
    @contextmanager
    def write_lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the index's write lock; retries until ``timeout`` (default ``lock_timeout``) then raises
        ``IndexBusy``."""
        self.path.mkdir(parents=True, exist_ok=True)
        # filelock's flock on Unix: released by the kernel if the process dies, exclusive between processes and
        # between two SearchIndex objects of one process; the file stays (unlinking it while another process
        # waits on it would let two writers in), and no soft-lock fallback (it could outlive a killed process).
        lock = FileLock(
            self.path / LOCK,
            thread_local=False,
            preserve_lock_file=True,
            fallback_to_soft=False,
            poll_interval=0.02,
        )
        try:
            lock.acquire(timeout=self.lock_timeout if timeout is None else timeout)
        except Timeout:
            raise IndexBusy(f"the search index at {self.path} is locked by another writer") from None
        try:
            yield
        finally:
            lock.release()

    # --- reading -----------------------------------------------------------------------------------
    def searcher(self):
        """A Whoosh searcher on the live data: reopened when CURRENT moved, refreshed after a commit."""
        state = getattr(self._local, "state", None)
        name = self.current_generation()
        if state is not None and state[0] == name:
            searcher = state[1]
            try:
                if searcher.up_to_date():
                    return searcher
                # Not Searcher.refresh(): it reuses segment readers and so misses deletions-only commits.
                fresh = searcher._ix.searcher()
                searcher.close()
                self._local.state = (name, fresh)
                self._local.cache = {}
                return fresh
            except Exception:  # the generation vanished under us: open the new one
                logger.info("search index: reopening after a change under a reader")
        if state is not None:
            try:
                state[1].close()
            except Exception:  # noqa: BLE001 - closing a stale reader must not fail a search
                pass
            self._local.state = None
        name, searcher = self._open_searcher()
        self._local.state = (name, searcher)
        self._local.cache = {}
        return searcher

    def _open_searcher(self, attempts: int = 4):
        """Open a searcher on the live generation, retrying a little when it moves under us.

        Between reading a generation's table of contents and opening its segment files, a writer's commit
        may merge and delete those segments, or a rebuild may swap and drop the generation: the open then
        fails with a missing file although the index is fine. Reading CURRENT again and reopening finds the
        new state; a folder that keeps failing is really damaged and raises ``IndexUnavailable``.
        """
        for attempt in range(attempts - 1):
            try:
                return self._open_live_searcher()
            except IndexUnavailable:
                if not self.current_generation():
                    raise
                time.sleep(0.005 * (attempt + 1))
        return self._open_live_searcher()

    def _open_live_searcher(self):
        name = self.current_generation()
        ix = self.open_whoosh(name)
        try:
            return name, ix.searcher()
        except Exception as error:  # whoosh raises many kinds on a missing or damaged segment
            failure = f"cannot read the search index in {self.path / name}: {error!r}"
            raise IndexUnavailable(failure) from None

    def reader_cache(self) -> dict:
        """A dict that lives as long as this thread's current searcher (lexicons, facet postings)."""
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        return cache

    def reset_searcher(self) -> None:
        state = getattr(self._local, "state", None)
        self._local.state = None
        if state is not None:
            try:
                state[1].close()
            except Exception:  # noqa: BLE001
                pass

    def labels(self) -> dict:
        """Facet labels ``{"category": {"ssm": {"fr": ..., "nl": ...}}, ...}`` of the live generation."""
        name = self.current_generation()
        path = self.path / name / LABELS
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return {}
        if self._labels_cache and self._labels_cache[0] == name and self._labels_cache[1] == mtime:
            return self._labels_cache[2]
        try:
            labels = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        self._labels_cache = (name, mtime, labels)
        return labels

    def status(self) -> IndexStatus:
        name = self.current_generation()
        if not name or not (self.path / name).is_dir():
            return IndexStatus(str(self.path), False)
        folder = self.path / name
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        built = ""
        stamp_file = folder / "built_at"
        if stamp_file.exists():
            built = stamp_file.read_text().strip()
        try:
            ix = self.open_whoosh(name)
            with ix.searcher() as searcher:
                count = searcher.doc_count()
        except IndexUnavailable as error:
            return IndexStatus(str(self.path), True, name, 0, size, built, str(error))
        return IndexStatus(str(self.path), True, name, count, size, built)
