"""Database engine, one session per request, and Alembic migrations.

Views and CLI commands commit; operations only flush. A request that fails is rolled back whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, abort, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from helpdesk.folding import SQLITE_FUNCTION, fold_text

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Execution option of the engine behind reader sessions (see ``reader_session``).
READ_ONLY_OPTION = "helpdesk_read_only"


def resolve_database_url(url: str, instance_path: str) -> str:
    """Make a relative SQLite path relative to the instance folder, so the app finds it from anywhere."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            path = Path(instance_path) / path
            path.parent.mkdir(parents=True, exist_ok=True)
            return str(parsed.set(database=str(path)))
    return url


def make_engine(url: str, *, connect_timeout: int = 5, **kwargs) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a busy timeout and foreign keys, so several workers can write."""
    parsed = make_url(url)
    # SQL parameters hold what users typed about a situation: never let an error message carry them to logs.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy manage transactions (pysqlite's own handling defers BEGIN badly).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # helpdesk.folding.folded(): accent-insensitive matching, as translate() does on PostgreSQL.
            dbapi_connection.create_function(SQLITE_FUNCTION, 1, fold_text, deterministic=True)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            # IMMEDIATE takes the write lock up front: no "database is locked" on lock upgrade. A unit of
            # work that only reads (an index rebuild reading the whole directory for minutes) begins
            # deferred instead: under WAL it then never holds the lock every other request waits for.
            if conn.get_execution_options().get(READ_ONLY_OPTION):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A database behind a silent network must give a 503 soon, not hang a worker until it is killed.
    if "connect_timeout" not in parsed.query:
        kwargs.setdefault("connect_args", {"connect_timeout": connect_timeout})
    return create_engine(url, **kwargs)


def init_app(app: Flask) -> None:
    url = resolve_database_url(app.config["DATABASE_URL"], app.instance_path)
    app.config["DATABASE_URL"] = url
    engine = make_engine(url, connect_timeout=app.config["DATABASE_CONNECT_TIMEOUT_SECONDS"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["db_reader_sessionmaker"] = sessionmaker(
        bind=engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
    )
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["db_engine"]


def get_session() -> Session:
    """The session of the current request (or app context), opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def get_or_404(model: type[T], ident: int) -> T:
    """The row of ``model`` with primary key ``ident`` in the request's session; 404 when there is none."""
    row = get_session().get(model, ident)
    if row is None:
        abort(404)
    return row


def reader_session(app: Flask) -> Session:
    """A session of its own for long reads of committed data, outside any request's transaction. On
    SQLite it takes no write lock, so it must never write (a write would fail with "database is locked"
    as soon as another writer committed meanwhile). The caller closes it."""
    return app.extensions["db_reader_sessionmaker"]()


@contextmanager
def read_session(app: Flask | None = None) -> Iterator[Session]:
    """``reader_session`` as a context manager (closed on leaving), for the current app by default."""
    session = reader_session(app or current_app._get_current_object())
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(url: str, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision``."""
    command.upgrade(alembic_config(url), revision)
