"""Verification by the helpdesk: the one-click "I called and the details are right" on an organisation's page,
its history and audit line, the coordinators' list to verify (reasons, counts per basin, filters, pages,
scoping), and the API (``verified_at``, ``verified_by``, ``POST /organisations/<id>/verify``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from directory_import.models import utcnow
from helpdesk.audit import AuditEvent
from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.models import Lead
from helpdesk.verification.models import OrganisationVerification
from tests.conftest import csrf_token, login

VERIFY_BUTTON = "Verified: I called and the details are right"
# The reasons of the stewardship work, none of which the fixtures below raise.
NO_STEWARDSHIP = {"proposal_pending": 0, "closure_past_date": 0}


# ---------------------------------------------------------------- helpers


def verify(client, organisation_id: int, *, note: str = "", page: str | None = None, **params):
    token = csrf_token(client, page or f"/directory/organisations/{organisation_id}")
    query = "".join(f"?{k}={v}" for k, v in params.items())
    return client.post(
        f"/directory/organisations/{organisation_id}/verify{query}", data={"csrf_token": token, "note": note}
    )


def verifications(app, organisation_id: int) -> list[OrganisationVerification]:
    with app.app_context():
        return list(
            get_session().scalars(
                select(OrganisationVerification)
                .where(OrganisationVerification.organisation_id == organisation_id)
                .order_by(OrganisationVerification.id)
            )
        )


def add_verification(app, organisation_id: int, days_ago: int, user=None) -> None:
    with app.app_context():
        db = get_session()
        db.add(
            OrganisationVerification(
                organisation_id=organisation_id,
                verified_at=utcnow() - timedelta(days=days_ago),
                verified_by_id=user.id if user is not None else None,
            )
        )
        db.commit()


@pytest.fixture
def unreachable_lead(app, make_user, make_request):
    """``unreachable_lead(organisation, days_ago)``: a lead to it answered "unreachable" that many days ago."""
    operator = make_user("operator", "sud")

    def make(organisation, days_ago: int) -> None:
        req = make_request(operator)
        with app.app_context():
            db = get_session()
            lead = ops.add_lead(db, db.merge(operator), db.merge(req), organisation.id, outcome="unreachable")
            db.flush()
            db.get(Lead, lead.id).updated_at = utcnow() - timedelta(days=days_ago)
            db.commit()

    return make


def day_iso(days_ago: int) -> str:
    return (utcnow() - timedelta(days=days_ago)).date().isoformat()


def counts_of(html: str, basin: str) -> dict[str, int]:
    """The counts row of ``basin`` at the top of the list: reason code (and "total") to number."""
    row = re.search(rf'<tr data-basin="{basin}">(.*?)</tr>', html, re.S)
    assert row, f"no counts row for {basin}"
    return {
        code: int(number)
        for code, number in re.findall(r'data-reason="([a-z_]+)">(?:<a [^>]*>)?(\d+)', row.group(1))
    }


def listed(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-organisation="(\d+)">', html)}


# ---------------------------------------------------------------- the organisation page


def test_verification_page_shows_never_verified_and_the_source_date_apart(
    client, logged_in, make_organisation
):
    logged_in("operator", "sud", locale="en")
    org = make_organisation(postcode="1060", basin="sud", source_updated_at="2023-03-14")
    html = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "updated March 14, 2023" in html
    assert re.search(
        r"Last verified by the helpdesk</dt><dd class=\"last-verified\">\s*<span[^>]*>never verified", html
    )
    assert VERIFY_BUTTON in html


def test_verification_marks_it_verified_shows_date_and_name_and_audits(
    app, client, logged_in, make_organisation
):
    operator = logged_in("operator", "nord", locale="en", name="Aïcha Operator")
    org = make_organisation(postcode="1030", basin="nord", source_updated_at="2023-03-14")
    response = verify(client, org.id, note="phone confirmed")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/directory/organisations/{org.id}")
    html = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    today = utcnow().astimezone().date()
    assert "is marked verified today" in html
    match = re.search(r'<dd class="last-verified">(.*?)</dd>', html, re.S)
    assert match and "Aïcha Operator" in match.group(1) and str(today.year) in match.group(1)
    assert "never verified" not in match.group(1)
    assert "updated March 14, 2023" in html  # the source's own date stays, apart
    [row] = verifications(app, org.id)
    assert row.verified_by_id == operator.id and row.note == "phone confirmed"
    with app.app_context():
        [event] = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "organisation.verify"))
    assert event.user_id == operator.id and event.object_type == "organisation"
    assert event.object_id == str(org.id) and event.details["via"] == "web"


def test_verification_keeps_a_history_and_shows_the_latest(
    app, client, logged_in, make_user, make_organisation
):
    first = make_user("operator", "sud", name="First Verifier")
    org = make_organisation(postcode="1060", basin="sud")
    add_verification(app, org.id, 200, first)
    logged_in("coordinator", "sud", locale="en", name="Second Verifier")
    assert verify(client, org.id).status_code == 302
    assert len(verifications(app, org.id)) == 2
    html = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    shown = re.search(r'<dd class="last-verified">(.*?)</dd>', html, re.S).group(1)
    assert "Second Verifier" in shown and "First Verifier" not in shown


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["missing", "bad"])
def test_verification_without_a_valid_csrf_token_is_refused(app, client, logged_in, make_organisation, token):
    logged_in("operator", "sud")
    org = make_organisation(basin="sud")
    client.get(f"/directory/organisations/{org.id}")
    data = {} if token is None else {"csrf_token": token}
    response = client.post(f"/directory/organisations/{org.id}/verify", data=data)
    assert response.status_code == 400
    assert verifications(app, org.id) == []


def test_verification_is_refused_to_an_admin_and_a_visitor(app, client, logged_in, make_organisation):
    org = make_organisation(basin="sud")
    anonymous = client.post(
        f"/directory/organisations/{org.id}/verify", data={"csrf_token": csrf_token(client)}
    )
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    logged_in("admin", "region")
    html = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert VERIFY_BUTTON not in html
    assert verify(client, org.id).status_code == 403
    assert verifications(app, org.id) == []


def test_verification_of_an_archived_organisation_is_refused(app, client, logged_in, make_organisation):
    logged_in("operator", "sud", locale="en")
    org = make_organisation(basin="sud", archived=True)
    assert VERIFY_BUTTON not in client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    response = verify(client, org.id)
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "archived: it can no longer be verified" in html
    assert verifications(app, org.id) == []


def test_verification_note_too_long_or_identifying_is_refused(app, client, logged_in, make_organisation):
    logged_in("operator", "sud", locale="en")
    org = make_organisation(basin="sud")
    response = verify(client, org.id, note="x" * 201)
    assert "The note is too long" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = verify(client, org.id, note="Confirmed for 85.07.30-033.28")
    assert "cannot be recorded" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert verifications(app, org.id) == []


def test_verification_unknown_organisation_is_404(client, logged_in):
    logged_in("operator", "sud")
    assert (
        client.post(
            "/directory/organisations/999999/verify", data={"csrf_token": csrf_token(client, "/")}
        ).status_code
        == 404
    )


# ---------------------------------------------------------------- the list to verify


@pytest.fixture
def directory_to_verify(app, make_organisation, unreachable_lead):
    """Organisations of the South and North basins, each on the list for one reason, or on none."""
    o = {
        "sud_never": make_organisation(basin="sud", postcode="1060", name_fr="A never verified"),
        "sud_old": make_organisation(basin="sud", postcode="1060", name_fr="B verified long ago"),
        "sud_fresh": make_organisation(basin="sud", postcode="1060", name_fr="E verified lately"),
        "sud_source_then_verified": make_organisation(
            basin="sud", postcode="1060", name_fr="G source then verified", source_updated_at=day_iso(5)
        ),
        "sud_archived": make_organisation(basin="sud", postcode="1060", name_fr="H archived", archived=True),
        "nord_unreachable": make_organisation(basin="nord", postcode="1030", name_fr="C unreachable"),
        "nord_source": make_organisation(
            basin="nord", postcode="1030", name_fr="D source changed", source_updated_at=day_iso(3)
        ),
        "nord_old_unreachable": make_organisation(basin="nord", postcode="1030", name_fr="F old unreachable"),
        "nord_verified_after": make_organisation(basin="nord", postcode="1030", name_fr="I verified after"),
        "nord_source_long_ago": make_organisation(
            basin="nord", postcode="1030", name_fr="J source long ago", source_updated_at=day_iso(90)
        ),
    }
    add_verification(app, o["sud_old"].id, 400)
    for key in (
        "sud_fresh",
        "nord_unreachable",
        "nord_source",
        "nord_old_unreachable",
        "nord_source_long_ago",
    ):
        add_verification(app, o[key].id, 10)
    add_verification(app, o["sud_source_then_verified"].id, 1)
    add_verification(app, o["nord_verified_after"].id, 2)
    unreachable_lead(o["nord_unreachable"], 5)
    unreachable_lead(o["nord_old_unreachable"], 90)
    unreachable_lead(o["nord_verified_after"], 5)
    return {key: org.id for key, org in o.items()}


def test_to_verify_lists_each_reason_with_counts_per_basin(client, logged_in, directory_to_verify):
    ids = directory_to_verify
    logged_in("coordinator", "region", locale="en")
    response = client.get("/directory/to-verify")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert listed(html) == {ids["sud_never"], ids["sud_old"], ids["nord_unreachable"], ids["nord_source"]}
    assert counts_of(html, "sud") == {
        "stale": 2,
        "unreachable": 0,
        "source_changed": 0,
        **NO_STEWARDSHIP,
        "total": 2,
    }
    assert counts_of(html, "nord") == {
        "stale": 0,
        "unreachable": 1,
        "source_changed": 1,
        **NO_STEWARDSHIP,
        "total": 2,
    }
    assert counts_of(html, "centre-ouest")["total"] == 0
    row = re.search(rf'<tr data-organisation="{ids["nord_unreachable"]}">(.*?)</tr>', html, re.S).group(1)
    assert "Unreachable" in row and f"/directory/organisations/{ids['nord_unreachable']}" in row
    assert VERIFY_BUTTON in row
    never = re.search(rf'<tr data-organisation="{ids["sud_never"]}">(.*?)</tr>', html, re.S).group(1)
    assert "never verified" in never and "Not verified for a long time" in never


@pytest.mark.parametrize(
    "query, expected",
    [
        ("reason=stale", {"sud_never", "sud_old"}),
        ("reason=unreachable", {"nord_unreachable"}),
        ("reason=source_changed", {"nord_source"}),
        ("basin=nord", {"nord_unreachable", "nord_source"}),
        ("basin=sud&reason=unreachable", set()),
    ],
)
def test_to_verify_filters_by_reason_and_basin(client, logged_in, directory_to_verify, query, expected):
    logged_in("coordinator", "region")
    html = client.get(f"/directory/to-verify?{query}").get_data(as_text=True)
    assert listed(html) == {directory_to_verify[key] for key in expected}
    assert counts_of(html, "nord")["total"] == 2  # the counts are the whole scope's, whatever the filters


def test_to_verify_basin_coordinator_sees_only_their_basin(client, logged_in, directory_to_verify):
    ids = directory_to_verify
    logged_in("coordinator", "sud", locale="en")
    html = client.get("/directory/to-verify").get_data(as_text=True)
    assert listed(html) == {ids["sud_never"], ids["sud_old"]}
    assert 'data-basin="nord"' not in html
    refused = client.get("/directory/to-verify?basin=nord")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Choose one of your basins." in page and ids["nord_unreachable"] not in listed(page)


def test_to_verify_is_closed_to_operators_admins_and_visitors(client, logged_in):
    assert "/auth/login" in client.get("/directory/to-verify").headers["Location"]
    logged_in("operator", "region")
    assert client.get("/directory/to-verify").status_code == 403


@pytest.mark.parametrize(
    "query", ["reason=closed_forever", "page=abc", "page=0", "page=99999999999", "page=%C2%B2", "page=%D9%A3"]
)
def test_to_verify_bad_filters_answer_400_with_a_message(client, logged_in, make_organisation, query):
    make_organisation(basin="sud")
    logged_in("coordinator", "sud", locale="fr")
    response = client.get(f"/directory/to-verify?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="flash flash-error"' in html and "Organisations à vérifier" in html


def test_to_verify_is_paged(app, client, logged_in, make_organisation):
    app.config["VERIFICATION_PAGE_SIZE"] = 2
    ids = {make_organisation(basin="sud", name_fr=f"Org {n}").id for n in range(5)}
    logged_in("coordinator", "sud", locale="en")
    pages = [client.get(f"/directory/to-verify?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    assert [len(listed(p)) for p in pages] == [2, 2, 1]
    assert set().union(*(listed(p) for p in pages)) == ids
    assert "Page 1 of 3" in pages[0] and 'rel="next"' in pages[0] and 'rel="next"' not in pages[2]


def test_to_verify_verifying_from_the_list_comes_back_and_clears_the_row(
    client, logged_in, directory_to_verify
):
    ids = directory_to_verify
    logged_in("coordinator", "region", locale="en")
    response = verify(
        client,
        ids["nord_unreachable"],
        page="/directory/to-verify?basin=nord",
        next="/directory/to-verify?basin=nord",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/directory/to-verify?basin=nord"
    )
    html = client.get("/directory/to-verify").get_data(as_text=True)
    assert ids["nord_unreachable"] not in listed(html)
    assert counts_of(html, "nord") == {
        "stale": 0,
        "unreachable": 0,
        "source_changed": 1,
        **NO_STEWARDSHIP,
        "total": 1,
    }


def test_to_verify_home_links_it_for_coordinators_only(client, logged_in, make_user):
    logged_in("coordinator", "nord", locale="en")
    assert 'href="/directory/to-verify"' in client.get("/").get_data(as_text=True)
    other = client.application.test_client()
    operator = make_user("operator", "nord")
    login(other, operator.email)
    assert 'href="/directory/to-verify"' not in other.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "locale, words", [("fr", "Organisations à vérifier"), ("nl", "Te controleren organisaties")]
)
def test_to_verify_page_in_french_and_dutch(client, logged_in, make_organisation, locale, words):
    make_organisation(basin="sud")
    logged_in("coordinator", "sud", locale=locale)
    html = client.get("/directory/to-verify").get_data(as_text=True)
    assert words in html and "Not verified for a long time" not in html


# ---------------------------------------------------------------- the API


def test_api_verification_post_marks_it_and_detail_shows_it(
    app, client, make_user, make_organisation, token_of
):
    operator = make_user("operator", "sud", name="Api Operator")
    org = make_organisation(basin="sud")
    headers = token_of(operator)
    before = client.get(f"/api/v1/organisations/{org.id}", headers=headers).get_json()
    assert before["verified_at"] is None and before["verified_by"] is None
    response = client.post(f"/api/v1/organisations/{org.id}/verify", json={"note": "called"}, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == org.id and body["verified_by"] == "Api Operator" and body["verified_at"]
    after = client.get(f"/api/v1/organisations/{org.id}", headers=headers).get_json()
    assert after["verified_at"] == body["verified_at"] and after["verified_by"] == "Api Operator"
    with app.app_context():
        event = (
            get_session().scalars(select(AuditEvent).where(AuditEvent.action == "organisation.verify")).one()
        )
    assert event.details["via"] == "api"


def test_api_verification_without_body_is_fine(client, make_user, make_organisation, token_of):
    org = make_organisation(basin="sud")
    response = client.post(
        f"/api/v1/organisations/{org.id}/verify", headers=token_of(make_user("coordinator", "nord"))
    )
    assert response.status_code == 200 and response.get_json()["verified_at"]


@pytest.mark.parametrize(
    "body, field",
    [({"colour": "red"}, "colour"), ({"note": 12}, "note"), ({"note": "x" * 201}, "note"), (["note"], None)],
)
def test_api_verification_bad_body_is_400_naming_the_field(
    app, client, make_user, make_organisation, token_of, body, field
):
    org = make_organisation(basin="sud")
    response = client.post(f"/api/v1/organisations/{org.id}/verify", json=body, headers=token_of(make_user()))
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["error"]
    if field:
        assert field in answer["fields"]
    assert verifications(app, org.id) == []


def test_api_verification_refusals(app, client, make_user, make_organisation, token_of):
    org = make_organisation(basin="sud")
    archived = make_organisation(basin="sud", archived=True)
    visitor = {"X-CSRFToken": csrf_token(client)}
    assert client.post(f"/api/v1/organisations/{org.id}/verify", headers=visitor).status_code == 401
    admin = token_of(make_user("admin", "region"))
    assert client.post(f"/api/v1/organisations/{org.id}/verify", headers=admin).status_code == 403
    operator = token_of(make_user("operator", "sud"))
    assert client.post("/api/v1/organisations/999999/verify", headers=operator).status_code == 404
    response = client.post(f"/api/v1/organisations/{archived.id}/verify", headers=operator)
    assert response.status_code == 409 and response.get_json()["fields"] == {"organisation": "archived"}
    assert verifications(app, org.id) == [] and verifications(app, archived.id) == []


def test_api_verification_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/organisations/{id}/verify"]
    properties = spec["components"]["schemas"]["Organisation"]["properties"]
    assert {"verified_at", "verified_by"} <= set(properties)


# ---------------------------------------------------------------- the stewardship reasons


def _stewardship_counts(client) -> tuple[dict[str, int], set[int]]:
    html = client.get("/directory/to-verify?basin=sud").get_data(as_text=True)
    return counts_of(html, "sud"), listed(html)


def _only_reason(coordinator, organisation_id: int, code: str, label: str) -> None:
    """The south's counts say ``code`` once and nothing else; the list, and its filter on ``code``, show
    the organisation with the reason's label."""
    counts, ids = _stewardship_counts(coordinator)
    zero = {"stale": 0, "unreachable": 0, "source_changed": 0, **NO_STEWARDSHIP}
    assert counts == {**zero, code: 1, "total": 1} and ids == {organisation_id}
    html = coordinator.get(f"/directory/to-verify?reason={code}").get_data(as_text=True)
    assert listed(html) == {organisation_id} and label in html


