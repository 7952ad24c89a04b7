"""The orientation e-mail to the asking professional, in their language, through the outbox to a real
SMTP server on loopback."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest, RequestEvent
from helpdesk.followup.recording import CallerRecord
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.sender import send_due
from tests.conftest import csrf_token

QUESTION = "Un hébergement d'urgence pour un homme de 50 ans à la rue."


@pytest.fixture
def oriented(mail_app, make_user, make_request, make_organisation):
    """A request of sud from a Dutch-speaking professional with two leads (one refused, left out)."""
    mail_app.config["TERRITORY_REPLY_TO"] = {"sud": "sud@helpdesk.example.org"}
    user = make_user("operator", "sud")
    req = make_request(
        user,
        question=QUESTION,
        caller=CallerRecord(name="Jan Peeters", email="jan@ocmw.example.be", language="nl"),
    )
    first = make_organisation(
        name_fr="Maison d'accueil Le Foyer",
        name_nl="Onthaalhuis De Haard",
        street_fr="Rue Haute",
        street_nl="Hoogstraat",
        number="12",
        postcode="1000",
        commune_fr="Bruxelles",
        commune_nl="Brussel",
        phones=["02 511 11 11", "0470 12 34 56"],
        emails=["info@haard.example.be"],
        websites=["https://haard.example.be"],
        opening_hours_nl="Maandag tot vrijdag 9-17 u.",
    )
    second = make_organisation(name_fr="Abri de nuit", name_nl="Nachtasiel", phones=["02 522 22 22"])
    refused = make_organisation(name_fr="Refusé", name_nl="Geweigerd", phones=["02 533 33 33"])
    with mail_app.app_context():
        db = get_session()
        request = db.get(HelpRequest, req.id)
        actor = db.merge(user)
        ops.add_lead(db, actor, request, first.id, note="Bel eerst even.")
        ops.add_lead(db, actor, request, second.id)
        ops.add_lead(db, actor, request, refused.id, outcome="refused")
        db.commit()
    return user, req


def test_orientation_intake_records_the_professionals_language(app, client, logged_in, themes):
    user = logged_in("operator", "sud")
    token = csrf_token(client, "/requests/new")
    response = client.post(
        "/requests/new",
        data={
            "csrf_token": token,
            "channel": "phone",
            "territory": "sud",
            "urgency": "normal",
            "caller_name": "Jan Peeters",
            "caller_language": "nl",
            "themes": ["housing"],
            "question": QUESTION,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalars(select(HelpRequest)).one().caller_language == "nl"
    assert user.territory == "sud"


def test_orientation_intake_defaults_to_the_operators_language(make_user, make_request, app):
    user = make_user("operator", "sud", locale="nl")
    req = make_request(user)
    assert req.caller_language == "nl"


def test_orientation_api_caller_language(client, make_user, themes, token_of):
    headers = token_of(make_user("operator", "sud"))
    body = {"caller": {"name": "Jan", "language": "nl"}, "themes": ["housing"], "question": QUESTION}
    response = client.post("/api/v1/requests", json=body, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["caller"]["language"] == "nl"
    body["caller"]["language"] = "de"
    response = client.post("/api/v1/requests", json=body, headers=headers)
    assert response.status_code == 400 and "caller_language" in response.get_json()["fields"]


def test_orientation_api_sends_in_dutch_with_each_leads_phone(
    oriented, mail_app, smtp_server, client, token_of
):
    user, req = oriented
    response = client.post(f"/api/v1/requests/{req.id}/send-orientation", json={}, headers=token_of(user))
    assert response.status_code == 202, response.get_json()
    message_id = response.get_json()["message_id"]
    assert send_due(mail_app).sent == 1
    [received] = smtp_server.received
    message = received.message
    assert received.rcpt_tos == ["jan@ocmw.example.be"]
    assert message["Message-ID"] == message_id
    assert message["Content-Language"] == "nl"
    assert message["Reply-To"] == "sud@helpdesk.example.org"
    assert req.reference in message["Subject"]
    assert message["To"].addresses[0].display_name == "Jan Peeters"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Onthaalhuis De Haard" in body and "Nachtasiel" in body
        assert "02 511 11 11" in body and "0470 12 34 56" in body and "02 522 22 22" in body
        assert "Hoogstraat 12, 1000 Brussel" in body
        assert "info@haard.example.be" in body and "https://haard.example.be" in body
        assert "Maandag tot vrijdag" in body and "Bel eerst even." in body
        assert "Geweigerd" not in body  # a refused lead is not sent
        assert "hébergement" not in body and "homme" not in body  # never the question
        assert "Telefoon" in body  # in Dutch
    with mail_app.app_context():
        events = (
            get_session().scalars(select(RequestEvent).where(RequestEvent.kind == "orientation_sent")).all()
        )
        assert len(events) == 1 and events[0].changes["language"] == "nl"


def test_orientation_api_language_and_address_can_be_given(oriented, mail_app, smtp_server, client, token_of):
    user, req = oriented
    response = client.post(
        f"/api/v1/requests/{req.id}/send-orientation",
        json={"to": "other@example.org", "language": "fr", "message": "Bonne chance !"},
        headers=token_of(user),
    )
    assert response.status_code == 202
    send_due(mail_app)
    message = smtp_server.received[0].message
    assert message["To"].addresses[0].addr_spec == "other@example.org"
    assert message["Content-Language"] == "fr"
    text = message.get_body(("plain",)).get_content()
    assert "Maison d'accueil Le Foyer" in text and "Bonne chance !" in text and "Rue Haute 12" in text


def test_orientation_api_refuses_without_address_or_lead(mail_app, make_user, make_request, client, token_of):
    user = make_user("operator", "sud")
    headers = token_of(user)
    no_email = make_request(user)
    response = client.post(f"/api/v1/requests/{no_email.id}/send-orientation", json={}, headers=headers)
    assert response.status_code == 400 and response.get_json()["fields"] == {"to": "required"}
    response = client.post(
        f"/api/v1/requests/{no_email.id}/send-orientation", json={"to": "a@example.org"}, headers=headers
    )
    assert response.status_code == 400 and response.get_json()["fields"] == {"leads": "required"}
    response = client.post(
        f"/api/v1/requests/{no_email.id}/send-orientation",
        json={"to": "a@example.org\r\nBcc: x@example.org"},
        headers=headers,
    )
    assert response.status_code == 400 and list(response.get_json()["fields"]) == ["to"]
    with mail_app.app_context():
        assert get_session().scalars(select(OutboxMessage)).all() == []


def test_orientation_api_is_scoped_like_the_request(oriented, make_user, client, token_of):
    _user, req = oriented
    outsider = token_of(make_user("operator", "nord"))
    response = client.post(f"/api/v1/requests/{req.id}/send-orientation", json={}, headers=outsider)
    assert response.status_code == 404


def test_orientation_page_previews_then_sends(oriented, mail_app, smtp_server, client):
    from tests.conftest import login

    user, req = oriented
    assert login(client, user.email).status_code == 302
    page = client.get(f"/requests/{req.id}/orientation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Onthaalhuis De Haard" in html and "jan@ocmw.example.be" in html and "0470 12 34 56" in html
    assert "hébergement" not in html.split('id="orientation-preview"')[1]
    french = client.get(f"/requests/{req.id}/orientation?language=fr&to=&message=Salut")
    assert "Maison d&#39;accueil Le Foyer" in french.get_data(as_text=True)
    response = client.post(
        f"/requests/{req.id}/orientation",
        data={
            "csrf_token": csrf_token(client, f"/requests/{req.id}"),
            "language": "nl",
            "to": "",
            "message": "",
        },
    )
    assert response.status_code == 302
    detail = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Orientation envoyée par e-mail" in detail  # the timeline, in the operator's French
    # Closing offers the e-mail as the feedback given.
    channel = re.search(r'<select[^>]*name="cl-feedback_channel".*?</select>', detail, re.S).group(0)
    assert re.search(
        r'<option[^>]*selected[^>]*value="email"|<option[^>]*value="email"[^>]*selected', channel
    )
    assert send_due(mail_app).sent == 1
    assert smtp_server.received[0].message["Content-Language"] == "nl"


def test_orientation_page_says_when_there_is_no_address(mail_app, make_user, make_request, client):
    from tests.conftest import login

    user = make_user("operator", "sud")
    req = make_request(user)
    login(client, user.email)
    page = client.get(f"/requests/{req.id}/orientation")
    assert page.status_code == 400
    assert "No address" in page.get_data(as_text=True) or "adresse" in page.get_data(as_text=True)


def test_orientation_refuses_header_injection_through_the_professionals_name(
    mail_app, make_user, make_request, make_organisation, client, token_of
):
    user = make_user("operator", "sud")
    req = make_request(
        user,
        caller=CallerRecord(name="Jan\r\nBcc: victim@example.org", email="jan@example.be", language="nl"),
    )
    org = make_organisation(name_fr="Abri", phones=["02 500 00 00"])
    with mail_app.app_context():
        db = get_session()
        ops.add_lead(db, db.merge(user), db.get(HelpRequest, req.id), org.id)
        db.commit()
    response = client.post(f"/api/v1/requests/{req.id}/send-orientation", json={}, headers=token_of(user))
    assert response.status_code == 400
    with mail_app.app_context():
        assert get_session().scalars(select(OutboxMessage)).all() == []
