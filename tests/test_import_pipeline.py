"""An import reads, checks and plans the export before its write transaction begins (on SQLite: before it
takes the write lock), and the transaction only applies."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from directory_import.models import Organisation
from directory_import.sample import generate
from helpdesk.db import get_session
from helpdesk.directory.importing import apply_import


def test_import_pipeline_reads_the_export_without_holding_the_write_lock(app, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"organisations": list(generate(1500, seed=3))}), encoding="utf-8")
    database = make_url(database_url).database
    others_could_write: list[bool] = []

    def while_reading(_done: int) -> None:
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the import held the lock
            other.execute("ROLLBACK")
            others_could_write.append(True)
        except sqlite3.OperationalError:
            others_could_write.append(False)
        finally:
            other.close()

    with app.app_context():
        db = get_session()
        run, report = apply_import(db, str(export), progress=while_reading)
        assert report.added == 1500 and run.status == "applied"
        assert db.scalar(select(func.count()).select_from(Organisation)) == 1500
    assert others_could_write and all(others_could_write)


def test_import_pipeline_apply_reads_the_database_again(app, session, write_export, v1_organisations):
    """An organisation changed between the plan and the apply is compared with what it is now."""
    from directory_import.readers import read_source
    from directory_import.sync import apply_plan, plan_records, read_known

    path = write_export(v1_organisations)
    run, first = apply_import(session, str(path))
    assert first.added == 8
    with plan_records(
        read_source(path), source_key="bruxelles-social", known=read_known(session, "bruxelles-social")
    ) as plan:
        assert (plan.report.unchanged, plan.report.updated) == (8, 0)
        changed = session.scalar(
            select(Organisation).where(Organisation.source_id == str(v1_organisations[0]["id"]))
        )
        changed.content_hash = "edited-elsewhere"
        session.commit()
        report = apply_plan(session, plan)
    assert (report.unchanged, report.updated) == (7, 1)
