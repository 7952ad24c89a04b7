"""A person signs in in French and in Dutch and sees the translated pages."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_browser_login_in_french(page, live_server, make_user):
    user = make_user("operator", "sud", name="Sofia")
    page.goto(f"{live_server}/auth/login")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Se connecter"
    sign_in(page, live_server, user.email)
    assert "Bienvenue, Sofia" in page.locator("h1").inner_text()
    assert "Bassin Sud" in page.inner_text("body")


def test_browser_switch_to_dutch_and_stay_dutch(page, live_server, make_user):
    user = make_user("operator", "nord", name="Nadia")
    sign_in(page, live_server, user.email)
    page.click("button[name=language][value=nl]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Welkom, Nadia" in page.locator("h1").inner_text()
    page.click("text=Afmelden")
    page.wait_for_url(f"{live_server}/auth/login")
    assert page.locator("h1").inner_text() == "Aanmelden"


def test_browser_wrong_password_shows_a_message_in_dutch(browser, live_server, make_user):
    user = make_user()
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.goto(f"{live_server}/auth/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "verkeerd wachtwoord")
    page.click("form.form button[type=submit]")
    assert "Verkeerd e-mailadres of wachtwoord" in page.inner_text(".flashes")
    context.close()
