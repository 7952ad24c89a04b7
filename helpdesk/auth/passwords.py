"""Password hashing with Argon2id; the cost comes from configuration and old hashes are upgraded at login.

Hashing is the one CPU-heavy thing a request does. It runs on a thread of its own whose scheduling priority is
lowered (``niceness``, Linux): during a storm of sign-ins the CPU goes first to the pages operators are
waiting for, and a sign-in takes a little longer instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from helpdesk.auth import password_policy

log = logging.getLogger(__name__)
T = TypeVar("T")


def _lower_priority(niceness: int) -> None:
    """Lower the calling thread's priority (on Linux, ``setpriority`` on a thread id acts on that thread
    alone; the threads Argon2 starts for its lanes inherit it). Elsewhere, or when refused, nothing."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError as error:  # pragma: no cover - depends on the platform
        log.info("password hashing keeps its priority: %s", error)


class _HashingThreads:
    """The threads that hash, created lazily in each process (a pool made before a fork has no threads in
    the child)."""

    def __init__(self, threads: int, niceness: int) -> None:
        self.threads, self.niceness = max(1, threads), niceness
        self._pool: ThreadPoolExecutor | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def run(self, work: Callable[[], T]) -> T:
        if self.niceness <= 0:
            return work()
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(
                    max_workers=self.threads,
                    thread_name_prefix="password-hashing",
                    initializer=_lower_priority,
                    initargs=(self.niceness,),
                )
                self._pid = os.getpid()
            pool = self._pool
        return pool.submit(work).result()


class Passwords:
    def __init__(
        self, time_cost: int, memory_cost: int, parallelism: int, *, threads: int = 1, niceness: int = 0
    ) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
        self._threads = _HashingThreads(threads, niceness)
        # Verified against when the account does not exist, so timing tells nothing.
        self._dummy = self._hasher.hash("not a real password")

    def hash(self, password: str) -> str:
        return self._threads.run(lambda: self._hasher.hash(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches. No hash, or a locked one (``!...``, after a reset), never matches,
        after the same work as a real check, so timing tells nothing."""
        usable = bool(stored_hash) and not stored_hash.startswith("!")
        target = stored_hash if usable and stored_hash else self._dummy

        def check() -> bool:
            try:
                return self._hasher.verify(target, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        return self._threads.run(check) and usable

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True


MIN_PASSWORD_LENGTH = password_policy.MIN_PASSWORD_LENGTH
