"""The helpdesk journey in a real browser, in French and in Dutch: Sud records a call, finds two leads,
plans a callback and hands the request to the region; the region closes the loop, reopens it when the
professional calls back, closes it again; Sud sees the outcome; Nord cannot open it.
"""

import re

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "fr": {
        "closed": "Clôturée",
        "in_progress": "En cours",
        "reopened": "Rouverte",
        "held_region": "Niveau régional",
        "not_found": "n'existe pas",
        "recorded": "enregistrée",
        "overdue": "Rappels",
    },
    "nl": {
        "closed": "Afgesloten",
        "in_progress": "In behandeling",
        "reopened": "Heropend",
        "held_region": "Gewestelijk niveau",
        "not_found": "bestaat niet",
        "recorded": "geregistreerd",
        "overdue": "terugbel",
    },
}


def open_as(browser, base, user, locale):
    context = browser.new_context(locale=f"{locale}-BE")
    page = context.new_page()
    sign_in(page, base, user.email)
    return context, page


def open_action(page, field_id):
    page.locator("details", has=page.locator(f"#{field_id}")).locator("summary").click()


def add_lead(page, query):
    page.fill("#lead_q", query)
    page.keyboard.press("Enter")
    page.wait_for_selector("li.lead-hit")
    page.locator("li.lead-hit").first.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_browser_helpdesk_journey(browser, live_server, make_user, make_organisation, themes, locale):
    words = WORDS[locale]
    sud = make_user("operator", "sud", locale=locale, name="Sofia")
    region = make_user("operator", "region", locale=locale, name="Rik")
    nord = make_user("operator", "nord", locale=locale, name="Nadia")
    make_organisation(name_fr="Maison d'accueil Le Foyer", name_nl="Onthaalhuis De Haard", postcode="1060")
    make_organisation(name_fr="Abri de nuit Pierre d'Angle", name_nl="Nachtopvang Hoeksteen", postcode="1000")

    # Sud records the call with the keyboard: type, a type-ahead for the theme, Enter on the button.
    sud_context, page = open_as(browser, live_server, sud, locale)
    page.goto(f"{live_server}/requests/new")
    # the cursor starts on who calls (phone and normal urgency are the defaults)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'caller_name'")
    page.keyboard.type("Marie Dupont")
    page.fill("#caller_function", "assistante sociale")
    page.fill("#caller_organisation", "CPAS de Forest")
    page.fill("#caller_phone", "02 555 12 34")
    page.select_option("#age_band", "45-64")
    page.fill("#residence", "Sint-Gillis" if locale == "nl" else "Saint-Gilles")
    page.focus("#themes-input")  # the themes' type-ahead: a few letters, Enter
    page.keyboard.type("logem" if locale == "fr" else "huisv")
    page.wait_for_selector("#themes-listbox li[aria-selected=true]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".multiselect-box:has(#themes-input) .chip")
    page.fill("#question", "Cherche un hébergement d'urgence pour ce soir, homme de 50 ans à la rue.")
    page.focus("form.intake-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/requests/\d+$"))
    reference = re.search(r"SUD-\d{4}-\d{5}", page.inner_text("h1")).group(0)
    assert words["recorded"] in page.inner_text(".flashes")
    request_url = page.url

    add_lead(page, "foyer" if locale == "fr" else "haard")
    add_lead(page, "abri" if locale == "fr" else "hoeksteen")
    assert page.locator("tr.lead").count() == 2

    open_action(page, "cb-due_date")
    page.fill("#cb-due_date", "2030-01-15")
    page.fill("#cb-due_time", "10:30")
    page.fill("#cb-note", "Rappeler Marie")
    page.locator("form", has=page.locator("#cb-due_date")).locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert re.search(r"15.01.2030.*10:30", page.inner_text("#callbacks + ul"))

    open_action(page, "tr-to")
    page.select_option("#tr-to", "region")
    page.fill("#tr-note", "Plus de place en Sud ; voir avec le régional.")
    page.locator("form", has=page.locator("#tr-to")).locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert words["held_region"] in page.inner_text("#held-by")

    # The region picks it up from its queue, records an unmet need and the feedback, closes.
    region_context, other = open_as(browser, live_server, region, locale)
    other.goto(f"{live_server}/requests/")
    other.locator("table").first.locator(f"text={reference}").click()
    other.wait_for_url(request_url)
    other.locator("form[action$='/take'] button").click()
    other.wait_for_load_state()
    open_action(other, "unmet-reason")
    other.select_option("#unmet-reason", "waiting_list")
    other.select_option("#unmet-theme", "housing")
    other.locator("form", has=other.locator("#unmet-reason")).locator("button[type=submit]").click()
    other.wait_for_load_state()
    open_action(other, "cl-feedback_text")
    other.fill("#cl-feedback_at", "2026-11-23T15:00")
    other.select_option("#cl-feedback_channel", "phone")
    other.fill("#cl-feedback_text", "Place proposée à l'abri de nuit dès ce soir ; Marie prévenue.")
    other.locator("form", has=other.locator("#cl-feedback_text")).locator("button[type=submit]").click()
    other.wait_for_load_state()
    assert words["closed"] in other.inner_text("h1")

    # Marie calls back: no bed after all. The region reopens the request, then closes it again.
    open_action(other, "ro-reason")
    other.fill("#ro-reason", "Marie rappelle : plus de lit à l'abri de nuit.")
    other.locator("form", has=other.locator("#ro-reason")).locator("button[type=submit]").click()
    other.wait_for_load_state()
    assert words["in_progress"] in other.inner_text("h1")
    assert words["reopened"] in other.inner_text(".timeline")
    assert "Place proposée à l'abri de nuit" in other.inner_text(".timeline")
    open_action(other, "cl-feedback_text")
    other.fill("#cl-feedback_text", "Lit trouvé au Samusocial ; Marie prévenue.")
    other.locator("form", has=other.locator("#cl-feedback_text")).locator("button[type=submit]").click()
    other.wait_for_load_state()
    assert words["closed"] in other.inner_text("h1")
    region_context.close()

    # Sud sees the outcome, and cannot reopen a request it no longer holds.
    page.goto(request_url)
    assert words["closed"] in page.inner_text("h1")
    assert "Lit trouvé au Samusocial" in page.inner_text("#outcome")
    assert page.locator("#ro-reason").count() == 0
    sud_context.close()

    # Nord cannot open it.
    nord_context, third = open_as(browser, live_server, nord, locale)
    response = third.goto(request_url)
    assert response.status == 404 and words["not_found"] in third.inner_text("main")
    assert reference not in third.content()
    nord_context.close()
