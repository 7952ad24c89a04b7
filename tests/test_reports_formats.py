"""Every format of the report carries the hand-computed figures, in every language, through the CLI."""

from __future__ import annotations

import csv
import io
import json
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from helpdesk.db import get_session
from helpdesk.reports.documents import render
from helpdesk.reports.periods import Month
from tests.fixtures.reports import EXPECTED_ALL, EXPECTED_SUD

BRUSSELS = ZoneInfo("Europe/Brussels")
OCTOBER = Month(2026, 10, BRUSSELS)


def _document(app, fmt, territory="sud", language="fr", public=False):
    with app.test_request_context():
        return render(get_session(), OCTOBER, territory, fmt, language, public)


def _json(app, territory="sud", language="fr", public=False):
    return json.loads(_document(app, "json", territory, language, public).content)


def _without_labels(data):
    if isinstance(data, dict):
        return {
            k: _without_labels(v)
            for k, v in data.items()
            if k not in ("label", "organisation", "language", "period_label", "definitions", "attribution")
        }
    if isinstance(data, list):
        return [_without_labels(v) for v in data]
    return data


def test_report_json_has_the_documented_shape_and_figures(app, october_world):
    data = _json(app, "all")
    assert data["month"] == "2026-10" and data["territory"] == "all"
    assert data["requests"] == EXPECTED_ALL["requests"]
    themes = {row["theme"]: row for row in data["by_theme"]}
    assert themes["housing"] == {"theme": "housing", "label": "Logement et sans-abrisme", "count": 4}
    assert themes["youth"]["count"] == 0
    transfers = {(t["from"], t["to"]): t["count"] for t in data["transfers"] if t["count"]}
    assert transfers == EXPECTED_ALL["transfers"]
    assert data["feedback_rate"] == pytest.approx(0.6)
    assert data["time_to_close_days"] == {"median": 4.0, "p90": 10.0}


def test_report_json_for_basin_sud(app, october_world):
    data = _json(app, "sud")
    assert data["requests"] == EXPECTED_SUD["requests"]
    themes = {row["theme"]: row["count"] for row in data["by_theme"] if row["count"]}
    assert themes == EXPECTED_SUD["by_theme"]
    unmet = {
        (u["reason"], u["theme"]): [u["count"], u["month_before"], u["year_before"]]
        for u in data["unmet_needs"]
    }
    assert unmet == EXPECTED_SUD["unmet_needs"]
    assert data["callbacks_overdue"] == 2
    assert [p["received"] for p in data["trend"]] == EXPECTED_SUD["trend_received"]
    assert data["time_to_first_answer_days"] == {"median": 1.0, "p90": 3.0, "requests": 5}


@pytest.mark.parametrize("public", [False, True])
def test_report_same_figures_in_every_language(app, october_world, public):
    fr, nl, en = (_without_labels(_json(app, "sud", lang, public)) for lang in ("fr", "nl", "en"))
    assert fr == nl == en


def test_report_labels_follow_the_language(app, october_world):
    assert "Logement" in _document(app, "csv", language="fr").content.decode()
    assert "Huisvesting" in _document(app, "csv", language="nl").content.decode()


def test_report_csv_is_one_tidy_table(app, october_world):
    text = _document(app, "csv").content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["dimension", "value", "count", "label"]
    found = {(r["dimension"], r["value"]): r["count"] for r in rows}
    assert found[("requests", "received")] == "6"
    assert found[("by_theme", "housing")] == "3"
    assert found[("unmet_needs", "waiting_list|housing")] == "2"
    assert found[("unmet_needs.year_before", "waiting_list|housing")] == "1"
    assert found[("transfers", "nord|sud")] == "1"
    assert found[("trend.open_at_end", "2026-09")] == "2"
    assert found[("service", "feedback_rate")] == "0.6"


def test_report_public_csv_marks_hidden_counts(app, october_world):
    rows = list(csv.DictReader(io.StringIO(_document(app, "csv", public=True).content.decode())))
    found = {(r["dimension"], r["value"]): r["count"] for r in rows}
    assert found[("by_theme", "housing")] == "<5"
    assert found[("requests", "received")] == "6"


def test_report_xlsx_one_sheet_per_table_with_frozen_headers_and_formats(app, october_world, tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(_document(app, "xlsx", language="nl").content)
    book = load_workbook(path)
    assert len(book.sheetnames) == 1 + 21  # the cover sheet, then one per table (internal version)
    assert book.sheetnames[0] == "2026-10"
    sheet = book["Per thema"]  # short, readable, unique sheet names
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Thema", "Aanvragen"]
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    housing = values["Huisvesting en dakloosheid"]  # the theme's label, as on the request pages
    assert housing.value == 3 and housing.number_format == "#,##0"
    service = {row[0].value: row[1] for row in book["Dienstverlening"].iter_rows(min_row=2)}
    rate = service["Aandeel afgesloten aanvragen met terugkoppeling"]
    assert rate.value == pytest.approx(0.6) and rate.number_format == "0.0%"


def test_report_xlsx_and_csv_neutralise_formulas(app, make_report_request, tmp_path):
    for _ in range(5):
        make_report_request("2026-10-05T10:00:00", caller_function='=HYPERLINK("http://evil.example","x")')
    path = tmp_path / "report.xlsx"
    path.write_bytes(_document(app, "xlsx").content)
    sheet = load_workbook(path)["Par fonction"]
    cell = sheet["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK") and cell.quotePrefix
    text = _document(app, "csv").content.decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_report_html_document_has_charts_and_no_script(app, october_world):
    html = _document(app, "html", language="fr").content.decode()
    assert html.count("<svg") == 4 and "<title id=" in html and "<desc id=" in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "@page" in html and "Rapport d" in html


def test_cli_report_monthly_writes_every_format(app, runner, october_world, tmp_path):
    for fmt in ("html", "xlsx", "csv", "json"):
        output = tmp_path / f"sud.{fmt}"
        result = runner.invoke(
            args=[
                "report",
                "monthly",
                "--month",
                "2026-10",
                "--territory",
                "sud",
                "--format",
                fmt,
                "--language",
                "nl",
                "--public",
                "--output",
                str(output),
            ]
        )
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 0
    data = json.loads((tmp_path / "sud.json").read_text())
    assert data["public"] is True and data["requests"]["received"] == 6


def test_cli_report_monthly_refuses_a_bad_month(runner, tmp_path):
    result = runner.invoke(
        args=[
            "report",
            "monthly",
            "--month",
            "2026-13",
            "--format",
            "csv",
            "--output",
            str(tmp_path / "x.csv"),
        ]
    )
    assert result.exit_code == 2 and "YYYY-MM" in result.output
