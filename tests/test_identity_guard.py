"""The identity guard: what it catches in French and Dutch (a corpus, with precision and recall), and every
free text other territories read going through it, on the pages and in the JSON API alike."""

from __future__ import annotations

import csv
import html
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpdesk.db import get_session
from helpdesk.directory.models import OrganisationNote
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest, RequestEvent
from helpdesk.identity import find_identity, identity_warnings, is_national_number
from tests.conftest import csrf_token
from tests.test_api_requests import call  # noqa: F401 - fixtures
from tests.test_followup import version_on

CORPUS = Path(__file__).parent / "data" / "identity_corpus" / "corpus.csv"
REFUSED_TEXT = "NN 85.07.30-033.28, le monsieur est né le 30/07/1985 à Tanger."
WARNED_TEXT = "Monsieur Mohamed El Amrani dort dans sa voiture."


def _corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- what it catches


def test_identity_corpus_recall_and_false_alarms_meet_the_bar():
    rows = _corpus()
    identifying = [r for r in rows if r["identifies"] == "true"]
    plain = [r for r in rows if r["identifies"] == "false"]
    assert len(identifying) >= 150 and len(plain) >= 150
    assert {r["lang"] for r in identifying} == {r["lang"] for r in plain} == {"fr", "nl"}
    missed = [r["text"] for r in identifying if not find_identity(r["text"])]
    alarms = [r["text"] for r in plain if find_identity(r["text"])]
    caught = len(identifying) - len(missed)
    recall = caught / len(identifying)
    false_alarm_rate = len(alarms) / len(plain)
    precision = caught / (caught + len(alarms))
    for lang in ("fr", "nl"):
        ident = [r for r in identifying if r["lang"] == lang]
        clean = [r for r in plain if r["lang"] == lang]
        print(
            f"identity corpus {lang}: recall {sum(bool(find_identity(r['text'])) for r in ident) / len(ident):.3f}"
            f", false alarms {sum(bool(find_identity(r['text'])) for r in clean) / len(clean):.3f}"
        )
    print(
        f"identity corpus: {len(identifying)} identifying, {len(plain)} not; recall {recall:.3f}, "
        f"precision {precision:.3f}, false alarms {false_alarm_rate:.3f}"
    )
    print("missed:", missed, "false alarms:", alarms)
    assert recall >= 0.95, missed
    assert false_alarm_rate <= 0.05, alarms


def test_identity_corpus_names_the_kind_it_was_written_for():
    """Each identifying sentence is caught for the right reason, not by chance (mixed ones: any)."""
    wrong = [
        (r["kind"], r["text"], identity_warnings(r["text"]))
        for r in _corpus()
        if r["identifies"] == "true"
        and r["kind"] != "mixed"
        and r["kind"] not in identity_warnings(r["text"])
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "text, kind",
    [
        ("né le 12/03/1985", "birth_date"),
        ("Date de naissance: 12.03.1985", "birth_date"),
        ("Né le 3 mars 1985", "birth_date"),
        ("geboren op 3 maart 1985", "birth_date"),
        ("°12/03/85", "birth_date"),
        ("né(e) le 4/5/1990", "birth_date"),
        ("geboortedatum 1985-03-12", "birth_date"),
        ("DDN 12/03/1985", "birth_date"),
        ("NN 85.07.30-033.28", "national_number"),
        ("NN 85.07.30-033.29", "national_number_like"),
        ("INSZ 04.06.09-132.44", "national_number"),  # born in 2004: the checksum counts 2 000 000 000 more
        ("BIS 85.27.01-001.03", "bis_number"),
        ("Monsieur Mohamed El Amrani", "civil_name"),
        ("M. Dubois", "civil_name"),
        ("Mme Nguyen", "civil_name"),
        ("Mevrouw Peeters", "civil_name"),
        ("Meneer Janssens", "civil_name"),
        ("Dhr. Claes", "civil_name"),
        ("Mevr. De Smet", "civil_name"),
        ("Mr Ouali", "civil_name"),
        ("Madame Van den Bossche", "civil_name"),
        ("fatima.benali@hotmail.com", "email"),
        ("son gsm 0475 12 34 56", "phone"),
        ("bereikbaar op +32 478 90 12 34", "phone"),
        ("rappeler le 0032 496 11 22 33", "phone"),
        ("son numéro fixe : 02 345 67 89", "phone"),
    ],
)
def test_identity_guard_catches(text, kind):
    assert kind in identity_warnings(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ouvert 9h-12h et 13h-16h",
        "Le service est au 1060, rue de la Victoire 96",
        "rdv le 12/03 à 14h",
        "Rendez-vous le 12/03/2026",
        "Liste d'attente depuis 2019",
        "Accueil : 02 512 34 56",
        "Numéro vert 0800 12 345",
        "GSM de l'éducateur de rue : 0478 12 34 56",
        "info@cpas-ixelles.be",
        "Mme Janssens, assistante sociale",
        "Contacter M. le directeur",
        "Madame est arrivée hier",
        "Le CPAS demande la date de naissance",
        "Ondernemingsnummer 0456.789.123",
        "Elle ne peut venir que le 3 mars",
        "Enceinte, naissance prévue le 3 mars 2027",
        "Nee, de afspraak is op 3 maart",
    ],
)
def test_identity_guard_leaves_professional_text_alone(text):
    assert identity_warnings(text) == []


