"""The lead search during a call, in a real browser: results as the operator types, without reloading and
with the focus left in the box; ArrowDown and Enter add a lead; on a phone the directory's filters fold behind
their button so the results come first."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def shelters(make_organisation, reindex):
    orgs = [
        make_organisation(
            name_fr=f"Abri de nuit {name}",
            postcode="1060",
            basin="sud",
            phones=["02 537 12 34"],
            languages=["fr", "ar"],
            categories=[{"code": "sansabri", "label_fr": "Sans-abrisme", "label_nl": "Thuisloosheid"}],
        )
        for name in ("Le Phare", "La Porte")
    ]
    reindex()
    return orgs


def _request_page(page, live_server, make_user, make_request):
    user = make_user("operator", "sud", locale="fr")
    req = make_request(
        user, themes=["housing"], languages=["ar"], residence_postcode="1060", question="Un abri ce soir."
    )
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/requests/{req.id}")
    # Marks this document: a reload would make a new one without the mark.
    page.evaluate("window.__sameDocument = true")
    return req


def test_browser_lead_search_results_appear_as_you_type_with_the_focus_kept(
    page, live_server, make_user, make_request, shelters
):
    _request_page(page, live_server, make_user, make_request)
    page.locator("#lead_q").press_sequentially("abri", delay=40)
    expect(page.locator("#lead-listbox [role=option]")).to_have_count(2)
    expect(page.locator("#lead-live")).to_have_text("2 organisations trouvées")
    assert page.evaluate("window.__sameDocument === true")  # no reload
    assert page.evaluate("document.activeElement.id") == "lead_q"
    expect(page.locator("#lead_q")).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".lead-chips")).to_contain_text("Parle arabe")


def test_browser_lead_search_arrow_down_and_enter_add_a_lead(
    page, live_server, make_user, make_request, shelters
):
    req = _request_page(page, live_server, make_user, make_request)
    box = page.locator("#lead_q")
    box.press_sequentially("abri", delay=40)
    options = page.locator("#lead-listbox [role=option]")
    expect(options).to_have_count(2)
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    first = options.first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    name = first.locator(".hit-name").inner_text()
    box.press("Enter")
    page.wait_for_url(f"{live_server}/requests/{req.id}")
    expect(page.locator("tr.lead")).to_have_count(1)
    expect(page.locator("tr.lead")).to_contain_text(name)
    expect(page.locator(".flash")).to_contain_text(name)


def test_browser_lead_search_chip_lifted_with_one_click(page, live_server, make_user, make_request, shelters):
    _request_page(page, live_server, make_user, make_request)
    page.locator("#lead_q").press_sequentially("abri", delay=40)
    expect(page.locator("#lead-listbox [role=option]")).to_have_count(2)
    page.locator("a[data-lift=basin]").click()
    expect(page.locator("li.chip-lifted[data-chip=basin]")).to_be_visible()
    assert page.evaluate("window.__sameDocument === true")
    assert page.evaluate("document.activeElement.id") == "lead_q"
    expect(page).to_have_url(re.compile(r"lift=basin"))


def test_browser_directory_filters_fold_behind_their_button_on_a_phone(
    browser, live_server, make_user, shelters
):
    user = make_user("operator", "sud", locale="fr")
    context = browser.new_context(locale="fr-BE", viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/directory/?q=abri")
    fold = page.locator("details.filters-fold")
    toggle = fold.locator("summary")
    checkbox = page.locator(".facets input[type=checkbox]").first
    expect(toggle).to_be_visible()
    expect(toggle).to_contain_text("Filtres")
    expect(checkbox).to_be_hidden()
    expect(page.locator(".hit").first).to_be_visible()
    assert page.locator(".hit").first.bounding_box()["y"] < 740  # the results come first, in the first screen
    toggle.click()
    expect(checkbox).to_be_visible()
    # Typing refreshes the results; the filters stay as the person left them.
    page.locator("#directory-q").fill("abri de nuit")
    page.wait_for_url(lambda url: "q=abri+de+nuit" in url)
    expect(checkbox).to_be_visible()
    context.close()
