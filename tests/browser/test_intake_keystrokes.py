"""A typical call recorded with the keyboard only, every key press counted (issue 18, part 1).

The call: a homeless man out of prison, who speaks Arabic and lives in 1060; housing and continuity of care
after prison; the professional leaves a callback number and an e-mail. What is typed into the free-text
fields (name, phone, e-mail, postcode, the question) is not counted; every other key is: Tab, Enter, the
letters typed to search the multi-selects, the letter picking the gender, the shortcut recording the
request. At most 25. Each step waits for what the page shows (focus, highlighted option, chip), never
for time.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.db import get_session
from helpdesk.followup.models import HelpRequest
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

LIMIT = 25
QUESTION = "Sort de prison la semaine prochaine, sans logement, cherche un hébergement et un suivi médical."


class Keyboard:
    """``page.keyboard`` with a count of the keys that are not free text."""

    def __init__(self, page) -> None:
        self.page = page
        self.counted: list[str] = []

    def press(self, key: str) -> None:
        self.counted.append(key)
        self.page.keyboard.press(key)

    def search(self, letters: str) -> None:
        """Letters typed into a type-ahead: each one counts."""
        for letter in letters:
            self.press(letter)

    def free_text(self, text: str) -> None:
        self.page.keyboard.type(text)

    def tab_to(self, element_id: str) -> None:
        self.press("Tab")
        self.focused(element_id)

    def focused(self, element_id: str) -> None:
        self.page.wait_for_function(
            "id => document.activeElement && document.activeElement.id === id", arg=element_id, timeout=10_000
        )


def highlighted(page, field: str):
    return page.locator(f"#{field}-listbox li[aria-selected=true]")


def chips(page, field: str):
    return page.locator(f".multiselect-box:has(#{field}-input) .chip span")


def test_browser_intake_a_typical_call_takes_at_most_25_keystrokes(page, live_server, app, make_user, themes):
    operator = make_user("operator", "sud", locale="fr")
    sign_in(page, live_server, operator.email)
    page.goto(f"{live_server}/requests/new")
    keys = Keyboard(page)

    keys.focused("caller_name")  # the cursor starts on who calls: phone and normal urgency are the defaults
    keys.free_text("Sophie Lambert")
    keys.tab_to("caller_organisation")
    keys.tab_to("caller_phone")
    keys.free_text("02 543 12 34")
    keys.tab_to("caller_email")
    keys.free_text("s.lambert@example.org")
    keys.tab_to("residence")
    keys.free_text("1060")
    keys.tab_to("gender")
    keys.press("h")  # Homme
    expect(page.locator("#gender")).to_have_value("man")
    keys.tab_to("age_band")

    keys.tab_to("languages-input")
    keys.search("ara")
    expect(highlighted(page, "languages")).to_have_text("Arabe")
    keys.tab_to("situation_flags-input")  # Tab takes the highlighted option and moves on
    expect(chips(page, "languages")).to_have_text(["Arabe"])

    keys.search("sdf")
    expect(highlighted(page, "situation_flags")).to_have_text("Sans domicile fixe")
    keys.tab_to("themes-input")
    expect(chips(page, "situation_flags")).to_have_text(["Sans domicile fixe"])

    keys.search("log")
    expect(highlighted(page, "themes")).to_have_text("Logement et sans-abrisme")
    keys.press("Enter")  # adds it and stays, for the second theme
    expect(chips(page, "themes")).to_have_text(["Logement et sans-abrisme"])
    keys.focused("themes-input")
    keys.search("pri")
    expect(highlighted(page, "themes")).to_have_text("Continuité des soins après la prison")
    keys.tab_to("question")
    expect(chips(page, "themes")).to_have_text(
        ["Logement et sans-abrisme", "Continuité des soins après la prison"]
    )

    keys.free_text(QUESTION)
    keys.press("Control+Enter")
    page.wait_for_url(re.compile(r".*/requests/\d+$"))

    print(
        f"\nintake of the typical call: {len(keys.counted)} keystrokes beyond the free text: {keys.counted}"
    )
    assert len(keys.counted) <= LIMIT, keys.counted
    with app.app_context():
        saved = get_session().scalars(select(HelpRequest).options(selectinload(HelpRequest.themes))).one()
        assert {
            "channel": saved.channel,
            "urgency": saved.urgency,
            "territory": saved.territory,
            "caller_name": saved.caller_name,
            "caller_organisation": (saved.caller_organisation_id, saved.caller_organisation_text),
            "caller_phone": saved.caller_phone,
            "caller_email": saved.caller_email,
            "caller_function": saved.caller_function,
            "caller_sector": saved.caller_sector,
            "caller_language": saved.caller_language,
            "residence": (saved.residence_postcode, saved.residence_basin),
            "gender": saved.gender,
            "age_band": saved.age_band,
            "languages": saved.languages,
            "situation_flags": saved.situation_flags,
            "themes": sorted(saved.theme_codes),
            "question": saved.question,
            "taken": (saved.assigned_to_id, saved.status),
        } == {
            "channel": "phone",
            "urgency": "normal",
            "territory": "sud",
            "caller_name": "Sophie Lambert",
            "caller_organisation": (None, ""),
            "caller_phone": "02 543 12 34",
            "caller_email": "s.lambert@example.org",
            "caller_function": "",
            "caller_sector": "",
            "caller_language": "fr",
            "residence": ("1060", "sud"),
            "gender": "man",
            "age_band": "",
            "languages": ["ar"],
            "situation_flags": ["no_fixed_address"],
            "themes": ["after_prison", "housing"],
            "question": QUESTION,
            "taken": (operator.id, "in_progress"),
        }
    # the request page says the same, in French
    main = page.inner_text("main")
    assert all(text in main for text in ("Arabe", "Sans domicile fixe", "Logement et sans-abrisme", "1060"))


def test_browser_intake_multiselect_backspace_removes_the_last_chip_and_matches_any_language(
    page, live_server, make_user, themes
):
    sign_in(page, live_server, make_user("operator", "sud", locale="fr").email)
    page.goto(f"{live_server}/requests/new")
    page.focus("#themes-input")
    expect(page.locator("#themes-input")).to_have_attribute("role", "combobox")
    expect(page.locator("#themes")).to_be_hidden()  # the checkboxes stay in the form, hidden
    for typed, label in (("daklo", "Logement et sans-abrisme"), ("sante mentale", "Santé mentale")):
        page.keyboard.type(typed)
        expect(highlighted(page, "themes")).to_have_text(label)
        expect(page.locator("#themes-input")).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Enter")
        expect(page.locator("#themes-input")).to_have_value("")
    expect(chips(page, "themes")).to_have_text(["Logement et sans-abrisme", "Santé mentale"])
    assert page.locator("#themes input[value=mental_health]").is_checked()
    page.keyboard.press("Backspace")
    expect(chips(page, "themes")).to_have_text(["Logement et sans-abrisme"])
    assert not page.locator("#themes input[value=mental_health]").is_checked()
    expect(page.locator("fieldset.themes [role=status]")).to_have_text("Santé mentale retiré")
    page.keyboard.type("sans abri")  # the situation's synonyms in any language, and the theme's label
    expect(highlighted(page, "themes")).to_have_count(0)  # housing is chosen already: nothing else matches
    page.keyboard.press("Escape")
    page.focus("#situation_flags-input")
    page.keyboard.type("sans abri")
    expect(highlighted(page, "situation_flags")).to_have_text("Sans domicile fixe")


def test_browser_intake_without_javascript_the_checkboxes_post_the_same_values(
    browser, live_server, app, make_user, themes
):
    context = browser.new_context(locale="fr-BE", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, make_user("operator", "sud", locale="fr").email)
    page.goto(f"{live_server}/requests/new")
    assert page.locator("#languages-input").count() == 0  # no type-ahead: the checkboxes themselves
    page.fill("#caller_name", "Sophie Lambert")
    for name, value in (("languages", "ar"), ("situation_flags", "no_fixed_address"), ("themes", "housing")):
        page.focus(f"input[name={name}][value={value}]")
        page.keyboard.press("Space")
    page.fill("#question", QUESTION)
    page.locator("form.intake-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/requests/\d+$"))
    context.close()
    with app.app_context():
        saved = get_session().scalars(select(HelpRequest).options(selectinload(HelpRequest.themes))).one()
        assert (saved.languages, saved.situation_flags, saved.theme_codes) == (
            ["ar"],
            ["no_fixed_address"],
            ["housing"],
        )
