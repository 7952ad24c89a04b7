"""Proposals through the JSON API, with bearer tokens: propose, list, accept (edited), refuse; the
organisation shows the values in force and its overlays; bad input names the field."""

from __future__ import annotations

import pytest

from tests import test_api_requests

# The JSON calls of the requests' API tests (bearer tokens: ``token_of`` of tests/fixtures/api.py).
call = test_api_requests.call


@pytest.fixture
def organisation(make_organisation):
    return make_organisation(
        name_fr="Centre d'écoute Iris",
        postcode="1000",
        basin="centre-ouest",
        street_fr="Rue Haute",
        number="5",
        phones=["+32 2 511 00 00"],
    )


@pytest.fixture
def operator(make_user, token_of):
    return token_of(make_user("operator", "centre-ouest"))


@pytest.fixture
def coordinator(make_user, token_of):
    return token_of(make_user("coordinator", "region"))


def test_api_proposal_accepted_with_edits_shows_in_the_organisation_with_its_overlays(
    call, organisation, operator, coordinator
):
    status, body = call(
        "POST",
        f"/api/v1/organisations/{organisation.id}/proposals",
        operator,
        {
            "changes": {"phones": ["02 555 12 34"], "opening_hours_fr": "Lundi 9h-12h", "postcode": "1060"},
            "note": "Appelé ce matin.",
        },
    )
    assert (status, body["state"]) == (201, "pending")
    proposal_id = body["id"]
    status, listed = call("GET", "/api/v1/proposals?state=pending", coordinator)
    assert status == 200 and [p["id"] for p in listed["proposals"]] == [proposal_id]
    fields = {c["field"]: c for c in listed["proposals"][0]["changes"]}
    assert fields["phones"]["directory_value"] == ["+32 2 511 00 00"]
    assert fields["address"]["proposed_value"]["postcode"] == "1060"
    status, accepted = call(
        "POST",
        f"/api/v1/proposals/{proposal_id}/accept",
        coordinator,
        {"changes": {"opening_hours_fr": "Lundi 9h-13h"}},
    )
    assert status == 200 and accepted["state"] == "accepted"
    status, org = call("GET", f"/api/v1/organisations/{organisation.id}", operator)
    assert status == 200
    assert (org["phones"], org["opening_hours_fr"], org["postcode"], org["basin"]) == (
        ["+32 2 555 12 34"],
        "Lundi 9h-13h",
        "1060",
        "sud",
    )
    overlays = {o["field"]: o for o in org["overlays"]}
    assert set(overlays) == {"phones", "opening_hours_fr", "address"}
    assert overlays["phones"]["source_value"] == ["+32 2 511 00 00"] and org["local"] is False
    status, mine = call("GET", "/api/v1/proposals?state=accepted", operator)
    assert [p["id"] for p in mine["proposals"]] == [proposal_id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phones": ["pas un numéro"]}, "phones"),
        ({"emails": "accueil@"}, "emails"),
        ({"websites": ["ftp://iris.example"]}, "websites"),
        ({"postcode": "12345"}, "postcode"),
        ({"colour": "blue"}, "colour"),
        ({"name_fr": "Autre nom"}, "name_fr"),
    ],
)
def test_api_proposal_bad_input_names_the_field(call, organisation, operator, changes, field):
    status, body = call(
        "POST", f"/api/v1/organisations/{organisation.id}/proposals", operator, {"changes": changes}
    )
    assert status == 400 and set(body) == {"error", "fields"} and field in body["fields"]


def test_api_proposal_unknown_top_level_field_and_bad_date_are_refused(call, organisation, operator):
    status, body = call(
        "POST",
        f"/api/v1/organisations/{organisation.id}/proposals",
        operator,
        {"changes": {}, "urgent": True},
    )
    assert status == 400 and "urgent" in body["fields"]
    status, body = call(
        "POST",
        f"/api/v1/organisations/{organisation.id}/proposals",
        operator,
        {"status": "temporarily_closed", "until": "demain"},
    )
    assert status == 400 and "until" in body["fields"]


