"""The helpdesk journey through the JSON API, with bearer tokens, and its error answers."""

from __future__ import annotations

import pytest

from helpdesk.db import get_session


@pytest.fixture
def call(client):
    def send(method: str, path: str, headers: dict, body=None):
        response = client.open(path, method=method, json=body, headers=headers)
        return response.status_code, response.get_json()

    return send


NEW_REQUEST = {
    "channel": "phone",
    "caller": {"name": "Marie Dupont", "function": "assistante sociale", "phone": "02 555 12 34"},
    "residence_postcode": "1060",
    "themes": ["housing"],
    "question": "Un hébergement d'urgence pour un homme de 50 ans à la rue.",
}


def test_api_requests_journey_from_sud_to_region_and_back(
    make_user, make_organisation, themes, token_of, call
):
    sud, region, nord = (
        make_user("operator", "sud"),
        make_user("operator", "region"),
        make_user("operator", "nord"),
    )
    first = make_organisation(name_fr="Maison d'accueil Le Foyer", postcode="1060")
    second = make_organisation(name_fr="Abri de nuit Pierre d'Angle", postcode="1000")
    as_sud, as_region, as_nord = token_of(sud), token_of(region), token_of(nord)

    status, created = call("POST", "/api/v1/requests", as_sud, NEW_REQUEST)
    assert status == 201
    assert created["territory"] == "sud" and created["status"] == "new"
    assert created["reference"].startswith("SUD-") and created["residence_basin"] == "sud"
    rid = created["id"]

    for organisation in (first, second):
        status, lead = call(
            "POST",
            f"/api/v1/requests/{rid}/leads",
            as_sud,
            {"organisation_id": organisation.id, "outcome": "proposed", "note": "place libre ?"},
        )
        assert status == 201 and lead["outcome"] == "proposed"

    status, moved = call(
        "POST",
        f"/api/v1/requests/{rid}/transfer",
        as_sud,
        {"to": "region", "note": "Aucune place en Sud, à voir au régional"},
    )
    assert status == 200 and moved["territory"] == "region" and moved["status"] == "new"

    status, listed = call("GET", "/api/v1/requests?status=new&territory=region&theme=housing", as_region)
    assert status == 200 and [r["id"] for r in listed["requests"]] == [rid]

    status, closed = call(
        "POST",
        f"/api/v1/requests/{rid}/close",
        as_region,
        {
            "feedback": "Place proposée à l'abri de nuit, rappel de l'AS le 24.",
            "unmet_needs": [{"reason": "waiting_list", "theme": "housing"}],
        },
    )
    assert status == 200 and closed["status"] == "closed"
    assert closed["unmet_needs"][0]["reason"] == "waiting_list"

    status, seen_by_sud = call("GET", f"/api/v1/requests/{rid}", as_sud)
    assert status == 200 and seen_by_sud["status"] == "closed"
    assert seen_by_sud["feedback"]["text"].startswith("Place proposée")
    assert [t["to"] for t in seen_by_sud["transfers"]] == ["region"]

    status, refused = call("GET", f"/api/v1/requests/{rid}", as_nord)
    assert status == 404 and set(refused) == {"error", "fields"}
    status, listed = call("GET", "/api/v1/requests", as_nord)
    assert listed["requests"] == []


def test_api_requests_sud_can_no_longer_change_a_request_it_handed_over(
    make_user, make_request, token_of, call
):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    headers = token_of(sud)
    assert (
        call("POST", f"/api/v1/requests/{req.id}/transfer", headers, {"to": "region", "note": "à vous"})[0]
        == 200
    )
    status, body = call("POST", f"/api/v1/requests/{req.id}/close", headers, {"feedback": "fait"})
    assert status == 404


def test_api_requests_close_without_feedback_or_reason_is_refused(make_user, make_request, token_of, call):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    status, body = call("POST", f"/api/v1/requests/{req.id}/close", token_of(sud), {"unmet_needs": []})
    assert status == 400 and "feedback" in body["fields"]
    status, body = call(
        "POST",
        f"/api/v1/requests/{req.id}/close",
        token_of(sud),
        {"no_feedback_reason": "Professionnelle injoignable depuis une semaine"},
    )
    assert status == 200 and body["feedback"]["given"] is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({**NEW_REQUEST, "themes": ["astrology"]}, "themes"),
        ({**NEW_REQUEST, "channel": "pigeon"}, "channel"),
        ({**NEW_REQUEST, "question": ""}, "question"),
        ({**NEW_REQUEST, "themes": "housing"}, "themes"),
        ({**NEW_REQUEST, "territory": "nord"}, "territory"),
        ({**NEW_REQUEST, "residence_postcode": "abc"}, "residence_postcode"),
    ],
)
def test_api_requests_create_names_the_invalid_field(make_user, themes, token_of, call, body, field):
    status, answer = call("POST", "/api/v1/requests", token_of(make_user("operator", "sud")), body)
    assert status == 400 and field in answer["fields"]


def test_api_requests_create_refuses_an_identity_unless_confirmed(make_user, themes, token_of, call):
    headers = token_of(make_user("operator", "sud"))
    body = {**NEW_REQUEST, "question": "Monsieur Mohamed El Amrani cherche un logement"}
    status, answer = call("POST", "/api/v1/requests", headers, body)
    assert status == 400 and answer["fields"] == {"question": "identity_suspected"}
    assert "question" in answer["error"] and "identity_confirmed" in answer["error"]
    assert call("POST", "/api/v1/requests", headers, {**body, "identity_confirmed": True})[0] == 201