def test_to_verify_lists_an_organisation_with_a_pending_proposal_until_verified_or_decided(
    app, client, make_user, make_organisation
):
    from tests.test_stewardship_proposals import _decide, _propose, _signed_in

    org = make_organisation(
        name_fr="Centre proposé", postcode="1060", basin="sud", phones=["+32 2 538 11 22"]
    )
    quiet = make_organisation(name_fr="Centre tranquille", postcode="1060", basin="sud")
    for organisation_id in (org.id, quiet.id):
        add_verification(app, organisation_id, 10)
    login(client, make_user("operator", "sud").email)
    assert _propose(client, org.id, phones="02 538 99 00").status_code == 302
    coordinator = _signed_in(app, make_user("coordinator", "region", locale="en"))
    _only_reason(coordinator, org.id, "proposal_pending", "Proposal pending")
    verify(coordinator, org.id)  # the operator who verified saw the proposal: it no longer raises it
    assert _stewardship_counts(coordinator)[0]["proposal_pending"] == 0
    assert _propose(client, org.id, phones="02 538 99 01").status_code == 302
    assert _stewardship_counts(coordinator)[1] == {org.id}
    with app.app_context():
        from helpdesk.stewardship.models import Proposal

        pending = get_session().scalars(select(Proposal.id).where(Proposal.state == "pending")).all()
    assert len(pending) == 2
    assert _decide(coordinator, pending[0], "accept").status_code == 302
    assert _stewardship_counts(coordinator)[1] == {org.id}  # the other one still waits
    _decide(coordinator, pending[1], "refuse", reason="Déjà corrigé.")
    assert _stewardship_counts(coordinator)[1] == set()


