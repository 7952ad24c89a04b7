"""Local overlays through real imports: an accepted correction stays in force over every sync, retires itself
when the export brings its value, is flagged when the export brings another one; merges carry overlays; a
new organisation accepted from a proposal is local until a source brings it (then a duplicate to merge)."""

from __future__ import annotations

import copy
import re

import pytest
from sqlalchemy import select

from directory_import.dedupe import find_duplicates
from directory_import.models import LOCAL_SOURCE, Organisation
from helpdesk.db import get_session
from helpdesk.stewardship.models import Overlay, Proposal
from tests.conftest import csrf_token, login


@pytest.fixture
def operator(app, make_user):
    browser = app.test_client()
    login(browser, make_user("operator", "nord-est").email)
    return browser


@pytest.fixture
def coordinator(app, make_user):
    browser = app.test_client()
    login(browser, make_user("coordinator", "region").email)
    return browser


@pytest.fixture
def sync(runner, write_export):
    """``sync(organisations)`` imports an export of them as ``helpdesk directory import`` does."""
    counter = {"n": 0}

    def run(organisations: list[dict]):
        counter["n"] += 1
        path = write_export(organisations, name=f"export-{counter['n']}.json")
        result = runner.invoke(args=["directory", "import", str(path), "--quiet"])
        assert result.exit_code == 0, result.output
        return result

    return run


def _org(app, source_id: str = "1001") -> Organisation:
    with app.app_context():
        org = get_session().scalars(select(Organisation).where(Organisation.source_id == source_id)).one()
        return org


def _overlays(app, org_id: int) -> list[Overlay]:
    with app.app_context():
        return list(
            get_session().scalars(
                select(Overlay).where(Overlay.organisation_id == org_id).order_by(Overlay.id)
            )
        )


def _accept(app, operator, coordinator, org_id: int, **changes) -> int:
    """The operator proposes ``changes`` (form fields) on the organisation's page; the coordinator accepts."""
    url = f"/directory/organisations/{org_id}/propose"
    page = operator.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(operator, url)}
    for name, value in re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value.replace("&#39;", "'"))
    for name, value in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>\n?([^<]*)</textarea>', page):
        data[name] = value.replace("&#39;", "'")
    data.update(changes)
    assert operator.post(url, data=data).status_code == 302
    with app.app_context():
        proposal_id = get_session().scalar(select(Proposal.id).order_by(Proposal.id.desc()))
    path = f"/directory/proposals/{proposal_id}"
    response = coordinator.post(f"{path}/accept", data={"csrf_token": csrf_token(coordinator, path)})
    assert response.status_code == 302
    return proposal_id


def _with(organisations: list[dict], source_id: int, **fields) -> list[dict]:
    changed = copy.deepcopy(organisations)
    for record in changed:
        if record["id"] == source_id:
            record.update(fields)
    return changed


@pytest.fixture
def corrected(app, sync, v1_organisations, operator, coordinator):
    """The v1 export imported, then the phone of 1001 corrected by the helpdesk (accepted)."""
    sync(v1_organisations)
    org = _org(app)
    assert org.phones == ["+32 2 218 45 67"]
    _accept(app, operator, coordinator, org.id, phones="02 218 99 99")
    return org


def test_overlay_stays_in_force_over_a_sync_of_the_same_export_and_of_other_changes(
    app, sync, v1_organisations, corrected, operator
):
    sync(v1_organisations)
    assert _org(app).phones == ["+32 2 218 99 99"]
    sync(_with(v1_organisations, 1001, descriptionFr="Médecine générale au forfait, kiné."))
    org = _org(app)
    assert org.phones == ["+32 2 218 99 99"] and org.description_fr == "Médecine générale au forfait, kiné."
    [overlay] = _overlays(app, org.id)
    assert overlay.state == "active" and [e["event"] for e in overlay.history] == ["applied", "reapplied"]
    page = operator.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "source : +32 2 218 45 67 ; helpdesk, depuis le" in page and "+32 2 218 99 99" in page


def test_overlay_retires_itself_when_the_export_brings_its_value(
    app, sync, v1_organisations, corrected, operator
):
    sync(_with(v1_organisations, 1001, phones=["02 218 99 99"]))
    org = _org(app)
    assert org.phones == ["+32 2 218 99 99"]
    [overlay] = _overlays(app, org.id)
    assert overlay.state == "retired" and overlay.retired_at is not None
    assert overlay.history[-1]["event"] == "retired" and overlay.history[-1]["reason"] == "source_agrees"
    page = operator.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "Corrections du helpdesk" not in page
    sync(_with(v1_organisations, 1001, phones=["02 218 11 11"]))
    assert _org(app).phones == ["+32 2 218 11 11"]  # retired: the source is the truth again


