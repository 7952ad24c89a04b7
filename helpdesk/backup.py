"""Consistent snapshots of the database and their restoration.

SQLite: the online backup API copies a live database page by page under SQLite's own locking, so writers
may keep going; the copy is checked with ``PRAGMA integrity_check`` before it replaces the target file.
PostgreSQL: ``pg_dump`` (custom format) reads one MVCC snapshot of the application's schema; a restore
replays it with ``psql --single-transaction`` after dropping the schema, so it lands whole or not at all.
Nothing here reads Flask's configuration: callers pass a database URL and a path.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404  (pg_dump, pg_restore and psql: argument lists, never a shell)
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or a restore could not be made; the message says why, for the person running it."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    backend: str
    size_bytes: int


def _write_atomically(target: Path, produce) -> None:
    """Let ``produce(tmp_path)`` write a file next to ``target``, then rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        produce(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def backup_database(url: str, target: str | os.PathLike) -> BackupReport:
    """Write a consistent snapshot of the database at ``url`` to ``target``; returns what was written."""
    parsed = make_url(url)
    target = Path(target)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _write_atomically(target, lambda tmp: _sqlite_backup(_sqlite_path(parsed), tmp))
    elif backend == "postgresql":
        _write_atomically(target, lambda tmp: _pg_dump(parsed, tmp))
    else:
        raise BackupError(f"Backups of {backend} databases are not supported.")
    return BackupReport(target, backend, target.stat().st_size)


def restore_database(url: str, source: str | os.PathLike) -> str:
    """Replace the content of the database at ``url`` by the snapshot ``source``; returns the backend name."""
    parsed = make_url(url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    with source.open("rb") as handle:
        head = handle.read(16)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup.")
        _sqlite_restore(source, _sqlite_path(parsed))
    elif backend == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source} is not a PostgreSQL backup (pg_dump custom format).")
        _pg_restore(parsed, source)
    else:
        raise BackupError(f"Restoring {backend} databases is not supported.")
    return backend


# --- SQLite -------------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _sqlite_connect(path: Path, *, must_exist: bool) -> sqlite3.Connection:
    mode = "rw" if must_exist else "rwc"
    try:
        connection = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=30)
    except sqlite3.OperationalError as error:
        raise BackupError(f"Cannot open {path}: {error}") from None
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _check_integrity(connection: sqlite3.Connection, what: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{what} failed SQLite's integrity check: {result}")


def _sqlite_backup(source: Path, tmp: Path) -> None:
    src = _sqlite_connect(source, must_exist=True)
    dst = sqlite3.connect(tmp)
    try:
        # pages=-1: one step, so the copy is a single consistent read even while others write.
        src.backup(dst, pages=-1)
        # A self-contained file: no WAL beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_integrity(dst, tmp)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup failed: {error}") from None
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, target: Path) -> None:
    src = _sqlite_connect(source, must_exist=True)
    try:
        _check_integrity(src, source)
        dst = _sqlite_connect(target, must_exist=False)
        try:
            # The backup API writes into the live database under its write lock: other connections
            # see the old content or the new one, never a mix, and need no restart.
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite restore failed: {error}") from None
    finally:
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------------------


def pg_schema(url: URL) -> str:
    """The schema the application works in: the first of ``options=-csearch_path=...``, else ``public``."""
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    for option in str(options).split():
        for prefix in ("-csearch_path=", "--search_path="):
            if option.startswith(prefix):
                return option[len(prefix) :].split(",")[0].strip().strip('"') or "public"
    return "public"


def _pg_env_and_dsn(url: URL) -> tuple[dict[str, str], str]:
    """libpq settings for the client tools: the password travels in the environment, not the command line."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    query = {k: v for k, v in url.query.items() if k != "options"}
    plain = url.set(drivername="postgresql", password=None, query=query)
    return env, plain.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client).")
    return path


def _run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, check=False, **kwargs)  # nosec B603
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {message[-1] if message else result.returncode}")
    return result


def _pg_dump(url: URL, tmp: Path) -> None:
    env, dsn = _pg_env_and_dsn(url)
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--schema={pg_schema(url)}",
            f"--file={tmp}",
            f"--dbname={dsn}",
        ],
        env,
    )


def _pg_restore(url: URL, source: Path) -> None:
    env, dsn = _pg_env_and_dsn(url)
    schema = pg_schema(url).replace('"', '""')
    script = _run(
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--no-comments", "--file=-", str(source)], env
    ).stdout
    prelude = f'DROP SCHEMA IF EXISTS "{schema}" CASCADE;\n'.encode()
    # One transaction: if anything fails the database keeps its old content.
    _run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={dsn}",
            "--file=-",
        ],
        env,
        input=prelude + script,
    )