def test_national_number_checksum_counts_births_after_2000():
    assert is_national_number("85073003328")
    assert is_national_number("04060913244")  # 2004: 97 - (2 000 000 000 + 040609132) % 97
    assert not is_national_number("04060913245")
    assert not is_national_number("8507300332")


# ---------------------------------------------------------------- every free text, on the pages


def _events(app, request_id: int) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).where(RequestEvent.request_id == request_id))


def _closed(app, user, req):
    with app.app_context():
        db = get_session()
        ops.close_request(
            db,
            db.merge(user),
            db.get(HelpRequest, req.id),
            ops.ClosingRecord(feedback_given=True, feedback_text="Orientée vers le CAW"),
            expected_version=None,
        )
        db.commit()


def _lead(app, user, req, make_organisation):
    org = make_organisation(name_fr="CAW Brussel")
    with app.app_context():
        db = get_session()
        lead = ops.add_lead(db, db.merge(user), db.get(HelpRequest, req.id), org.id)
        db.commit()
        return lead.id


# name: (url suffix, data for a text, French label of the text's field, what the request needs first)
PAGE_FORMS = {
    "unmet need": (
        "/unmet-needs",
        lambda t, p: {"unmet-reason": "waiting_list", "unmet-note": t},
        "Note",
        None,
    ),
    "callback": (
        "/callbacks",
        lambda t, p: {
            "cb-due_date": (date.today() + timedelta(days=1)).isoformat(),
            "cb-due_time": "10:00",
            "cb-note": t,
        },
        "Note",
        None,
    ),
    "transfer": (
        "/transfer",
        lambda t, p: {"tr-version": version_on(p, "tr"), "tr-to": "region", "tr-note": t},
        "Note de transmission",
        None,
    ),
    "share": ("/share", lambda t, p: {"sh-to": "nord", "sh-note": t}, "Quelle est la question ?", None),
    "comment": ("/comments", lambda t, p: {"cm-note": t}, "Note", None),
    "close feedback": (
        "/close",
        lambda t, p: {
            "cl-version": version_on(p, "cl"),
            "cl-feedback_given": "yes",
            "cl-feedback_channel": "phone",
            "cl-feedback_text": t,
        },
        "Ce qui a été proposé",
        None,
    ),
    "close reason": (
        "/close",
        lambda t, p: {
            "cl-version": version_on(p, "cl"),
            "cl-feedback_given": "no",
            "cl-feedback_channel": "phone",
            "cl-missing_reason": t,
        },
        "Pourquoi il n'a pas pu être donné",
        None,
    ),
    "reopen": (
        "/reopen",
        lambda t, p: {"ro-version": version_on(p, "ro"), "ro-reason": t},
        "Pourquoi la rouvrir",
        "closed",
    ),
    "lead": (
        "/leads",
        lambda t, p: {"organisation_id": "{org}", "outcome": "proposed", "note": t},
        "Note",
        "organisation",
    ),
    "lead update": (
        "/leads/{lead}",
        lambda t, p: {"lead{lead}-outcome": "contacted", "lead{lead}-note": t},
        "Note",
        "lead",
    ),
}


def _page_case(app, client, logged_in, make_request, make_organisation, name):
    user = logged_in("operator", "sud")
    req = make_request(user)
    suffix, data_of, label, needs = PAGE_FORMS[name]
    values = {}
    if needs == "closed":
        _closed(app, user, req)
    elif needs == "organisation":
        values["org"] = make_organisation(name_fr="Maison d'accueil").id
    elif needs == "lead":
        values["lead"] = _lead(app, user, req, make_organisation)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)

    def post(text: str, **extra):
        data = {
            k.format(**values): v.format(**values) if v == "{org}" else v
            for k, v in data_of(text, page).items()
        }
        prefix = next(iter(data)).split("-")[0] + "-" if "-" in next(iter(data)) else ""
        data.update({prefix + k: v for k, v in extra.items()})
        data["csrf_token"] = csrf_token(client, "/")
        return client.post(f"/requests/{req.id}{suffix.format(**values)}", data=data)

    return req, label, post


