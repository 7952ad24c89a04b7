"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpdesk.db import make_engine, upgrade_database
from helpdesk.models import Base

pytestmark = pytest.mark.database  # each test makes its own database


def _fresh_url(tmp_path) -> str:
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    from tests.conftest import CHECKOUT_TAG

    schema = f"migration_{CHECKOUT_TAG}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def test_migrations_upgrade_head_matches_the_models(tmp_path):
    url = _fresh_url(tmp_path)
    upgrade_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_cli_upgrade_on_an_empty_database(tmp_path, monkeypatch):
    from helpdesk import create_app

    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "DATABASE_URL": _fresh_url(tmp_path)})
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    finally:
        app.extensions["db_engine"].dispose()
    assert result.exit_code == 0, result.output
    assert "head" in result.output
