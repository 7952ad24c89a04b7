"""Several machines, one database: each keeps its own index and catches up from the database.

Two apps share the database (SQLite file or PostgreSQL) with an index folder each, as two machines behind a
load balancer would. A change made through one reaches the other's index by the catch-up alone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from directory_import.models import Organisation
from helpdesk import create_app
from helpdesk.db import get_engine, get_session
from helpdesk.directory.search import rebuild_index
from search_index import (
    CatchUpTooLarge,
    IndexBusy,
    SearchIndex,
    catch_up,
    rebuild,
    search,
    update_organisations,
)
from search_index.writer import CATCH_UP_MARGIN, WATERMARK, read_watermark
from tests.conftest import app_config, login


@pytest.fixture
def other_machine(database_url, tmp_path):
    """A second app on the same database with its own index folder."""
    config = app_config(database_url, tmp_path / "machine-b")
    config["SEARCH_CATCH_UP_SECONDS"] = 3600  # only when asked, to show what it misses without
    machine = create_app(config)
    yield machine
    with machine.app_context():
        get_engine().dispose()


def names(client, query: str) -> list[str]:
    response = client.get("/api/v1/organisations", query_string={"q": query})
    assert response.status_code == 200
    return [hit["name_fr"] for hit in response.get_json()["hits"]]


def test_an_import_on_one_machine_reaches_the_index_of_another(
    app, runner, other_machine, data_dir, make_user
):
    runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
    rebuild_index(app)
    rebuild_index(other_machine)
    make_user("operator", "sud", email="b@example.be")
    b = other_machine.test_client()
    assert login(b, "b@example.be").status_code == 302
    assert names(b, "panier") == ["Épicerie sociale Le Panier"]

    result = runner.invoke(args=["directory", "import", str(data_dir / "directory_v2.json"), "--quiet"])
    assert result.exit_code == 0, result.output
    # Machine A's index followed (the import signalled it); machine B's did not: it has not looked yet.
    assert names(b, "panier") == ["Épicerie sociale Le Panier"] and names(b, "rosa") == []

    caught = other_machine.test_cli_runner().invoke(args=["index", "catch-up"])
    # One added, one changed, one archived.
    assert caught.exit_code == 0 and "3 organisation(s) re-indexed" in caught.output
    assert names(b, "panier") == [] and names(b, "rosa") == ["Planning familial Rosa"]
    again = other_machine.test_cli_runner().invoke(args=["index", "catch-up"])
    assert "0 organisation(s) re-indexed" in again.output

    # With the default pacing set to "every search", a renamed organisation shows on B at the next search.
    other_machine.config["SEARCH_CATCH_UP_SECONDS"] = 0
    with app.app_context():
        db = get_session()
        rosa = db.scalars(select(Organisation).where(Organisation.name_fr == "Planning familial Rosa")).one()
        rosa.name_fr = "Centre de planning familial Rosa Parks"
        db.commit()
    assert names(b, "parks") == ["Centre de planning familial Rosa Parks"]


def _org(session, name: str, source_id: str) -> Organisation:
    org = Organisation(source="test", source_id=source_id, name_fr=name, postcode="1060", basin="sud")
    session.add(org)
    session.commit()
    return org


def test_catch_up_reindexes_only_what_changed_and_is_idempotent(session, tmp_path):
    first, second = _org(session, "Abri de nuit Le Phare", "a"), _org(session, "Resto du coeur", "b")
    here, there = SearchIndex(tmp_path / "here"), SearchIndex(tmp_path / "there")
    rebuild(here, session)
    rebuild(there, session)
    assert catch_up(there, session) == 0

    first.name_fr = "Abri de nuit La Balise"
    session.commit()
    update_organisations(here, session, [first.id])  # the machine that made the change
    assert catch_up(here, session) == 0  # it knows already
    assert search(there, "balise").total == 0
    assert catch_up(there, session) == 1 and search(there, "balise").total == 1

    second.archived = True
    session.commit()
    added = _org(session, "Épicerie solidaire", "c")
    assert catch_up(there, session) == 2
    assert search(there, "resto").total == 0 and search(there, "epicerie").hits[0].id == added.id
    assert catch_up(there, session) == 0


def test_catch_up_sees_a_change_committed_late_within_the_margin(session, tmp_path):
    """A transaction stamps its rows when it starts and commits later: rows may arrive with stamps older
    than the watermark. Within the margin they are still found; older than that is the documented limit."""
    early, old = _org(session, "Maison d'accueil Aurore", "a"), _org(session, "Service social Horizon", "b")
    _org(session, "Centre de jour Escale", "c")
    index = SearchIndex(tmp_path / "index")
    rebuild(index, session)
    watermark = read_watermark(index.generation_path())
    early.name_fr, early.updated_at = "Maison d'accueil Aube", watermark.at - timedelta(minutes=5)
    old.name_fr = "Service social Zénith"
    old.updated_at = watermark.at - CATCH_UP_MARGIN - timedelta(minutes=1)
    session.commit()
    assert catch_up(index, session) == 1
    assert search(index, "aube").total == 1
    assert search(index, "zenith").total == 0  # beyond the margin: the next rebuild, or a change, brings it


def test_an_index_without_watermark_gets_one(session, tmp_path):
    _org(session, "Centre de planning familial", "a")
    index = SearchIndex(tmp_path / "index")
    rebuild(index, session)
    (index.generation_path() / WATERMARK).unlink()  # as an index built before watermarks existed
    assert catch_up(index, session) == 1  # the rows of the last margin, re-indexed once
    assert read_watermark(index.generation_path()) is not None
    assert catch_up(index, session) == 0


def test_a_search_that_finds_a_whole_import_to_catch_up_rebuilds_instead(
    app, other_machine, make_user, caplog
):
    with app.app_context():
        db = get_session()
        _org(db, "Maison médicale Atlas", "a")
    rebuild_index(other_machine)
    with app.app_context():
        db = get_session()
        for i in range(5):
            _org(db, f"Centre de service social {i}", f"s{i}")
    other_machine.config.update(SEARCH_CATCH_UP_SECONDS=0, SEARCH_CATCH_UP_MAX_IN_SEARCH=3)
    make_user("operator", "sud", email="b@example.be")
    b = other_machine.test_client()
    login(b, "b@example.be")
    with caplog.at_level("WARNING", logger="helpdesk.directory.search"):
        assert len(names(b, "service social")) == 5
    assert "5 organisations changed since the index's watermark; rebuilding it" in caplog.text


def test_a_large_catch_up_while_a_writer_holds_the_lock_waits_for_it(session, tmp_path):
    """The process that imported is indexing its own changes: a search elsewhere must not start a rebuild."""
    _org(session, "Maison médicale Atlas", "a")
    index = SearchIndex(tmp_path / "index")
    rebuild(index, session)
    for i in range(5):
        _org(session, f"Centre de service social {i}", f"s{i}")
    with index.write_lock():
        with pytest.raises(IndexBusy):
            catch_up(index, session, lock_timeout=0.0, max_changes=3)
    with pytest.raises(CatchUpTooLarge):
        catch_up(index, session, lock_timeout=0.0, max_changes=3)
    assert catch_up(index, session) == 5
