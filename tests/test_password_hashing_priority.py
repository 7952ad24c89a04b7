"""Password hashing runs on a thread of lowered priority, so that a storm of sign-ins leaves the CPU to the
pages (bench/bench_login_storm.py measures the effect); with niceness 0 it runs in the caller's thread."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from helpdesk.auth.passwords import Passwords

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")


def _own_priority() -> tuple[int, int]:
    return threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@linux_only
def test_hashing_runs_on_its_own_thread_at_a_lower_priority():
    passwords = Passwords(2, 16, 1, threads=1, niceness=5)
    caller_tid, caller_priority = _own_priority()
    tid, priority = passwords._threads.run(_own_priority)
    assert tid != caller_tid
    assert priority == min(19, caller_priority + 5)
    # The caller's own priority is untouched.
    assert _own_priority() == (caller_tid, caller_priority)


def test_hashes_made_on_the_hashing_thread_verify():
    passwords = Passwords(2, 16, 1, threads=2, niceness=5)
    stored = passwords.hash("tulip canal bridge 2026")
    assert passwords.verify(stored, "tulip canal bridge 2026")
    assert not passwords.verify(stored, "tulip canal bridge 2027")
    assert not passwords.verify(None, "tulip canal bridge 2026")
    assert not passwords.verify("!" + stored, "tulip canal bridge 2026")


def test_niceness_zero_hashes_in_the_callers_thread():
    passwords = Passwords(2, 16, 1, niceness=0)
    assert passwords._threads.run(_own_priority)[0] == threading.get_native_id()


def test_the_app_hashes_at_the_configured_priority(app):
    assert app.config["PASSWORD_HASHING_NICENESS"] == 10
    assert app.extensions["passwords"]._threads.niceness == 10
