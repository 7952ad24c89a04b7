"""The user guide's screenshots: the demo roles sign in and visit what each of them does.

The test runs with the other browser tests (every page it visits must render for its role). With
``DOCS_SCREENSHOTS=1`` (``make docs-screenshots``) the pictures are written to ``docs/images/``, to be
committed with the guide that shows them; otherwise they go to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpdesk.cli import DEMO_ACCOUNTS
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DOCS_IMAGES = Path(__file__).resolve().parent.parent.parent / "docs" / "images"
VIEWPORT = {"width": 1280, "height": 860}


@pytest.fixture
def images(tmp_path) -> Path:
    return DOCS_IMAGES if os.environ.get("DOCS_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def demo_users(make_user) -> dict[str, object]:
    """The demo accounts of ``helpdesk demo seed`` (in English, as the guide is), by e-mail."""
    return {
        email: make_user(role, territory, email=email, name=name, locale="en")
        for email, role, territory, name, _locale in DEMO_ACCOUNTS
    }


@pytest.fixture
def sample_directory(runner, reindex, tmp_path, monkeypatch) -> None:
    """The project's invented sample directory, imported and indexed as ``make run`` does."""
    from directory_import.sample import write_sample

    monkeypatch.chdir(tmp_path)  # the import history shows the path as given, as after `make run`
    write_sample("data/sample_directory.json", count=120)
    result = runner.invoke(args=["directory", "import", "data/sample_directory.json", "--quiet"])
    assert result.exit_code == 0, result.output
    reindex()


def shoot(page, images: Path, name: str, *, full_page: bool = False) -> Path:
    """Save the page as ``<name>.png`` once it has settled; the page must show no error."""
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() >= 1, page.url
    assert "Internal Server Error" not in page.inner_text("body")
    path = images / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000
    return path


def open_as(browser, base: str, email: str | None):
    context = browser.new_context(locale="en-BE", viewport=VIEWPORT)
    page = context.new_page()
    if email:
        sign_in(page, base, email)
    return context, page


def test_docs_screenshots_of_every_role(
    browser, live_server, demo_users, sample_directory, themes, make_request, october_world, images
):
    context, page = open_as(browser, live_server, None)
    page.goto(f"{live_server}/auth/login")
    shoot(page, images, "login")
    context.close()

    # The operator of basin Sud: a call recorded, two leads, a callback; the to-do list and the queue.
    operator = demo_users["operator.sud@demo.example"]
    make_request(
        operator,
        question="Looking for a home-care nurse for an elderly lady leaving hospital.",
        themes=["home_care"],
    )
    make_request(
        operator,
        question="Family without income: food parcels and help with the CPAS file.",
        themes=["food", "financial_access"],
    )
    context, page = open_as(browser, live_server, operator.email)
    shoot(page, images, "operator-home")
    page.goto(f"{live_server}/requests/new")
    page.select_option("#channel", "phone")
    page.fill("#caller_name", "Marie Dupont")
    page.fill("#caller_function", "social worker")
    page.fill("#caller_phone", "02 555 12 34")
    page.fill("#caller_organisation", "CPAS de Forest")
    page.wait_for_selector("#caller_organisation-list li")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picked from the directory: the list closes
    page.select_option("#age_band", "45-64")
    page.fill("#residence", "Saint-Gilles")
    page.focus("#themes-input")  # the themes' type-ahead: a few letters, Enter
    page.keyboard.type("mental")
    page.wait_for_selector("#themes-listbox li[aria-selected=true]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".multiselect-box:has(#themes-input) .chip")
    page.fill("#question", "Looking for a psychologist who speaks Arabic, for a man of 50 living alone.")
    shoot(page, images, "operator-intake", full_page=True)
    page.locator("form.intake-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/requests/\d+$"))
    for query in ("sante mentale", "cgg"):
        page.fill("#lead_q", query)
        page.keyboard.press("Enter")
        page.wait_for_selector("li.lead-hit")
        page.locator("li.lead-hit").first.locator("button[type=submit]").click()
        page.wait_for_load_state()
    page.locator("details", has=page.locator("#cb-due_date")).locator("summary").click()
    page.fill("#cb-due_date", "2030-01-15")
    page.fill("#cb-due_time", "10:30")
    page.fill("#cb-note", "Call Marie back with the answer of the SSM")
    page.locator("form", has=page.locator("#cb-due_date")).locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("tr.lead").count() == 2
    shoot(page, images, "operator-request", full_page=True)
    page.goto(f"{live_server}/requests/todo")
    shoot(page, images, "operator-todo")
    page.goto(f"{live_server}/requests/")
    shoot(page, images, "operator-queue")

    # The directory, as every signed-in user reads it.
    page.goto(f"{live_server}/directory/?q=maison+medicale")
    page.wait_for_selector(".facets, .facet, aside")
    shoot(page, images, "directory-search")
    page.locator("main a[href*='/directory/organisations/']").first.click()
    page.wait_for_url(re.compile(r".*/directory/organisations/\d+$"))
    shoot(page, images, "directory-organisation")
    context.close()

    # The coordinator of Sud reads October's report.
    context, page = open_as(browser, live_server, "coordinator.sud@demo.example")
    page.goto(f"{live_server}/reports/?month=2026-10&territory=sud")
    assert "October 2026" in page.locator("h1").inner_text()
    shoot(page, images, "coordinator-report")
    context.close()

    # The administrator: accounts, directory imports, themes.
    context, page = open_as(browser, live_server, "admin@demo.example")
    for name, path in (
        ("admin-users", "/admin/users"),
        ("admin-imports", "/admin/imports"),
        ("admin-themes", "/admin/themes"),
    ):
        page.goto(f"{live_server}{path}")
        shoot(page, images, name)
    context.close()
