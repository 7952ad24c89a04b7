"""Vocabularies are defined once and named alike everywhere: every code has its French and Dutch label, the
request page, the report and its CSV show labels (never bare codes), organisations are named by one rule,
and the pages, the API and the CLI give the same error messages."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from directory_import.models import Organisation
from directory_import.territory import OUTSIDE, TERRITORIES
from helpdesk.auth import operations as accounts
from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.recording import CallerRecord
from helpdesk.identity import KINDS
from helpdesk.vocabularies import ALL, Channel, LeadOutcome, Territory, Vocabulary
from helpdesk.vocabularies.errors import AccountProblem, FieldError, RequestRefusal, field_error_message
from helpdesk.vocabularies.import_messages import ROW_MESSAGES, SOURCE_MESSAGES, ImportStage, ImportStatus

CATALOGS = Path(__file__).resolve().parents[1] / "helpdesk" / "translations"
VOCABULARIES = (*ALL, FieldError, RequestRefusal, AccountProblem, ImportStatus, ImportStage)
MEMBERS = [
    pytest.param(member, id=f"{vocabulary.__name__}.{member.name}")
    for vocabulary in VOCABULARIES
    for member in vocabulary
]


def _catalog(language: str) -> dict[str, str]:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file)
    return {str(m.id): str(m.string) for m in catalog if m.id and not m.fuzzy and isinstance(m.string, str)}


@pytest.fixture(scope="module")
def catalogs() -> dict[str, dict[str, str]]:
    return {language: _catalog(language) for language in ("fr", "nl")}


@pytest.mark.parametrize("member", MEMBERS)
def test_vocabulary_code_has_a_french_and_a_dutch_label(member: Vocabulary, catalogs):
    msgid = member.label._args[0]  # the English source of the lazy label
    for language in ("fr", "nl"):
        assert catalogs[language].get(msgid), f"{member!r}: no {language} translation of {msgid!r}"


@pytest.mark.parametrize("code", sorted(ROW_MESSAGES) + sorted(SOURCE_MESSAGES))
def test_import_message_has_a_french_and_a_dutch_text(code, catalogs):
    message = ROW_MESSAGES.get(code) or SOURCE_MESSAGES[code]
    for language in ("fr", "nl"):
        assert catalogs[language].get(message._args[0]), f"{code}: no {language} translation"


def test_vocabulary_members_are_their_codes():
    assert Channel.PHONE == "phone" and Channel("walk_in") is Channel.WALK_IN
    assert Channel.has("video") and not Channel.has("fax") and not Channel.has(None)
    assert Channel.label_of("fax") == "fax" and Channel.label_of("fax", "—") == "—"
    assert list(LeadOutcome.labels()) == list(LeadOutcome.codes())


def test_vocabulary_territories_name_every_territory_of_the_directory():
    assert set(Territory.codes()) == {*TERRITORIES, OUTSIDE}


def test_vocabulary_identity_kinds_are_the_guards():
    from helpdesk.vocabularies import IdentityKind

    assert set(IdentityKind.codes()) == set(KINDS)


def test_vocabulary_codes_are_not_defined_anywhere_else():
    """No module of the app redefines a vocabulary as a dict of labels or a tuple of codes."""
    root = Path(__file__).resolve().parents[1] / "helpdesk"
    for path in root.rglob("*.py"):
        if "vocabularies" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in ("CHANNEL_LABELS", "FEEDBACK_CHANNELS", 'AGE_BANDS = ("', 'STATUS_LABELS = {\n    "new"'):
            assert name not in text, f"{path}: {name}"


# ---------------------------------------------------------------- organisations' names


@pytest.mark.parametrize(
    ("names", "language", "expected"),
    [
        ({"name_fr": "Maison", "name_nl": "Huis"}, "fr", "Maison"),
        ({"name_fr": "Maison", "name_nl": "Huis"}, "nl", "Huis"),
        ({"name_fr": "Maison", "name_nl": "Huis"}, "en", "Maison"),
        ({"name_fr": "Maison", "name_nl": ""}, "nl", "Maison"),
        ({"name_fr": "", "name_nl": "Huis"}, "fr", "Huis"),
        ({"official_name_fr": "ASBL Maison", "official_name_nl": "VZW Huis"}, "nl", "VZW Huis"),
        ({"official_name_fr": "ASBL Maison"}, "nl", "ASBL Maison"),
        ({}, "fr", "src-1"),
    ],
)
def test_organisation_name_in_falls_back_language_other_language_official_name(names, language, expected):
    fields = {"name_fr": "", "name_nl": "", "official_name_fr": "", "official_name_nl": "", **names}
    assert Organisation(source="test", source_id="src-1", **fields).name_in(language) == expected


def test_org_name_filter_names_the_organisation_in_the_readers_language(client, logged_in, make_organisation):
    org = make_organisation(name_fr="Maison d'accueil", name_nl="Onthaalhuis")
    logged_in("operator", "sud", locale="nl")
    page = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "<h1>Onthaalhuis" in page
    hits = client.get("/api/v1/organisations?q=onthaalhuis").get_json()["hits"]
    assert [hit["name"] for hit in hits] == ["Onthaalhuis"]


# ---------------------------------------------------------------- labels on the pages, never codes


@pytest.fixture
def labelled_request(app, make_user, make_request, make_organisation):
    """A request using a code of most vocabularies, with a lead, an unmet need, a share and a note."""
    operator = make_user("operator", "sud", locale="fr")
    org = make_organisation(name_fr="Maison d'accueil", name_nl="Onthaalhuis")
    request = make_request(
        operator,
        channel="walk_in",
        urgency="high",
        age_band="18-24",
        languages=["ar"],
        situation_flags=["no_fixed_address"],
        caller=CallerRecord(name="Marie Dupont", sector="cpas", organisation_text="CPAS de Forest"),
    )
    with app.app_context():
        db = get_session()
        user, req = db.merge(operator), db.get(type(request), request.id)
        ops.add_lead(db, user, req, org.id, outcome="waiting_list")
        ops.add_unmet_need(db, user, req, reason="no_service", theme_code="housing")
        ops.share_request(db, user, req, to="nord", note="Une piste au nord ?")
        db.commit()
    return request


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "fr",
            [
                "Sur place",
                "18 à 24 ans",
                "Arabe",
                "Sans domicile fixe",
                "CPAS",
                "Liste d'attente",
                "Demande enregistrée",
                "Piste ajoutée",
                "Bassin Sud",
                "Maison d'accueil",
            ],
        ),
        (
            "nl",
            [
                "Aan de balie",
                "18 tot 24 jaar",
                "Arabisch",
                "Geen vaste verblijfplaats",
                "OCMW",
                "Wachtlijst",
                "Aanvraag geregistreerd",
                "Spoor toegevoegd",
                "Zorgregio Zuid",
                "Onthaalhuis",
            ],
        ),
    ],
)
def test_request_page_shows_labels_not_codes(client, logged_in, labelled_request, language, labels):
    logged_in("operator", "sud", locale=language)
    page = client.get(f"/requests/{labelled_request.id}").get_data(as_text=True)
    page = page.replace("&#39;", "'")
    for label in labels:
        assert label in page, label
    for code in ("walk_in", "no_fixed_address", "waiting_list", "lead_added", "no_service"):
        assert f">{code}<" not in page and f" {code}<" not in page and f">{code} " not in page, code


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("fr", ["Téléphone", "Sur place", "18 à 24 ans"]),
        ("nl", ["Telefoon", "Aan de balie", "18 tot 24 jaar"]),
    ],
)
def test_report_page_and_csv_show_labels_not_codes(client, logged_in, october_world, language, labels):
    logged_in("coordinator", "region", locale=language)
    html = client.get("/reports/?month=2026-10&territory=all").get_data(as_text=True)
    for label in labels:
        assert label in html, label
    assert ">walk_in<" not in html and ">phone<" not in html
    text = client.get(f"/reports/?month=2026-10&territory=all&format=csv&language={language}").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    by_channel = {row["value"]: row["label"] for row in rows if row["dimension"] == "by_channel"}
    assert (by_channel["phone"], by_channel["walk_in"]) == tuple(labels[:2])  # the code, then its label
    by_age_band = {row["value"]: row["label"] for row in rows if row["dimension"] == "by_age_band"}
    assert by_age_band["18-24"] == labels[2]
    assert all(
        row["label"] not in {"phone", "walk_in", "18-24", "waiting_list", "no_service"} for row in rows
    )


# ---------------------------------------------------------------- one map of error messages


def test_api_refuses_codes_outside_the_vocabularies_with_the_shared_message(app, client, make_user, themes):
    user = make_user("operator", "sud", locale="fr")
    with app.app_context():
        db = get_session()
        token = accounts.create_api_token(db, db.merge(user), "test")
        db.commit()
    answer = client.post(
        "/api/v1/requests",
        json={"question": "Une question.", "languages": ["xx"], "caller": {"sector": "?"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400, answer.get_json()
    fields = answer.get_json()["fields"]
    with app.test_request_context(), force_locale("fr"):
        invalid = field_error_message("invalid")
    assert fields["languages"] == fields["caller_sector"] == invalid == "Cette valeur n'est pas valide."


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("C.UTF-8", "The password is too short"), ("fr_BE.UTF-8", "trop court"), ("nl_BE.UTF-8", "te kort")],
)
def test_cli_account_errors_speak_the_environments_language(runner, monkeypatch, lang, expected):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", lang)
    result = runner.invoke(
        args=["users", "create", "ana@cpas.example", "--territory", "sud", "--password", "short"]
    )
    assert result.exit_code != 0 and expected in result.output


def test_api_refuses_a_callers_address_that_is_no_e_mail_address(app, client, make_user, themes):
    user = make_user("operator", "sud", locale="nl")
    with app.app_context():
        db = get_session()
        token = accounts.create_api_token(db, db.merge(user), "test")
        db.commit()
    answer = client.post(
        "/api/v1/requests",
        json={"question": "Een vraag.", "caller": {"name": "Marie", "email": "marie..dupont@cpas"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["fields"] == {"caller_email": "Deze waarde is niet geldig."}
