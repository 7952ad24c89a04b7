"""The home page at 375 px: the day's blocks fit without horizontal scrolling, and the closing form shows
only the fields of the answer chosen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_browser_home_day_fits_375px_and_closing_form_is_progressive(
    browser, live_server, app, make_user, make_request
):
    user = make_user("operator", "sud", name="Sofia")
    req = make_request(user)
    make_request(user)
    with app.app_context():
        db = get_session()
        ops.add_callback(
            db, db.merge(user), db.get(HelpRequest, req.id), due_at=datetime.now(UTC) - timedelta(hours=1)
        )
        db.commit()
    context = browser.new_context(locale="fr-BE", viewport={"width": 375, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, user.email)
    assert req.reference in page.inner_text("#day-overdue")
    assert page.locator("#day-queue").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{live_server}/requests/{req.id}")
    page.click("text=Boucler la demande")
    assert page.locator("#cl-feedback_text").is_visible()
    assert not page.locator("#cl-missing_reason").is_visible()
    page.check("input[name=cl-feedback_given][value=no]")
    assert page.locator("#cl-missing_reason").is_visible()
    assert not page.locator("#cl-feedback_text").is_visible()
    context.close()