def test_overlay_is_flagged_when_the_export_brings_another_value_and_a_coordinator_settles_it(
    app, sync, v1_organisations, corrected, operator, coordinator
):
    sync(_with(v1_organisations, 1001, phones=["02 218 77 77"]))
    org = _org(app)
    assert org.phones == ["+32 2 218 99 99"]  # the helpdesk's value stays in force meanwhile
    [overlay] = _overlays(app, org.id)
    assert (overlay.state, overlay.source_value) == ("review", ["+32 2 218 77 77"])
    assert overlay.history[-1]["previous_source_value"] == ["+32 2 218 45 67"]
    page = operator.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "La source a changé : à examiner" in page
    queue = coordinator.get("/directory/proposals").get_data(as_text=True)
    assert f'data-overlay="{overlay.id}"' in queue and "source : +32 2 218 77 77" in queue
    response = coordinator.post(
        f"/directory/overlays/{overlay.id}/drop",
        data={"csrf_token": csrf_token(coordinator, "/directory/proposals")},
    )
    assert response.status_code == 302
    assert _org(app).phones == ["+32 2 218 77 77"]
    assert _overlays(app, org.id)[0].state == "retired"
    assert f'data-overlay="{overlay.id}"' not in coordinator.get("/directory/proposals").get_data(
        as_text=True
    )


def test_overlay_kept_by_a_coordinator_stays_over_the_next_syncs(
    app, sync, v1_organisations, corrected, coordinator
):
    moved = _with(v1_organisations, 1001, phones=["02 218 77 77"])
    sync(moved)
    [overlay] = _overlays(app, corrected.id)
    response = coordinator.post(
        f"/directory/overlays/{overlay.id}/keep",
        data={"csrf_token": csrf_token(coordinator, "/directory/proposals")},
    )
    assert response.status_code == 302
    sync(_with(moved, 1001, descriptionFr="Autre description"))
    [overlay] = _overlays(app, corrected.id)
    assert overlay.state == "active" and _org(app).phones == ["+32 2 218 99 99"]


def test_overlay_is_in_the_search_at_once_and_after_a_sync(
    app, sync, v1_organisations, operator, coordinator, reindex
):
    sync(v1_organisations)
    reindex()
    org = _org(app)
    _accept(app, operator, coordinator, org.id, description_fr="Consultations zanzibariennes le samedi.")
    assert "Le Méridien" in operator.get("/directory/?q=zanzibariennes").get_data(as_text=True)
    sync(_with(v1_organisations, 1001, nameFr="Maison médicale Le Méridien (Schaerbeek)"))
    hits = operator.get("/directory/?q=zanzibariennes").get_data(as_text=True)
    assert "Le Méridien (Schaerbeek)" in hits


def test_permanent_closure_stays_over_a_sync_that_still_lists_the_organisation(
    app, sync, v1_organisations, operator, coordinator
):
    sync(v1_organisations)
    org = _org(app, "1002")
    _accept(app, operator, coordinator, org.id, status="closed")
    assert _org(app, "1002").archived is True
    sync(v1_organisations)
    assert _org(app, "1002").archived is True


def test_merge_carries_the_overlays_to_the_organisation_kept(
    app, make_organisation, operator, coordinator, make_user
):
    keep = make_organisation(
        name_fr="Centre Alpha", postcode="1030", basin="nord-est", phones=["+32 2 241 00 00"]
    )
    drop = make_organisation(name_fr="Centre Alpha ASBL", postcode="1030", basin="nord-est")
    _accept(app, operator, coordinator, drop.id, opening_hours_fr="Mardi 18h-20h", phones="02 241 55 55")
    _accept(app, operator, coordinator, keep.id, phones="02 241 66 66")
    admin = app.test_client()
    login(admin, make_user("admin", "region").email)
    response = admin.post(
        "/admin/duplicates/merge",
        data={
            "first_id": keep.id,
            "second_id": drop.id,
            "keep": "first",
            "csrf_token": csrf_token(admin, "/admin/duplicates"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        kept = get_session().get(Organisation, keep.id)
        assert kept.opening_hours_fr == "Mardi 18h-20h" and kept.phones == ["+32 2 241 66 66"]
    in_force = {o.field: o for o in _overlays(app, keep.id) if o.state == "active"}
    assert set(in_force) == {"opening_hours_fr", "phones"}
    assert in_force["opening_hours_fr"].history[-1] == {
        **in_force["opening_hours_fr"].history[-1],
        "event": "moved",
        "from_organisation": drop.id,
    }
    left = {o.field: o.state for o in _overlays(app, drop.id)}
    assert left == {"phones": "retired"}  # the kept organisation had its own correction of the phones
    page = operator.get(f"/directory/organisations/{keep.id}").get_data(as_text=True)
    assert "Mardi 18h-20h" in page and "Corrections du helpdesk" in page


def test_new_organisation_is_local_until_a_source_brings_it_then_a_duplicate_to_merge(
    app, sync, v1_organisations, operator, coordinator
):
    url = "/directory/proposals/new"
    page = operator.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(operator, url), "name_fr": "Maison médicale Le Méridien"}
    data.update(street_fr="Rue du Méridien", number="12", postcode="1210", phones="02/218.45.67")
    assert "name_fr" in page
    assert operator.post(url, data=data).status_code == 302
    with app.app_context():
        proposal_id = get_session().scalar(select(Proposal.id))
    path = f"/directory/proposals/{proposal_id}"
    coordinator.post(f"{path}/accept", data={"csrf_token": csrf_token(coordinator, path)})
    with app.app_context():
        local = get_session().scalars(select(Organisation).where(Organisation.source == LOCAL_SOURCE)).one()
        local_id = local.id
    sync(v1_organisations)
    imported = _org(app, "1001")
    with app.app_context():
        pairs = {(p.first_id, p.second_id) for p in find_duplicates(get_session())}
        assert get_session().get(Organisation, local_id).archived is False  # a sync never touches it
    assert tuple(sorted((local_id, imported.id))) in pairs
