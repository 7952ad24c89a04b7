"""The orientation e-mail from the request page, in a real browser: preview in the professional's language,
another language on demand, then send; the message reaches the SMTP server once, in that language."""

from __future__ import annotations

import re

import pytest

from helpdesk.mail.sender import send_due
from tests.browser.conftest import sign_in
from tests.test_mail_orientation import oriented  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_browser_orientation_preview_then_send(page, live_server, mail_app, smtp_server, oriented):  # noqa: F811
    user, req = oriented
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/requests/{req.id}")
    page.click(f"a[href='/requests/{req.id}/orientation']")
    preview = page.inner_text("#orientation-preview")
    assert "Onthaalhuis De Haard" in preview and "0470 12 34 56" in preview  # Dutch: the professional's
    assert "sud@helpdesk.example.org" in preview  # Reply-To: the territory's address
    page.select_option("select[name=language]", "fr")
    page.click("#orientation-form button[formmethod=get]")
    page.wait_for_selector("#orientation-preview")
    assert "Maison d'accueil Le Foyer" in page.inner_text("#orientation-preview")
    page.select_option("select[name=language]", "nl")
    page.click("#orientation-form button[formmethod=get]")
    page.wait_for_selector("#orientation-preview")
    page.click("#orientation-form button.primary")
    page.wait_for_url(re.compile(rf"/requests/{req.id}([#?].*)?$"))
    assert "Orientation envoyée par e-mail" in page.inner_text("body")
    assert send_due(mail_app).sent == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == ["jan@ocmw.example.be"]
    assert received.message["Content-Language"] == "nl"
    assert received.message["Reply-To"] == "sud@helpdesk.example.org"
