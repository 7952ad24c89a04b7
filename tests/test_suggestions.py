"""Suggestions on the request page and in the API: each part of the score on its own, the tables the parts
read, the reasons and warnings as the operator reads them, adding a suggestion as a lead, and the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from directory_import.geography import Located, Point, postcode_centre
from directory_import.models import utcnow
from directory_import.vocabulary import CATEGORIES, PUBLICS
from helpdesk.db import get_session
from helpdesk.directory.models import OrganisationNote
from helpdesk.followup.models import HelpRequest, Lead
from helpdesk.followup.themes import SECTOR_THEMES
from helpdesk.orientation import matching
from helpdesk.orientation import suggestions as sg
from helpdesk.orientation.profiles import OrganisationProfile, profile_of
from helpdesk.vocabularies import AgeBand, SituationFlag
from tests.conftest import csrf_token


def profile(**fields) -> OrganisationProfile:
    """A profile as the suggestions see an organisation; only what a test names differs."""
    values = dict(
        id=1,
        source_id="1",
        name_fr="Organisation",
        name_nl="",
        postcode="1060",
        basin="sud",
        commune="saint-gilles",
        categories={},
        publics=frozenset(),
        languages=frozenset({"fr"}),
        interpreting=None,
        located=Located(postcode_centre("1060"), True),
        served=frozenset(),
        temporarily_closed=False,
    )
    values.update(fields)
    if isinstance(values["categories"], (list, tuple, set)):
        values["categories"] = {code: {"fr": CATEGORIES[code][0], "nl": ""} for code in values["categories"]}
    return OrganisationProfile(**values)


# ---------------------------------------------------------------- the tables the parts read
def test_suggestion_tables_name_only_known_themes_categories_and_publics():
    themes = {code for code, *_ in SECTOR_THEMES}
    assert set(matching.THEME_CATEGORIES) == themes
    for table in (matching.THEME_CATEGORIES, matching.FLAG_CATEGORIES):
        assert {code for weights in table.values() for code in weights} <= set(CATEGORIES)
    assert set(matching.FLAG_CATEGORIES) | set(matching.FLAG_PUBLICS) <= set(SituationFlag.codes())
    assert set(matching.AGE_PUBLICS) == set(AgeBand.codes())
    publics = {
        p for ps in list(matching.FLAG_PUBLICS.values()) + list(matching.AGE_PUBLICS.values()) for p in ps
    }
    assert publics | matching.AGE_SPECIFIC_PUBLICS <= set(PUBLICS)


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ({"code": "ssm", "label_fr": "Service de santé mentale"}, "ssm"),
        ({"code": "301", "label_fr": "Service de santé mentale", "label_nl": ""}, "ssm"),
        ({"code": "9", "label_fr": "", "label_nl": "Centra voor geestelijke gezondheidszorg"}, "ssm"),
        ({"code": "12", "label_fr": "Maisons médicales"}, "mm"),
        ({"code": "13", "label_fr": "Centre public d'action sociale"}, "cpas"),
        ({"code": "14", "label_fr": "Centre d'action sociale globale"}, "cas"),
        ({"code": "15", "label_fr": "Accueil de nuit pour sans-abri"}, "sansabri"),
        ("Médiation de dettes", "dettes"),
    ],
)
def test_suggestion_categories_are_read_whatever_the_source_calls_them(item, code):
    assert set(matching.category_codes([item])) == {code}


def test_suggestion_publics_come_from_the_list_and_from_the_sources_words():
    assert matching.public_names([{"fr": "personnes âgées", "nl": "ouderen"}]) == {"personnes âgées"}
    assert matching.public_names([], "Personnes sans abri, adultes") == {"personnes sans abri", "adultes"}
    assert matching.public_names([], "", "Daklozen en migranten") == {
        "personnes sans abri",
        "personnes migrantes",
    }


# ---------------------------------------------------------------- each part of the score
def test_suggestion_theme_part_weighs_the_best_category_per_theme():
    ssm = profile(categories=["ssm"])
    assert sg.theme_part(ssm, ["mental_health"]) == (4.0, (sg.Reason("category", "ssm"),))
    assert sg.theme_part(profile(categories=["mm"]), ["mental_health"])[0] == pytest.approx(1.2)
    assert sg.theme_part(ssm, ["mental_health", "addiction"])[0] == pytest.approx(5.2)
    assert sg.theme_part(ssm, ["food"]) == (0.0, ())


def test_suggestion_situation_part_serves_the_persons_situation():
    shelter = profile(categories=["sansabri"])
    assert sg.situation_part(shelter, ["no_fixed_address"]) == (1.5, (sg.Reason("category", "sansabri"),))
    assert sg.situation_part(shelter, ["disability"]) == (0.0, ())


def test_suggestion_question_part_is_relative_to_the_best_hit():
    assert sg.question_part(profile(id=7), {7: 0.5}) == (1.5, (sg.Reason("question"),))
    assert sg.question_part(profile(id=8), {7: 1.0}) == (0.0, ())
    # For an organisation that answers a theme already, the words only break ties.
    assert sg.question_part(profile(id=7), {7: 0.5}, answers_theme=True) == (0.5, (sg.Reason("question"),))
    assert sg.question_part(profile(id=7), {7: 0.1}) == (pytest.approx(0.3), ())  # too little to say it


def test_suggestion_public_part_counts_the_publics_called_for():
    org = profile(publics=frozenset({"personnes sans abri", "personnes migrantes", "adultes"}))
    score, reasons = sg.public_part(org, ["no_fixed_address", "no_legal_residence"], "25-44")
    assert score == 2.0
    assert [r.value for r in reasons] == ["personnes sans abri", "personnes migrantes"]
    assert sg.public_part(org, ["disability"], "")[0] == 0


@pytest.mark.parametrize(
    ("publics", "band", "score"),
    [
        ({"personnes âgées"}, "25-44", -1.5),
        ({"personnes âgées"}, "80+", 0.0),
        ({"enfants", "jeunes", "adultes"}, "80+", 0.0),  # adults of any age
        ({"jeunes"}, "12-17", 0.0),
        ({"adultes"}, "0-11", 0.0),  # names no age-specific public: no judgement
        ({"personnes âgées"}, "", 0.0),
    ],
)
def test_suggestion_age_part_lowers_services_for_other_ages(publics, band, score):
    assert sg.age_part(profile(publics=frozenset(publics)), band)[0] == score


def test_suggestion_language_part():
    arabic = profile(languages=frozenset({"fr", "ar"}))
    assert sg.language_part(arabic, ["ar"]) == (1.5, (sg.Reason("language", "ar"),))
    assert sg.language_part(arabic, ["ar", "fr"])[0] == pytest.approx(1.8)
    assert sg.language_part(profile(languages=frozenset({"fr", "nl"})), ["nl"]) == (
        0.3,
        (sg.Reason("language", "nl"),),
    )
    french_only = profile(languages=frozenset({"fr"}))
    assert sg.language_part(french_only, ["tr"]) == (-1.0, ())
    interpreting = profile(languages=frozenset({"fr"}), interpreting=True)
    assert sg.language_part(interpreting, ["tr"]) == (1.0, (sg.Reason("interpreting"),))
    assert sg.language_part(interpreting, ["tr", "fr"])[0] == pytest.approx(1.3)
    assert sg.language_part(profile(languages=frozenset()), ["tr"]) == (0.0, ())  # unknown: no judgement
    assert sg.language_part(arabic, []) == (0.0, ())


def test_suggestion_place_part_by_distance_else_basin():
    here = postcode_centre("1060")
    near = profile(located=Located(here, True))
    score, reasons = sg.place_part(near, here, "sud")
    assert score == 2.0 and reasons == (sg.Reason("distance", "0.0", True), sg.Reason("basin", "sud"))
    far = profile(located=Located(Point(here.latitude + 0.09, here.longitude), False), basin="nord")
    score, reasons = sg.place_part(far, here, "sud")
    assert score == 0.0 and reasons == (sg.Reason("distance", "10.0", False),)
    unplaced = profile(located=None, basin="sud")
    assert sg.place_part(unplaced, here, "sud") == (1.0, (sg.Reason("basin", "sud"),))
    neighbour = profile(located=None, basin="centre-ouest")
    assert sg.place_part(neighbour, here, "sud") == (0.4, (sg.Reason("neighbour_basin", "centre-ouest"),))
    assert sg.place_part(near, None, "") == (0.0, ())


def test_suggestion_serves_part_counts_the_action_zones():
    assert sg.serves_part(profile(served=frozenset({"forest", "uccle"})), "forest") == (
        1.0,
        (sg.Reason("serves_commune", "forest"),),
    )
    everywhere = profile(served=frozenset(matching_communes()))
    assert sg.serves_part(everywhere, "forest") == (0.3, (sg.Reason("whole_region"),))
    assert sg.serves_part(profile(served=frozenset({"uccle"})), "forest") == (0.0, ())


def matching_communes():
    from directory_import.territory import COMMUNES

    return COMMUNES


def test_suggestion_experience_part_counts_accepted_leads_up_to_three():
    assert sg.experience_part(0) == (0.0, ())
    assert sg.experience_part(2)[0] == pytest.approx(0.8)
    assert sg.experience_part(9)[0] == pytest.approx(1.2)


def test_suggestion_history_part_warns_and_lowers():
    outcomes = sg.Outcomes({"waiting_list": 3, "accepted": 1, "unreachable": 2, "proposed": 4})
    score, warnings = sg.history_part(outcomes)
    assert score == pytest.approx(-1.0 * 3 / 6 - 0.3 * 2)
    assert [(w.code, w.count, w.total) for w in warnings] == [("waiting_list", 3, 6), ("unreachable", 2, 6)]
    assert sg.history_part(sg.Outcomes({"proposed": 3})) == (0.0, ())


def test_suggestion_closure_part():
    assert sg.closure_part(profile(temporarily_closed=True))[0] == -3.0
    assert sg.closure_part(profile())[0] == 0.0


def test_suggestion_score_is_the_sum_of_its_parts():
    parts = sg.ScoreParts(theme=4.0, language=1.5, place=0.7, history=-0.5)
    assert parts.total == 5.7
    assert parts.items() == [("theme", 4.0), ("language", 1.5), ("place", 0.7), ("history", -0.5)]


def test_suggestion_profile_reads_an_organisation(app):
    from directory_import.models import Organisation

    org = Organisation(
        id=3,
        source_id="x",
        name_fr="Abri",
        postcode="1000",
        basin="centre-ouest",
        categories=[{"code": "309", "label_fr": "Sans-abrisme", "label_nl": "Thuisloosheid"}],
        publics=[],
        target_public_fr="Personnes sans abri",
        languages=["fr", "ar"],
        latitude=None,
        longitude=None,
        served_communes="|bruxelles|",
        remark_fr="Fermé temporairement pour travaux",
    )
    p = profile_of(org)
    assert set(p.categories) == {"sansabri"} and p.publics == {"personnes sans abri"}
    assert p.located == Located(postcode_centre("1000"), False) and p.served == {"bruxelles"}
    assert p.temporarily_closed and p.commune == "bruxelles"


# ---------------------------------------------------------------- the request page
@pytest.fixture
def directory(make_organisation):
    """Three services for a person sleeping rough in Saint-Gilles who speaks Arabic, and one off-topic."""
    shelter = make_organisation(
        name_fr="Abri de nuit Le Phare",
        postcode="1060",
        basin="sud",
        categories=[{"code": "sansabri", "label_fr": "Sans-abrisme", "label_nl": "Thuisloosheid"}],
        publics=[{"fr": "personnes sans abri", "nl": "daklozen"}],
        languages=["fr", "ar"],
        latitude=50.829,
        longitude=4.347,
    )
    far = make_organisation(
        name_fr="Abri de nuit Le Nord",
        postcode="1020",
        basin="nord",
        categories=[{"code": "sansabri", "label_fr": "Sans-abrisme"}],
        languages=["fr"],
    )
    housing = make_organisation(
        name_fr="Agence immobilière sociale La Source",
        postcode="1190",
        basin="sud",
        categories=[{"code": "logement", "label_fr": "Logement"}],
        languages=["fr", "nl"],
        served_communes="|saint-gilles|forest|",
    )
    other = make_organisation(
        name_fr="Maison de jeunes Tandem",
        postcode="1060",
        basin="sud",
        categories=[{"code": "jeunesse", "label_fr": "Jeunesse"}],
    )
    return {"shelter": shelter.id, "far": far.id, "housing": housing.id, "other": other.id}


HOMELESS = dict(
    themes=["housing"],
    situation_flags=["no_fixed_address"],
    languages=["ar"],
    residence_postcode="1060",
    age_band="25-44",
    question="Un homme à la rue cherche un abri pour la nuit.",
)


def _chips(html: str, organisation_id: int) -> list[str]:
    block = html.split(f'data-organisation="{organisation_id}"', 1)[1].split("</li>\n    \n", 1)[0]
    block = block.split('class="suggestion"', 1)[0]
    return re.findall(r'<li class="chip chip-[a-z_]+">([^<]+)</li>', block)


def test_suggestions_on_the_request_page_with_their_reasons(app, client, logged_in, make_request, directory):
    user = logged_in("operator", "sud", locale="fr")
    req = make_request(user, **HOMELESS)
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Organisations suggérées" in html
    order = [int(i) for i in re.findall(r'class="suggestion" data-organisation="(\d+)"', html)]
    # The night shelter nearby that speaks Arabic first; the far one still answers "abri pour la nuit".
    assert order == [directory["shelter"], directory["far"], directory["housing"]]
    assert directory["other"] not in order
    chips = _chips(html, directory["shelter"])
    assert {"Sans-abrisme", "parle arabe", "public : personnes sans abri", "Bassin Sud"} <= set(chips)
    assert any(re.fullmatch(r"0,\d km", c) for c in chips)
    assert "actif à Saint-Gilles" in _chips(html, directory["housing"])
    assert "Pourquoi celle-ci ?" in html and "Thèmes de la demande" in html


def test_suggestion_added_as_a_lead_in_one_click(app, client, logged_in, make_request, directory):
    user = logged_in("operator", "sud", locale="fr")
    req = make_request(user, **HOMELESS)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    form = re.search(
        rf'<form method="post" action="(/requests/{req.id}/leads)" class="inline">\s*'
        rf'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
        rf'<input type="hidden" name="organisation_id" value="{directory["shelter"]}">',
        page,
    )
    assert form, "a form per suggestion posts to the lead route"
    response = client.post(
        form.group(1),
        data={"csrf_token": form.group(2), "organisation_id": directory["shelter"], "outcome": "proposed"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/requests/{req.id}")
    with app.app_context():
        leads = get_session().query(Lead).filter_by(request_id=req.id).all()
        assert [(lead.organisation_id, lead.outcome) for lead in leads] == [
            (directory["shelter"], "proposed")
        ]
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert f'class="suggestion" data-organisation="{directory["shelter"]}"' not in html


def test_suggestions_warn_with_the_helpdesks_own_experience(app, client, logged_in, make_request, directory):
    user = logged_in("operator", "sud", locale="fr")
    past = [make_request(user, **HOMELESS) for _ in range(4)]
    with app.app_context():
        db = get_session()
        recent = utcnow() - timedelta(days=10)
        for req, outcome in zip(
            past, ["waiting_list", "waiting_list", "waiting_list", "accepted"], strict=True
        ):
            db.add(
                Lead(
                    request_id=req.id,
                    organisation_id=directory["shelter"],
                    outcome=outcome,
                    updated_at=recent,
                )
            )
        for req in past[:2]:
            db.add(
                Lead(
                    request_id=req.id,
                    organisation_id=directory["housing"],
                    outcome="unreachable",
                    updated_at=recent,
                )
            )
        old = utcnow() - timedelta(days=200)
        db.add(
            Lead(
                request_id=past[3].id,
                organisation_id=directory["far"],
                outcome="waiting_list",
                updated_at=old,
            )
        )
        db.add(
            OrganisationNote(
                organisation_id=directory["far"], territory="sud", text="Ouvert dès 18 h seulement."
            )
        )
        db.commit()
    req = make_request(user, **HOMELESS)
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "liste d&#39;attente 3 fois sur 4" in html
    assert "acceptée 1 fois pour ce thème" in html
    assert "injoignable 2 fois" in html
    assert "Ouvert dès 18 h seulement." in html
    assert html.count("liste d&#39;attente") == 1  # the lead of 200 days ago is not counted


def test_suggestions_none_on_a_closed_or_read_only_request(
    app, client, logged_in, make_user, make_request, directory
):
    author = make_user("operator", "sud")
    req = make_request(author, **HOMELESS)
    logged_in("operator", "region", locale="fr")  # may read and edit: the region sees all
    assert "Organisations suggérées" in client.get(f"/requests/{req.id}").get_data(as_text=True)
    with app.app_context():
        db = get_session()
        db.get(HelpRequest, req.id).status = "closed"
        db.commit()
    assert "Organisations suggérées" not in client.get(f"/requests/{req.id}").get_data(as_text=True)


# ---------------------------------------------------------------- the API
@pytest.fixture
def bearer(app):
    from helpdesk.auth import operations as accounts

    def make(user) -> dict:
        with app.app_context():
            db = get_session()
            token = accounts.create_api_token(db, db.merge(user), "test")
            db.commit()
        return {"Authorization": f"Bearer {token}", "Accept-Language": "fr"}

    return make


def test_api_suggestions_for_a_request_created_through_the_api(client, make_user, themes, bearer, directory):
    headers = bearer(make_user("operator", "sud", locale="fr"))
    body = {**HOMELESS, "caller": {"name": "Marie Dupont", "phone": "02 555 12 34"}}
    created = client.post("/api/v1/requests", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["languages"], body["situation_flags"], body["age_band"]) == (
        ["ar"],
        ["no_fixed_address"],
        "25-44",
    )
    response = client.get(f"/api/v1/requests/{body['id']}/suggestions?limit=2", headers=headers)
    assert response.status_code == 200
    data = response.get_json()["suggestions"]
    assert len(data) == 2
    first = data[0]
    assert first["organisation"]["id"] == directory["shelter"]
    assert set(first["organisation"]) == {"id", "source_id", "name_fr", "name_nl", "postcode", "basin"}
    assert first["score"] == pytest.approx(sum(first["parts"].values()), abs=0.01)
    assert {"code": "language", "value": "ar", "label": "parle arabe"} in first["reasons"]
    assert all(set(w) == {"code", "label"} for s in data for w in s["warnings"])


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-1", "١"])
def test_api_suggestions_refuse_a_bad_limit(client, make_user, make_request, bearer, limit):
    user = make_user("operator", "sud")
    req = make_request(user)
    response = client.get(f"/api/v1/requests/{req.id}/suggestions?limit={limit}", headers=bearer(user))
    assert response.status_code == 400 and "limit" in response.get_json()["fields"]


def test_api_suggestions_answer_404_outside_the_requests_scope(client, make_user, make_request, bearer):
    req = make_request(make_user("operator", "sud"))
    response = client.get(
        f"/api/v1/requests/{req.id}/suggestions", headers=bearer(make_user("operator", "nord"))
    )
    assert response.status_code == 404
    assert (
        client.get(f"/api/v1/requests/{req.id + 1000}/suggestions", headers=bearer(make_user())).status_code
        == 404
    )


def test_api_suggestions_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/requests/{id}/suggestions"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"id", "limit"}
    assert "Suggestion" in spec["components"]["schemas"]


def test_csrf_token_is_needed_to_add_a_suggestion(client, logged_in, make_request, directory):
    user = logged_in("operator", "sud")
    req = make_request(user, **HOMELESS)
    response = client.post(f"/requests/{req.id}/leads", data={"organisation_id": directory["shelter"]})
    assert response.status_code == 400
    assert csrf_token(client, f"/requests/{req.id}")


# ---------------------------------------------------------------- the words, in both languages
@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "fr",
            [
                "Sans-abrisme",
                "parle arabe",
                "interprétariat possible",
                "public : personnes sans abri",
                "2,1 km",
                "env. 2,1 km",
                "Bassin Sud",
                "bassin voisin : Bassin Nord",
                "actif à Saint-Gilles",
                "actif dans toute la Région",
                "répond à la question",
                "acceptée 3 fois pour ce thème",
            ],
        ),
        (
            "nl",
            [
                "Thuisloosheid",
                "spreekt Arabisch",
                "tolken mogelijk",
                "publiek: daklozen",
                "2,1 km",
                "ca. 2,1 km",
                "Zorgregio Zuid",
                "naburige zorgregio: Zorgregio Noord",
                "actief in Sint-Gillis",
                "actief in het hele Gewest",
                "past bij de vraag",
                "3 keer aanvaard voor dit thema",
            ],
        ),
    ],
)
def test_suggestion_reasons_read_as_chips_in_the_readers_language(app, locale, expected):
    from helpdesk.orientation.labels import reason_label

    org = profile(categories={"sansabri": {"fr": "Sans-abrisme", "nl": "Thuisloosheid"}})
    reasons = [
        sg.Reason("category", "sansabri"),
        sg.Reason("language", "ar"),
        sg.Reason("interpreting"),
        sg.Reason("public", "personnes sans abri"),
        sg.Reason("distance", "2.1", True),
        sg.Reason("distance", "2.1", False),
        sg.Reason("basin", "sud"),
        sg.Reason("neighbour_basin", "nord"),
        sg.Reason("serves_commune", "saint-gilles"),
        sg.Reason("whole_region"),
        sg.Reason("question"),
        sg.Reason("experience", "3"),
    ]
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert [reason_label(r, org, locale) for r in reasons] == expected


def test_suggestion_warnings_read_as_sentences(app):
    from helpdesk.orientation.labels import warning_label

    cautions = [
        sg.Caution("waiting_list", 3, 4),
        sg.Caution("refused", 1, 4),
        sg.Caution("unreachable", 2, 4),
        sg.Caution("temporarily_closed"),
        sg.Caution("no_common_language"),
        sg.Caution("note", text="Ouvert dès 18 h.", at=utcnow().replace(year=2026, month=11, day=3)),
    ]
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert [warning_label(c) for c in cautions] == [
            "liste d'attente 3 fois sur 4",
            "refus ou complet 1 fois sur 4",
            "injoignable 2 fois",
            "fermée temporairement, selon sa fiche",
            "aucune langue commune, pas d'interprétariat mentionné",
            "note du 03/11/2026 : Ouvert dès 18 h.",
        ]


def test_suggestions_follow_the_directory_as_it_changes(
    client, make_user, make_request, make_organisation, bearer
):
    user = make_user("operator", "sud")
    req = make_request(user, themes=["food"], question="Plus rien à manger.", residence_postcode="1060")
    headers = bearer(user)
    assert client.get(f"/api/v1/requests/{req.id}/suggestions", headers=headers).get_json() == {
        "suggestions": []
    }
    grocery = make_organisation(
        name_fr="Épicerie sociale Le Nid",
        postcode="1060",
        categories=[{"code": "aidealim", "label_fr": "Aide alimentaire"}],
    )
    found = client.get(f"/api/v1/requests/{req.id}/suggestions", headers=headers).get_json()["suggestions"]
    assert [s["organisation"]["id"] for s in found] == [grocery.id]


def test_suggestions_for_a_theme_admins_added_come_from_its_label(
    app, client, make_user, make_request, make_organisation, bearer
):
    from helpdesk.followup.models import Theme

    with app.app_context():
        db = get_session()
        db.add(
            Theme(code="employment", label_en="Employment", label_fr="Emploi", label_nl="Werk", position=20)
        )
        db.commit()
    agency = make_organisation(
        name_fr="Mission locale pour l'emploi",
        description_fr="Recherche d'emploi, formations et orientation professionnelle.",
        postcode="1060",
    )
    make_organisation(name_fr="Épicerie sociale Le Nid", postcode="1060")
    user = make_user("operator", "sud", locale="fr")
    req = make_request(
        user, themes=["employment"], question="Un monsieur de 50 ans.", residence_postcode="1060"
    )
    found = client.get(f"/api/v1/requests/{req.id}/suggestions", headers=bearer(user)).get_json()[
        "suggestions"
    ]
    assert [s["organisation"]["id"] for s in found] == [agency.id]
    assert {"code": "theme", "value": "employment", "label": "thème : Emploi"} in found[0]["reasons"]
    assert found[0]["parts"]["theme"] > 0


def test_suggestions_read_again_only_what_changed_and_leave_the_archived(app, make_organisation):
    from directory_import.models import Organisation
    from helpdesk.orientation.profiles import active_directory

    food = [{"code": "aidealim", "label_fr": "Aide alimentaire"}]
    first = make_organisation(name_fr="Épicerie sociale Le Nid", postcode="1060", categories=food)
    second = make_organisation(name_fr="Restaurant social Babel", postcode="1060", categories=food)
    with app.app_context():
        db = get_session()
        assert set(active_directory(app, db).profiles) == {first.id, second.id}
        org = db.get(Organisation, second.id)
        org.archived, org.name_fr = True, "Restaurant social Babel (fermé)"
        db.get(Organisation, first.id).languages = ["fr", "ar"]
        db.commit()
        profiles = active_directory(app, db).profiles
        assert set(profiles) == {first.id} and profiles[first.id].languages == {"fr", "ar"}