def test_to_verify_lists_an_accepted_temporary_closure_once_its_date_has_passed(
    app, client, make_user, make_organisation
):
    from datetime import date

    from helpdesk.stewardship.models import Overlay, Proposal
    from tests.test_stewardship_proposals import _decide, _propose, _signed_in

    org = make_organisation(name_fr="Centre fermé un temps", postcode="1060", basin="sud")
    add_verification(app, org.id, 10)
    login(client, make_user("operator", "sud").email)
    until = (date.today() + timedelta(days=3)).isoformat()
    assert _propose(client, org.id, status="temporarily_closed", until=until).status_code == 302
    coordinator = _signed_in(app, make_user("coordinator", "region", locale="en"))
    with app.app_context():
        proposal_id = get_session().scalars(select(Proposal.id)).one()
    assert _decide(coordinator, proposal_id, "accept").status_code == 302
    assert _stewardship_counts(coordinator)[0]["closure_past_date"] == 0  # closed until a date to come
    with app.app_context():  # three days later... and a few more: the date has passed
        db = get_session()
        overlay = db.scalars(select(Overlay).where(Overlay.organisation_id == org.id)).one()
        overlay.value = {"status": "temporarily_closed", "until": day_iso(3)}
        db.commit()
    _only_reason(coordinator, org.id, "closure_past_date", "Closure past its date")
    verify(coordinator, org.id)  # someone called after the date: cleared
    assert _stewardship_counts(coordinator) == (
        {**dict.fromkeys(("stale", "unreachable", "source_changed"), 0), **NO_STEWARDSHIP, "total": 0},
        set(),
    )
