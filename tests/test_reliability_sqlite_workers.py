"""SQLite (WAL, busy timeout, BEGIN IMMEDIATE) under several gunicorn worker processes writing at once."""

import pytest

from tests.conftest import PG_URL
from tests.reliability import sqlite_workers


@pytest.mark.slow
@pytest.mark.skipif(bool(PG_URL), reason="runs its own SQLite file: once, in the SQLite run, is enough")
def test_sqlite_several_workers_writing_never_lock_and_lose_nothing(tmp_path):
    figures = sqlite_workers.run(seconds=8, clients=10, workers=3, instance=tmp_path)
    assert figures["problems"] == []
    assert figures["server_errors"] == 0
    # Every write a client saw acknowledged is in the database (the driver compares them one by one).
    assert figures["database"]["sessions"] > 0
    assert figures["database"]["failed_login_rows"] > 0
