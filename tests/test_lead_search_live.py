"""The lead search during a call, over HTTP: the partial that the request page refreshes as the operator types
(cards with phone, address, languages, categories, opening hours and the helpdesk's warnings), the filters
preset from the request and the links that lift them, 50 results a page, scoping; and on the directory page
the same cards, facets with "more values", the folded filters and the "near" sort."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from directory_import.models import utcnow
from helpdesk.db import get_session
from helpdesk.followup.models import Lead
from helpdesk.orientation.models import UnansweredSearch

SHELTER = [{"code": "sansabri", "label_fr": "Sans-abrisme", "label_nl": "Thuisloosheid"}]
HOUSING = [{"code": "logement", "label_fr": "Logement", "label_nl": "Huisvesting"}]
YOUTH = [{"code": "jeunesse", "label_fr": "Jeunesse", "label_nl": "Jeugd"}]

REQUEST = dict(
    themes=["housing"],
    languages=["ar"],
    residence_postcode="1060",
    question="Un abri pour la nuit pour un homme à la rue.",
)


@pytest.fixture
def shelters(make_organisation, reindex) -> dict[str, int]:
    """Night shelters: one in Saint-Gilles that speaks Arabic (the request's whole profile), one in Schaerbeek
    (basin Nord-Est, not a neighbour of Sud), one in Saint-Gilles speaking French only, and a youth house
    with "abri" in its name (another theme)."""
    orgs = {
        "phare": make_organisation(
            name_fr="Abri de nuit Le Phare",
            street_fr="Rue de la Victoire",
            number="96",
            postcode="1060",
            commune_fr="Saint-Gilles",
            basin="sud",
            phones=["02 537 12 34"],
            languages=["fr", "ar"],
            categories=SHELTER,
            opening_hours_fr="Tous les soirs de 19 h à 8 h",
            latitude=50.829,
            longitude=4.347,
        ),
        "nord": make_organisation(
            name_fr="Abri de nuit Le Nord",
            postcode="1030",
            commune_fr="Schaerbeek",
            basin="nord-est",
            languages=["fr", "ar"],
            categories=SHELTER,
        ),
        "french": make_organisation(
            name_fr="Abri de nuit La Porte",
            postcode="1060",
            commune_fr="Saint-Gilles",
            basin="sud",
            languages=["fr"],
            categories=SHELTER,
        ),
        "youth": make_organisation(
            name_fr="Abri jeunes Tandem",
            postcode="1060",
            basin="sud",
            languages=["fr", "ar"],
            categories=YOUTH,
        ),
    }
    reindex()
    return {key: org.id for key, org in orgs.items()}


def _options(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'role="option" id="lead-option-(\d+)"', page)]


def _chips(page: str) -> dict[str, str]:
    """Chip key -> its × link (un-escaped) for the chips not lifted."""
    return {
        key: html.unescape(href) for href, key in re.findall(r'<a href="([^"]+)" data-lift="([^"]+)"', page)
    }


def test_lead_search_partial_returns_cards_with_phone_address_languages(
    client, logged_in, make_request, shelters
):
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, **REQUEST)
    response = client.get(f"/requests/{req.id}/lead-search?lead_q=abri")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" not in page and "<body" not in page  # the partial alone
    assert _options(page) == [shelters["phare"]]
    assert '<a href="tel:025371234">02 537 12 34</a>' in page
    assert "Rue de la Victoire 96, 1060 Saint-Gilles · South basin" in page
    assert re.search(r'class="card-languages">French, Arabic<', page)
    assert "<li>Sans-abrisme</li>" in page
    assert "Tous les soirs de 19 h à 8 h" in page  # opening hours on the request page's cards
    assert 'role="listbox"' in page and f'action="/requests/{req.id}/leads"' in page
    assert "1 organisation found" in page


def test_lead_search_cards_carry_the_helpdesks_warnings(app, client, logged_in, make_request, shelters):
    user = logged_in("operator", "sud", locale="en")
    past = [make_request(user, **REQUEST) for _ in range(3)]
    with app.app_context():
        db = get_session()
        for req, outcome in zip(past, ["waiting_list", "waiting_list", "unreachable"], strict=True):
            db.add(
                Lead(
                    request_id=req.id,
                    organisation_id=shelters["phare"],
                    outcome=outcome,
                    updated_at=utcnow() - timedelta(days=5),
                )
            )
        db.commit()
    req = make_request(user, **REQUEST)
    page = client.get(f"/requests/{req.id}/lead-search?lead_q=abri").get_data(as_text=True)
    assert "waiting list 2 times out of 3" in page and "unreachable 1 time" in page


def test_lead_search_chips_are_preset_from_the_request_and_lifted_by_their_link(
    client, logged_in, make_request, shelters
):
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, **REQUEST)
    page = client.get(f"/requests/{req.id}?lead_q=abri").get_data(as_text=True)
    chips = _chips(page)
    assert set(chips) == {"language:ar", "basin", "theme:housing"}
    assert "Speaks Arabic" in page and "South basin + neighbours" in page
    assert "Theme: Housing and homelessness" in page
    assert _options(page) == [shelters["phare"]]
    # "×" on the basin: a plain link (no script needed) to the same search without that filter.
    lifted = client.get(chips["basin"]).get_data(as_text=True)
    assert set(_options(lifted)) == {shelters["phare"], shelters["nord"]}
    assert "<s>South basin + neighbours</s>" in lifted
    assert set(_chips(lifted)) == {"language:ar", "theme:housing"}
    # Then the language too, through the partial the script fetches: the French-speaking shelter joins.
    both = _chips(lifted)["language:ar"].replace(f"/requests/{req.id}?", f"/requests/{req.id}/lead-search?")
    partial = client.get(both.split("#")[0]).get_data(as_text=True)
    assert set(_options(partial)) == {shelters["phare"], shelters["nord"], shelters["french"]}
    # Everything lifted: the youth house that only has the word.
    every = client.get(f"/requests/{req.id}/lead-search?lead_q=abri&lift=all").get_data(as_text=True)
    assert shelters["youth"] in _options(every) and _chips(every) == {}


def test_lead_search_without_a_match_under_the_filters_shows_the_words_alone(
    client, logged_in, make_request, shelters
):
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, **REQUEST)
    page = client.get(f"/requests/{req.id}/lead-search?lead_q=tandem").get_data(as_text=True)
    assert _options(page) == [shelters["youth"]] and "data-relaxed" in page


def test_lead_search_shows_the_chips_before_anything_is_typed(client, logged_in, make_request, shelters):
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, **REQUEST)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert set(_chips(page)) == {"language:ar", "basin", "theme:housing"} and _options(page) == []


def test_lead_search_pages_by_fifty(client, logged_in, make_request, make_organisation, reindex):
    for n in range(120):
        make_organisation(name_fr=f"Centre Azur {n:03d}", postcode="1060", basin="sud")
    reindex()
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, themes=[], languages=[], residence_postcode="1060")
    first = client.get(f"/requests/{req.id}/lead-search?lead_q=azur").get_data(as_text=True)
    assert len(_options(first)) == 50 and "120 organisations found" in first and "Page 1 of 3" in first
    next_link = html.unescape(re.search(r'<a rel="next" href="([^"]+)" data-page="2"', first).group(1))
    assert "lead_page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)  # the page itself, without script
    assert len(_options(second)) == 50 and not set(_options(first)) & set(_options(second))
    third = client.get(f"/requests/{req.id}/lead-search?lead_q=azur&lead_page=3").get_data(as_text=True)
    assert len(_options(third)) == 20
    everything = set(_options(first)) | set(_options(second)) | set(_options(third))
    assert len(everything) == 120


@pytest.mark.parametrize(
    "args", ["lead_page=abc", "lead_page=-4", "lead_page=99999", "lift=nothing", "lift=", "lift=" + "x" * 500]
)
def test_lead_search_bad_arguments_are_ignored(client, logged_in, make_request, shelters, args):
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, **REQUEST)
    assert client.get(f"/requests/{req.id}/lead-search?lead_q=abri&{args}").status_code == 200
    assert client.get(f"/requests/{req.id}?lead_q=abri&{args}").status_code == 200


def test_lead_search_scoping_is_that_of_the_request(client, make_user, make_request, shelters):
    from tests.conftest import login

    sud = make_user("operator", "sud")
    req = make_request(sud, **REQUEST)
    login(client, make_user("operator", "nord").email)
    assert client.get(f"/requests/{req.id}/lead-search?lead_q=abri").status_code == 404
    assert client.get(f"/requests/{req.id}?lead_q=abri").status_code == 404


def test_lead_search_counts_an_empty_search_only_when_it_is_final(
    app, client, logged_in, make_request, shelters
):
    user = logged_in("operator", "sud", locale="en")
    req = make_request(user, **REQUEST)
    client.get(f"/requests/{req.id}/lead-search?lead_q=xqzw")  # a keystroke on the way
    with app.app_context():
        assert get_session().query(UnansweredSearch).count() == 0
    page = client.get(f"/requests/{req.id}/lead-search?lead_q=xqzw+kwyjibo&final=1").get_data(as_text=True)
    assert "No organisation matches these words." in page and "data-record-unmet" in page
    with app.app_context():
        assert [r.theme_code for r in get_session().query(UnansweredSearch)] == ["housing"]


# ---------------------------------------------------------------- the directory page
@pytest.fixture
def medical_houses(make_organisation, reindex) -> dict[str, int]:
    """Medical houses at known places, measured from Anderlecht (1070): its own coordinates for some, the
    postcode's centre for the others (Forest 1190: 2.7 km, Molenbeek 1080: 3.2 km, Saint-Gilles 1060:
    3.4 km, Schaerbeek 1030: 6.9 km, Evere 1140: 8.5 km)."""
    orgs = {
        "evere": make_organisation(name_fr="Maison médicale d'Evere", postcode="1140", basin="nord-est"),
        "stgilles": make_organisation(
            name_fr="Maison médicale du Parvis",
            postcode="1060",
            basin="sud",
            phones=["02 538 00 00"],
            languages=["fr", "nl", "es"],
            categories=[{"code": "mm", "label_fr": "Maisons médicales", "label_nl": "Wijkgezondheidscentra"}],
            street_fr="Parvis de Saint-Gilles",
            number="1",
            commune_fr="Saint-Gilles",
        ),
        "anderlecht": make_organisation(
            name_fr="Maison médicale de Cureghem",
            postcode="1070",
            basin="sud",
            latitude=50.8335,
            longitude=4.3105,
        ),
        "schaerbeek": make_organisation(name_fr="Maison médicale du Nord", postcode="1030", basin="nord-est"),
        "forest": make_organisation(name_fr="Maison médicale de Forest", postcode="1190", basin="sud"),
        "molenbeek": make_organisation(name_fr="Maison médicale de Molenbeek", postcode="1080", basin="nord"),
    }
    reindex()
    return {key: org.id for key, org in orgs.items()}


def _hits(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="hit" data-organisation="(\d+)"', page)]


NEAR_1070 = ["anderlecht", "forest", "molenbeek", "stgilles", "schaerbeek", "evere"]


def test_directory_near_sort_orders_by_distance_from_the_postcode(client, logged_in, medical_houses):
    logged_in("operator", "sud", locale="en")
    page = client.get("/directory/?q=maison+medicale&near=1070").get_data(as_text=True)
    assert _hits(page) == [medical_houses[k] for k in NEAR_1070]
    assert "Nearest first from 1070 Anderlecht." in page
    kms = [float(k) for k in re.findall(r'class="distance" data-km="([\d.]+)"', page)]
    assert kms == sorted(kms) and kms[0] < 1.0
    assert "about 2.7 km" in page  # Forest: no coordinates, its postcode's centre
    relevance = client.get("/directory/?q=maison+medicale&near=1070&sort=relevance").get_data(as_text=True)
    assert sorted(_hits(relevance)) == sorted(_hits(page)) and 'data-sort="near"' in relevance


def test_directory_near_sort_from_a_commune_named_in_the_words(client, logged_in, medical_houses):
    logged_in("operator", "sud", locale="en")
    offered = client.get("/directory/?q=maison+medicale+anderlecht").get_data(as_text=True)
    assert 'data-sort="near"' in offered and "Nearest first from Anderlecht" in offered
    page = client.get("/directory/?q=maison+medicale+anderlecht&sort=near").get_data(as_text=True)
    hits = _hits(page)
    assert hits and hits[0] == medical_houses["anderlecht"]
    near = client.get("/directory/?q=maison+medicale&near=Anderlecht&page=1").get_data(as_text=True)
    assert _hits(near) == [medical_houses[k] for k in NEAR_1070]


def test_directory_near_an_unknown_place_says_so(client, logged_in, medical_houses):
    logged_in("operator", "sud", locale="en")
    page = client.get("/directory/?q=maison+medicale&near=Paris").get_data(as_text=True)
    assert "No Brussels postcode or commune was recognised" in page and len(_hits(page)) == 6


def test_directory_cards_show_phone_address_languages_categories(client, logged_in, medical_houses):
    logged_in("operator", "sud", locale="en")
    page = client.get("/directory/?q=parvis&partial=1").get_data(as_text=True)
    assert _hits(page) == [medical_houses["stgilles"]]
    assert '<a href="tel:025380000">02 538 00 00</a>' in page
    assert "Parvis de Saint-Gilles 1, 1060 Saint-Gilles" in page
    assert re.search(r'class="card-languages">French, Dutch, Spanish<', page)
    assert "<li>Maisons médicales</li>" in page


def test_directory_facets_fold_their_other_values_and_the_filters_fold_on_a_phone(
    client, logged_in, make_organisation, reindex
):
    postcodes = ["1000", "1030", "1040", "1050", "1060", "1070", "1080", "1090", "1140"]
    for n, postcode in enumerate(postcodes):
        make_organisation(name_fr=f"Service Oméga {n}", postcode=postcode)
    reindex()
    logged_in("operator", "sud", locale="en")
    page = client.get("/directory/?q=omega").get_data(as_text=True)
    commune = page.split('data-facet="commune"', 1)[1].split("</fieldset>", 1)[0]
    shown, more = commune.split('<details class="more-values">', 1)
    assert shown.count('type="checkbox"') == 6 and more.count('type="checkbox"') == 3
    assert "3 more values" in more
    assert '<details class="filters-fold" data-fold-narrow open>' in page and ">Filters" in page
    # A value chosen among the folded ones stays in sight.
    folded_value = re.search(r'name="commune" value="([^"]+)"', more).group(1)
    chosen = client.get(f"/directory/?q=omega&commune={folded_value}").get_data(as_text=True)
    shown = chosen.split('data-facet="commune"', 1)[1].split('<details class="more-values">', 1)[0]
    assert f'value="{folded_value}" checked' in shown
