"""A coordinator opens the month's report, switches to the public version and prints it to an A4 PDF."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_browser_report_public_toggle_and_a4_print(page, live_server, make_user, october_world, tmp_path):
    user = make_user("coordinator", "sud", locale="fr")
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/reports/?month=2026-10")
    assert "Rapport d'activité mensuel octobre 2026, Bassin Sud" in page.locator("h1").inner_text()
    assert page.locator("#table-by_function").inner_text().count("Médecin") == 1
    page.check("#public")
    page.click("text=Afficher le rapport")
    page.wait_for_load_state()
    assert "public=1" in page.url
    assert "Médecin" not in page.inner_text("body")
    assert page.locator("svg.chart").count() == 4
    assert page.locator("svg.chart title").first.text_content() == "Demandes reçues et clôturées, 12 mois"
    page.emulate_media(media="print")
    assert not page.locator(".report-picker").is_visible()
    assert not page.locator(".main-nav").is_visible()
    assert page.locator("svg.chart").first.is_visible()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and b"/MediaBox [0 0 595" in pdf.read_bytes()
