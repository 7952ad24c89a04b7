"""The report page as a coordinator uses it: pick a month and a territory, read, toggle public, download."""

from __future__ import annotations

import json

from openpyxl import load_workbook

# The one script of every page (tables that scroll on a phone take the focus); the charts need none.
TABLES_SCRIPT = '<script src="/static/js/tables.js" defer></script>'


def test_report_page_shows_the_month_of_the_coordinators_basin(client, logged_in, october_world):
    logged_in("coordinator", "sud", locale="fr")
    page = client.get("/reports/?month=2026-10")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Rapport d&#39;activité mensuel octobre 2026, Bassin Sud" in html
    assert '<option value="sud" selected>' in html and 'value="all"' not in html
    assert html.count("<svg") == 4 and "<script" not in html.replace(TABLES_SCRIPT, "")
    assert "Logement" in html and "Médecin" in html  # internal version: free-text functions shown


def test_report_page_public_toggle_hides_small_counts(client, logged_in, october_world):
    logged_in("coordinator", "sud", locale="nl")
    html = client.get("/reports/?month=2026-10&territory=sud&public=1").get_data(as_text=True)
    assert "Publieke versie" in html and "&lt;5" in html and "Médecin" not in html
    assert 'name="public" value="1" checked' in html


def test_report_page_refuses_another_basin_with_404(client, logged_in, october_world):
    logged_in("coordinator", "sud")
    assert client.get("/reports/?month=2026-10&territory=nord").status_code == 404
    assert client.get("/reports/?month=2026-10&territory=all&format=json").status_code == 404


def test_report_page_operators_are_refused(client, logged_in):
    logged_in("operator", "sud")
    assert client.get("/reports/").status_code == 403


def test_report_page_region_coordinator_defaults_to_all_territories(client, logged_in, october_world):
    logged_in("coordinator", "region", locale="en")
    html = client.get("/reports/?month=2026-10").get_data(as_text=True)
    assert "Monthly activity report October 2026, All territories" in html
    assert '<option value="all" selected>' in html


def test_report_page_bad_month_is_explained_in_the_users_language(client, logged_in):
    logged_in("coordinator", "sud", locale="fr")
    page = client.get("/reports/?month=2026-13&format=xlsx")
    assert page.status_code == 400
    assert "n&#39;est pas un mois" in page.get_data(as_text=True)


def test_report_page_unknown_format_is_404(client, logged_in):
    logged_in("coordinator", "sud")
    assert client.get("/reports/?month=2026-10&format=docx").status_code == 404


def test_report_downloads_xlsx_and_json_in_the_chosen_language(client, logged_in, october_world, tmp_path):
    logged_in("coordinator", "region", locale="fr")
    response = client.get("/reports/?month=2026-10&territory=sud&format=xlsx&language=nl")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="report-2026-10-sud-nl.xlsx"' in response.headers["Content-Disposition"]
    path = tmp_path / "sud.xlsx"
    path.write_bytes(response.data)
    assert "Per thema" in load_workbook(path).sheetnames
    data = json.loads(client.get("/reports/?month=2026-10&territory=sud&format=json&public=1").data)
    assert data["public"] is True and data["requests"]["received"] == 6
    assert data["by_channel"][0] == {"channel": "phone", "label": "Téléphone", "count": "<5"}


def test_report_page_transfers_as_a_matrix(client, logged_in, october_world):
    logged_in("coordinator", "region", locale="en")
    html = client.get("/reports/?month=2026-10&territory=all").get_data(as_text=True)
    matrix = html[html.index('<table class="matrix">') :]
    matrix = matrix[: matrix.index("</table>")]
    assert matrix.count("<tr>") == 7  # header + 6 territories
    north = matrix[matrix.index('<th scope="row">North basin</th>') :]
    north = north[: north.index("</tr>")]
    # From North to North, North-East, Centre-West, South: nothing on the diagonal, 1 to the South.
    cells = [cell.split(">")[-1] for cell in north.split("</td>")[:-1]]
    assert cells[:4] == ["–", "0", "0", "1"]