def test_api_requests_create_refuses_a_national_number_even_confirmed(make_user, themes, token_of, call):
    headers = token_of(make_user("operator", "sud"))
    body = {
        **NEW_REQUEST,
        "question": "Monsieur 85.07.30-033.28 cherche un logement",
        "identity_confirmed": True,
    }
    status, answer = call("POST", "/api/v1/requests", headers, body)
    assert status == 400 and answer["fields"] == {"question": "identity_refused"}


def test_api_requests_without_token_is_401_and_admin_gets_403(client, make_user, token_of, call):
    assert call("GET", "/api/v1/requests", {})[0] == 401
    status, body = call("GET", "/api/v1/requests", token_of(make_user("admin", "region")))
    assert status == 403 and "error" in body


def test_api_requests_stale_version_gets_409_and_no_change(make_user, make_request, token_of, call):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    headers = token_of(sud)
    version = call("GET", f"/api/v1/requests/{req.id}", headers)[1]["version"]
    call("POST", f"/api/v1/requests/{req.id}/leads", headers, {"organisation_id": 999999})
    assert (
        call("POST", f"/api/v1/requests/{req.id}/close", headers, {"feedback": "fait", "version": version})[0]
        == 200
    )
    status, body = call(
        "POST",
        f"/api/v1/requests/{req.id}/transfer",
        headers,
        {"to": "region", "note": "x", "version": version},
    )
    assert status == 409


def test_api_openapi_documents_requests_and_organisations(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/requests",
        "/requests/{id}",
        "/requests/{id}/leads",
        "/requests/{id}/transfer",
        "/requests/{id}/close",
        "/requests/{id}/reopen",
        "/organisations",
        "/organisations/{id}",
    ):
        assert path in spec["paths"]
    reasons = spec["components"]["schemas"]["UnmetNeed"]["properties"]["reason"]["enum"]
    assert reasons == [
        "no_service",
        "waiting_list",
        "eligibility",
        "language",
        "cost",
        "distance",
        "administrative",
        "other",
    ]


def test_api_requests_close_refuses_a_national_number_in_the_feedback(
    make_user, make_request, token_of, call
):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    status, body = call(
        "POST",
        f"/api/v1/requests/{req.id}/close",
        token_of(sud),
        {"feedback": "Dossier de 85073003328 transmis", "identity_confirmed": True},
    )
    assert status == 400 and body["fields"] == {"feedback": "identity_refused"}


def test_api_requests_reopen_a_closed_request(make_user, make_request, token_of, call):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    headers = token_of(sud)
    status, body = call("POST", f"/api/v1/requests/{req.id}/reopen", headers, {"reason": "rappel"})
    assert status == 409 and body["fields"] == {"status": "not_closed"}
    status, closed = call(
        "POST", f"/api/v1/requests/{req.id}/close", headers, {"feedback": "Orientée vers le CAW"}
    )
    assert status == 200 and closed["status"] == "closed"
    status, body = call("POST", f"/api/v1/requests/{req.id}/reopen", headers, {"version": closed["version"]})
    assert status == 400 and "reason" in body["fields"]
    status, body = call(
        "POST",
        f"/api/v1/requests/{req.id}/reopen",
        headers,
        {"reason": "Rijksregisternummer 85.07.30-033.28", "version": closed["version"]},
    )
    assert status == 400 and body["fields"] == {"reason": "identity_refused"}
    status, body = call(
        "POST",
        f"/api/v1/requests/{req.id}/reopen",
        headers,
        {"reason": "Le CAW n'a plus de place", "version": closed["version"]},
    )
    assert status == 200
    assert (body["status"], body["closed_at"], body["feedback"]) == ("in_progress", None, None)
    status, body = call(
        "POST",
        f"/api/v1/requests/{req.id}/reopen",
        headers,
        {"reason": "encore", "version": closed["version"]},
    )
    assert status == 409 and body["fields"] == {"version": "conflict"}


@pytest.mark.parametrize("choice", ["move", "cancel"])
def test_api_requests_transfer_says_what_becomes_of_the_callbacks(
    app, make_user, make_request, token_of, call, choice
):
    from datetime import UTC, datetime, timedelta

    from helpdesk.followup import operations as ops
    from helpdesk.followup.models import Callback, HelpRequest

    sud = make_user("operator", "sud")
    req = make_request(sud)
    with app.app_context():
        db = get_session()
        callback_id = ops.add_callback(
            db, db.merge(sud), db.get(HelpRequest, req.id), due_at=datetime.now(UTC) + timedelta(days=1)
        ).id
        db.commit()
    body = {"to": "region", "note": "à vous", "callbacks": choice}
    assert call("POST", f"/api/v1/requests/{req.id}/transfer", token_of(sud), body)[0] == 200
    with app.app_context():
        callback = get_session().get(Callback, callback_id)
        assert (callback.cancelled_at is not None) == (choice == "cancel")
        assert (callback.done_at is None) == (choice == "move")


def test_api_requests_transfer_refuses_an_unknown_callback_choice(make_user, make_request, token_of, call):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    body = {"to": "region", "note": "à vous", "callbacks": "lose"}
    status, answer = call("POST", f"/api/v1/requests/{req.id}/transfer", token_of(sud), body)
    assert status == 400 and list(answer["fields"]) == ["callbacks"]
