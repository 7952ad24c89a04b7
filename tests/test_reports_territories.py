"""Territories side by side for regional coordinators: the five basins, the regional level and all, for the
key indicators of one period, on the page (fr, nl), through the CLI in every format, public suppression."""

from __future__ import annotations

import csv
import html
import io
import json

import pytest
from openpyxl import load_workbook

# The one script of every page (tables that scroll on a phone take the focus); the charts need none.
TABLES_SCRIPT = '<script src="/static/js/tables.js" defer></script>'

COLUMNS = ["nord", "nord-est", "centre-ouest", "sud", "sud-est", "region", "all"]


def _indicators(data):
    return {row["indicator"]: row for row in data["indicators"]}


def test_side_by_side_json_has_every_territory_and_the_key_indicators(client, logged_in, october_world):
    logged_in("coordinator", "region", locale="fr")
    response = client.get("/reports/territories?period=2026-10&format=json")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["territories"] == COLUMNS
    assert data["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    rows = _indicators(data)
    # The same figures as each territory's own report (tests/fixtures/reports.py).
    assert rows["received"]["sud"] == 6 and rows["received"]["all"] == 8
    assert rows["received"]["nord"] == 1 and rows["received"]["region"] == 1
    # Where they were received: D was received by Nord and is held by Sud.
    here = rows["received_here"]
    assert (here["sud"], here["nord"], here["region"], here["sud-est"], here["all"]) == (5, 2, 1, 0, 8)
    assert rows["by_channel.phone"]["sud"] == 4
    assert rows["transfers_out"]["nord"] == 1 and rows["transfers_in"]["sud"] == 1
    assert rows["transfers_in"]["nord"] == 1 and rows["transfers_out"]["sud-est"] == 1
    assert rows["transfers_out"]["all"] == 2
    assert rows["feedback_rate"]["sud"] == pytest.approx(0.6)
    assert rows["leads.waiting_list"]["sud"] == 2
    for key in ("time_to_first_answer_median", "time_to_close_median", "unmet_by_reason.waiting_list"):
        assert key in rows


def test_side_by_side_public_hides_small_counts(client, logged_in, october_world):
    logged_in("coordinator", "region", locale="nl")
    data = json.loads(client.get("/reports/territories?period=2026-Q4&format=json&public=1").data)
    rows = _indicators(data)
    assert rows["received"]["sud"] == 7 and rows["received"]["nord"] == "<5"
    assert rows["transfers_out"]["nord"] == "<5"
    assert all(
        row["region"] in (0, "<5", "x", None) for key, row in rows.items() if key.startswith("by_channel")
    )


@pytest.mark.parametrize("locale,title", [("fr", "Territoires côte à côte"), ("nl", "Gebieden naast elkaar")])
def test_side_by_side_page_in_french_and_dutch(client, logged_in, october_world, locale, title):
    logged_in("coordinator", "region", locale=locale)
    page = client.get("/reports/territories?period=2026-Q4")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and title in text
    assert text.count("<svg") == 1 and "<script" not in text.replace(TABLES_SCRIPT, "")
    assert ("Bassin Sud" if locale == "fr" else "Zorgregio Zuid") in text


def test_side_by_side_refused_to_a_basin_coordinator_and_bad_period_is_400(client, logged_in):
    logged_in("coordinator", "sud", locale="fr")
    assert client.get("/reports/territories?period=2026-Q4").status_code == 404


def test_side_by_side_bad_period_is_400(client, logged_in):
    logged_in("coordinator", "region", locale="fr")
    for fmt in ("", "json"):
        response = client.get(f"/reports/territories?period=2026-Q5&format={fmt}")
        assert response.status_code == 400
        assert "n'est pas une période" in html.unescape(response.get_data(as_text=True))


def test_cli_side_by_side_writes_every_format(app, runner, october_world, tmp_path):
    for fmt in ("html", "xlsx", "csv", "json"):
        output = tmp_path / f"side.{fmt}"
        args = ["report", "territories", "--period", "2026-01..2026-10", "--format", fmt, "--language", "nl"]
        result = runner.invoke(args=args + ["--public", "--output", str(output)])
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 0
    rows = list(csv.reader(io.StringIO((tmp_path / "side.csv").read_text())))
    assert rows[0] == ["indicator", "label"] + COLUMNS
    sheet = load_workbook(tmp_path / "side.xlsx").active
    assert [c.value for c in sheet[4]][1:] == [
        "Zorgregio Noord",
        "Zorgregio Noordoost",
        "Zorgregio Centrum-West",
        "Zorgregio Zuid",
        "Zorgregio Zuidoost",
        "Gewestelijk niveau",
        "Alle gebieden",
    ]
    assert "<svg" in (tmp_path / "side.html").read_text()
    result = runner.invoke(
        args=["report", "territories", "--period", "9999-Q4", "--output", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
