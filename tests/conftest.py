"""Fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import helpdesk.models  # noqa: F401  (every table in the metadata)
from directory_import.models import Base, Organisation
from helpdesk import create_app
from helpdesk.auth import operations as accounts
from helpdesk.auth.models import User
from helpdesk.db import get_session

# Hypothesis: `make test` runs the "ci" profile, the same examples every time (derandomized, no example
# database), so a run passes or fails whatever ran before it. `make fuzz` runs the "fuzz" profile: random
# examples, many of them, under a seed it prints. HYPOTHESIS_PROFILE picks one; tests that set their own
# number of examples (HELPDESK_*_EXAMPLES) keep it, the rest take the profile's.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=None,
    print_blob=True,
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEST_PASSWORD = "correct horse battery"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
CHECKOUT_TAG = hashlib.sha1(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.directory",
    "tests.fixtures.search",
    "tests.fixtures.requests",
    "tests.fixtures.reports",
    "tests.fixtures.reliability",
    "tests.fixtures.mail",
    "tests.fixtures.api",
]


def pytest_collection_modifyitems(config, items) -> None:
    """The PostgreSQL run runs the tests that reach a database: those whose fixtures lead to ``pg_base_url``
    (every app, client and live-server fixture does) and those marked ``database``. A test of a library, a
    reader or a parser gives the same answer twice: it runs once, in the SQLite run."""
    if not PG_URL:
        return
    once = pytest.mark.skip(reason="no database involved: run once, in the SQLite run")
    for item in items:
        if "pg_base_url" not in getattr(item, "fixturenames", ()) and not item.get_closest_marker("database"):
            item.add_marker(once)


def _worker_schema(worker_id: str) -> str:
    """Unique per checkout and xdist worker, so several checkouts can test against one server at once."""
    return f"test_{CHECKOUT_TAG}_{worker_id}".replace("-", "_")


@pytest.fixture(scope="session")
def pg_base_url(worker_id: str) -> Iterator[str | None]:
    """On PostgreSQL, one schema per xdist worker, created once; tables are emptied between tests."""
    if not PG_URL:
        yield None
        return
    schema = _worker_schema(worker_id)
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    # Commits need not wait for the disk in tests (the server crashing is not what they test): faster.
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema} -csynchronous_commit=off"})
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url.render_as_string(hide_password=False)


_PG_ENGINES: dict[str, object] = {}


def _empty_pg(url: str) -> None:
    """Empty every table and restart every sequence between tests. ``DELETE`` of a few rows, child tables
    first, takes milliseconds where ``TRUNCATE`` of the same tables takes most of a second on PostgreSQL
    (it rewrites each table's files): over a thousand tests, minutes of the suite."""
    engine = _PG_ENGINES.get(url)
    if engine is None:
        engine = _PG_ENGINES[url] = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
        sequences = conn.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        ).all()
        for name in sequences:
            conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


@pytest.fixture
def database_url(tmp_path, pg_base_url) -> str:
    if pg_base_url:
        _empty_pg(pg_base_url)
        return pg_base_url
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


def app_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SESSION_COOKIE_SECURE": False,
        # Cheap hashing in tests; production keeps the OWASP cost.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
    }


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test process: each test makes a new app, hence a new Jinja
    environment that would parse and compile every template it renders again (a third of a page test's
    time). Jinja checks each entry against its template's source, so an edited template is compiled anew."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = _SharedBytecode()


@pytest.fixture
def app(database_url: str, tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(app_config(database_url, tmp_path))
    application.jinja_env.bytecode_cache = SHARED_BYTECODE
    if not database_url.startswith("postgresql"):
        from helpdesk.db import get_engine

        with application.app_context():
            Base.metadata.create_all(get_engine())
    yield application
    with application.app_context():
        from helpdesk.db import get_engine

        get_engine().dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A database session inside an app context; commit to make data visible to HTTP requests."""
    with app.app_context():
        yield get_session()


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: str = "operator",
        territory: str = "sud",
        *,
        email: str | None = None,
        password: str = TEST_PASSWORD,
        locale: str | None = None,
        name: str = "",
    ) -> User:
        counter["n"] += 1
        email = email or f"{role}.{territory}.{counter['n']}@test.example"
        with app.app_context():
            db = get_session()
            user = accounts.create_user(
                db,
                app.extensions["passwords"],
                email=email,
                password=password,
                role=role,
                territory=territory,
                name=name or email,
                locale=locale,
            )
            db.commit()
            return user

    return make


def numbered_organisation(position: int, /, **fields) -> Organisation:
    """Organisation number ``position`` of a test, from source "test", with a name unless one is given."""
    fields.setdefault("source", "test")
    fields.setdefault("source_id", str(position))
    fields.setdefault("name_fr", f"Organisation {position}")
    return Organisation(**fields)


@pytest.fixture
def make_organisation(app) -> Callable[..., Organisation]:
    numbers = itertools.count(1)

    def make(**fields) -> Organisation:
        with app.app_context():
            db = get_session()
            org = numbered_organisation(next(numbers), **fields)
            db.add(org)
            db.commit()
            return org

    return make


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/auth/login") -> str:
    """The CSRF token of the client's session, read from a real page as a browser would."""
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = TEST_PASSWORD):
    return client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )


@pytest.fixture
def logged_in(client, make_user):
    """``logged_in(role, territory)`` signs a new user in on ``client`` and returns the user."""

    def sign_in(role: str = "operator", territory: str = "sud", **kwargs) -> User:
        user = make_user(role, territory, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in
