"""A person types a query with a typo, in Dutch, and sees the right organisation appear as they type."""

import re

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_browser_dutch_typo_finds_the_organisation_as_you_type(
    browser, live_server, make_user, search_directory_ids
):
    user = make_user("operator", "nord", locale="nl")
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/directory/")
    page.locator("#directory-q").press_sequentially("ziekenhuiz jete", delay=30)
    # The address follows the box once the results of the whole query are in: ready to share.
    page.wait_for_url(re.compile(r"q=ziekenhuiz\+jete$"))
    first = page.locator(".hit-name").first
    assert "Algemeen Ziekenhuis Sint-Elooi" in first.inner_text()
    page.click(".hit-name >> nth=0")
    page.wait_for_url(f"**/directory/organisations/{search_directory_ids['c29']}")
    assert page.locator("h1").inner_text().startswith("Algemeen Ziekenhuis Sint-Elooi")
    assert page.locator("button[data-copy-target]").is_visible()
    context.close()