def test_api_proposal_on_an_archived_organisation_is_refused(call, make_organisation, operator):
    archived = make_organisation(name_fr="Ancien centre", archived=True)
    status, body = call(
        "POST",
        f"/api/v1/organisations/{archived.id}/proposals",
        operator,
        {"changes": {"phones": ["02 555 12 34"]}},
    )
    assert status == 400 and "archivée" in body["error"]


def test_api_closure_then_refusal_needs_a_reason(call, organisation, operator, coordinator):
    status, body = call(
        "POST",
        f"/api/v1/organisations/{organisation.id}/proposals",
        operator,
        {"status": "full", "until": "2099-01-31"},
    )
    assert status == 201
    path = f"/api/v1/proposals/{body['id']}"
    assert call("POST", f"{path}/refuse", operator, {"reason": "non"})[0] == 403
    status, answer = call("POST", f"{path}/refuse", coordinator, {"reason": "  "})
    assert status == 400 and "reason" in answer["fields"]
    status, refused = call("POST", f"{path}/refuse", coordinator, {"reason": "Pas complet : vérifié."})
    assert (status, refused["state"], refused["refusal_reason"]) == (200, "refused", "Pas complet : vérifié.")
    assert call("POST", f"{path}/accept", coordinator, {})[0] == 409


def test_api_new_organisation_checks_duplicates_then_becomes_local(call, organisation, operator, coordinator):
    new = {
        "name_fr": "Centre d'ecoute Iris",
        "postcode": "1000",
        "phones": ["02 511 99 99"],
        "note": "Nouveau",
    }
    status, body = call("POST", "/api/v1/organisations/proposals", operator, new)
    assert status == 409 and [d["id"] for d in body["duplicates"]] == [organisation.id]
    status, body = call("POST", "/api/v1/organisations/proposals", operator, {**new, "distinct": True})
    assert status == 201
    status, accepted = call("POST", f"/api/v1/proposals/{body['id']}/accept", coordinator, {})
    assert status == 200
    status, org = call("GET", f"/api/v1/organisations/{accepted['organisation_id']}", operator)
    assert (org["local"], org["name_fr"], org["phones"], org["overlays"]) == (
        True,
        "Centre d'ecoute Iris",
        ["+32 2 511 99 99"],
        [],
    )


def test_api_new_organisation_needs_a_name_and_known_fields(call, operator):
    status, body = call("POST", "/api/v1/organisations/proposals", operator, {"postcode": "1000"})
    assert status == 400 and "name_fr" in body["fields"]
    status, body = call(
        "POST", "/api/v1/organisations/proposals", operator, {"name_fr": "X", "colour": "red"}
    )
    assert status == 400 and "colour" in body["fields"]


def test_api_proposals_list_refuses_an_unknown_state(call, operator):
    status, body = call("GET", "/api/v1/proposals?state=lost", operator)
    assert status == 400 and "state" in body["fields"]


def test_api_proposals_are_in_the_openapi_document(call, operator):
    status, spec = call("GET", "/api/v1/openapi.json", {})
    assert status == 200
    for path in (
        "/organisations/{id}/proposals",
        "/organisations/proposals",
        "/proposals",
        "/proposals/{id}/accept",
        "/proposals/{id}/refuse",
    ):
        assert path in spec["paths"]
    assert "overlays" in spec["components"]["schemas"]["Organisation"]["properties"]


def test_api_proposal_note_naming_someone_needs_identity_confirmed(call, organisation, operator):
    path = f"/api/v1/organisations/{organisation.id}/proposals"
    body = {"changes": {"phones": ["02 555 12 34"]}, "note": "Appelé par Madame Van den Bossche"}
    status, answer = call("POST", path, operator, body)
    assert status == 400 and answer["fields"] == {"note": "identity_suspected"}
    status, answer = call("POST", path, operator, {**body, "identity_confirmed": True})
    assert status == 201