@pytest.mark.parametrize("name", list(PAGE_FORMS))
def test_page_refuses_a_date_of_birth_in_every_free_text_even_confirmed(
    app, client, logged_in, make_request, make_organisation, name
):
    req, label, post = _page_case(app, client, logged_in, make_request, make_organisation, name)
    before = _events(app, req.id)
    response = post(REFUSED_TEXT, confirm_identity="y")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"« {label} » contient un numéro de registre national, une date de naissance" in page
    assert _events(app, req.id) == before


@pytest.mark.parametrize("name", list(PAGE_FORMS))
def test_page_warns_about_a_name_in_every_free_text_and_saves_once_confirmed(
    app, client, logged_in, make_request, make_organisation, name
):
    req, label, post = _page_case(app, client, logged_in, make_request, make_organisation, name)
    before = _events(app, req.id)
    response = post(WARNED_TEXT)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"« {label} » semble contenir le nom d’une personne" in page
    assert "J'ai vérifié : ce texte n'identifie personne" in page
    assert _events(app, req.id) == before
    assert post(WARNED_TEXT, confirm_identity="y").status_code == 302
    assert _events(app, req.id) > before


def test_page_keeps_a_services_phone_number_in_a_lead_note(
    app, client, logged_in, make_request, make_organisation
):
    req, _label, post = _page_case(app, client, logged_in, make_request, make_organisation, "lead")
    assert post("Permanence au 02 512 34 56, 9h-12h, demander l'accueil").status_code == 302


def _notes(app) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(select(OrganisationNote.text)))


def test_organisation_note_with_a_national_number_is_refused(app, client, logged_in, make_organisation):
    logged_in("operator", "sud")
    org = make_organisation()
    url = f"/directory/organisations/{org.id}/notes"
    data = {
        "text": "Suivi de 85.01.01-001.15, liste d'attente",
        "confirm_identity": "y",
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "« Note sur cette organisation » contient un numéro de registre national" in page
    assert _notes(app) == []


def test_organisation_note_with_a_name_saves_once_confirmed(app, client, logged_in, make_organisation):
    logged_in("operator", "sud")
    org = make_organisation()
    url = f"/directory/organisations/{org.id}/notes"
    data = {"text": "Mevrouw Fatima Benali wacht hier al drie maanden", "csrf_token": csrf_token(client, url)}
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "semble contenir le nom d’une personne" in html.unescape(response.get_data(as_text=True))
    assert _notes(app) == []
    assert client.post(url, data={**data, "confirm_identity": "y"}).status_code == 302
    assert _notes(app) == ["Mevrouw Fatima Benali wacht hier al drie maanden"]


def test_organisation_note_with_opening_hours_and_the_services_phone_is_saved(
    app, client, logged_in, make_organisation
):
    logged_in("operator", "sud")
    org = make_organisation()
    url = f"/directory/organisations/{org.id}/notes"
    text = "Nouvelle permanence le mardi 9h-12h au 02 543 60 30, rue de la Victoire 96, 1060"
    assert client.post(url, data={"text": text, "csrf_token": csrf_token(client, url)}).status_code == 302
    assert _notes(app) == [text]


# ---------------------------------------------------------------- the same in the JSON API


@pytest.mark.parametrize(
    "suffix, body, field",
    [
        ("/leads", {"organisation_id": "{org}", "note": "{text}"}, "note"),
        ("/transfer", {"to": "region", "note": "{text}"}, "note"),
        ("/close", {"feedback": "{text}"}, "feedback"),
        ("/close", {"no_feedback_reason": "{text}"}, "no_feedback_reason"),
    ],
)
def test_api_guards_every_free_text_like_the_pages(
    make_user, make_request, make_organisation, token_of, call, suffix, body, field
):
    sud = make_user("operator", "sud")
    req = make_request(sud)
    headers = token_of(sud)
    org = make_organisation()

    def send(text, **extra):
        data = {k: (org.id if v == "{org}" else text if v == "{text}" else v) for k, v in body.items()}
        return call("POST", f"/api/v1/requests/{req.id}{suffix}", headers, {**data, **extra})

    status, answer = send(REFUSED_TEXT, identity_confirmed=True)
    assert status == 400 and answer["fields"] == {field: "identity_refused"}
    assert f"« {field} » contient un numéro de registre national, une date de naissance" in answer["error"]
    status, answer = send(WARNED_TEXT)
    assert status == 400 and answer["fields"] == {field: "identity_suspected"}
    status, _answer = send(WARNED_TEXT, identity_confirmed=True)
    assert status in (200, 201)
