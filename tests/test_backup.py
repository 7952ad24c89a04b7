"""``helpdesk backup`` / ``helpdesk restore``: a snapshot taken, the database changed, the snapshot restored."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from directory_import.models import Organisation
from helpdesk.audit import AuditEvent, record_audit
from helpdesk.backup import BackupError, backup_database, restore_database
from helpdesk.db import get_session, make_engine
from tests.fixtures.reliability import table_contents


def _add_data(app, make_user, make_organisation, tag: str) -> None:
    make_user("operator", "sud", name=f"Sofia {tag}")
    make_user("coordinator", "nord", name=f"Camille {tag}")
    for n in range(3):
        make_organisation(name_fr=f"CPAS {tag} {n}", name_nl=f"OCMW {tag} {n}", source_id=f"{tag}-{n}")
    with app.app_context():
        db = get_session()
        record_audit(db, "backup.test", user_id=None, details={"tag": tag, "accents": "éèç ü"})
        db.commit()


def test_backup_then_restore_brings_every_row_back(app, runner, tmp_path, make_user, make_organisation):
    _add_data(app, make_user, make_organisation, "before")
    url = app.config["DATABASE_URL"]
    before = table_contents(url)
    target = tmp_path / "snapshot.bak"

    result = runner.invoke(args=["backup", str(target), "--json"])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    _add_data(app, make_user, make_organisation, "after")
    with app.app_context():
        db = get_session()
        db.delete(db.scalars(select(Organisation)).first())
        db.commit()
    assert table_contents(url) != before

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert table_contents(url) == before
    # The app goes on working on the restored database.
    with app.app_context():
        assert get_session().scalar(select(func.count(Organisation.id))) == 3


def test_backup_is_consistent_while_others_write(app, tmp_path):
    """Each writer transaction adds an organisation and its audit row: a snapshot never holds one alone."""
    url = app.config["DATABASE_URL"]
    stop = threading.Event()
    written = {"n": 0}

    def write_pairs() -> None:
        engine = make_engine(url)
        with engine.connect() as conn:
            while not stop.is_set() and written["n"] < 2000:
                with conn.begin():
                    org_id = conn.execute(
                        Organisation.__table__.insert()
                        .values(
                            name_fr=f"Maison médicale {written['n']}", source="t", source_id=str(written["n"])
                        )
                        .returning(Organisation.__table__.c.id)
                    ).scalar_one()
                    conn.execute(
                        AuditEvent.__table__.insert().values(
                            action="pair", object_type="organisation", object_id=str(org_id), details={}
                        )
                    )
                written["n"] += 1
        engine.dispose()

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        snapshots = []
        for n in range(3):
            while written["n"] < 20 * (n + 1) and writer.is_alive():
                stop.wait(0.01)
            path = tmp_path / f"during-{n}.bak"
            backup_database(url, path)
            snapshots.append(path)
    finally:
        stop.set()
        writer.join()

    counts = []
    for path in snapshots:
        restore_database(url, path)
        engine = create_engine(url)
        with engine.connect() as conn:
            orgs = conn.execute(select(func.count()).select_from(Organisation.__table__)).scalar_one()
            pairs = conn.execute(
                select(func.count())
                .select_from(AuditEvent.__table__)
                .where(AuditEvent.__table__.c.action == "pair")
            ).scalar_one()
        engine.dispose()
        assert orgs == pairs
        counts.append(orgs)
    assert counts == sorted(counts) and counts[0] >= 20


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup\n")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code != 0
    assert "not a" in result.output and "backup" in result.output


def test_restore_of_a_damaged_backup_leaves_the_database_as_it_was(
    app, runner, tmp_path, make_user, make_organisation
):
    _add_data(app, make_user, make_organisation, "kept")
    url = app.config["DATABASE_URL"]
    target = tmp_path / "snapshot.bak"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    before = table_contents(url)
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])  # a truncated copy, as after a full disk

    with pytest.raises(BackupError):
        restore_database(url, target)
    assert table_contents(url) == before


def test_backup_without_path_goes_to_the_instance_folder(app, runner):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    backups = list((Path(app.instance_path) / "backups").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith("helpdesk-")


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "mysql://u@h/db"])
def test_backup_refuses_what_it_cannot_copy(tmp_path, url):
    with pytest.raises(BackupError):
        backup_database(url, tmp_path / "x.bak")
    assert not (tmp_path / "x.bak").exists()


def test_backup_of_postgresql_covers_only_the_application_schema():
    from sqlalchemy.engine import make_url

    from helpdesk.backup import pg_schema

    assert pg_schema(make_url("postgresql+psycopg://u@h/db")) == "public"
    assert (
        pg_schema(make_url("postgresql+psycopg://u@h/db?options=-csearch_path%3Dtest_ab_gw0"))
        == "test_ab_gw0"
    )
