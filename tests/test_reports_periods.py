"""Reports of any period (a quarter, a year, a range of whole months), beside the period before and the same
period a year before: on the page in French and Dutch, through the CLI in every format, with bad periods
refused (400 on the page, exit code 2 in the CLI) and the public version's small counts hidden."""

from __future__ import annotations

import csv
import html
import io
import json
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from helpdesk.db import get_session
from helpdesk.reports.documents import render
from helpdesk.reports.periods import Month, Period, PeriodOutOfRange
from tests.fixtures.reports import EXPECTED_SUD, add_request

BRUSSELS = ZoneInfo("Europe/Brussels")
FORMATS = ("html", "xlsx", "csv", "json")
BAD_PERIODS = ["2026-Q5", "2026-13", "2026-06..2026-01", "0000", "9999-Q4", "garbage", "2026-Q", "2024..2026"]

# Sud's hand-computed periods (tests/fixtures/reports.py): A to F in October 2026, G on 1 November 2026,
# H on 30 September 2026 (local time), J on 15 October 2025 closed five days later, I on 1 December 2025.
Q4_2026 = {"received": 7, "closed": 5, "open_at_end": 4, "unmet_needs": 4}
Q3_2026 = {"received": 1, "closed": 0, "open_at_end": 2, "unmet_needs": 1}
Q4_2025 = {"received": 2, "closed": 1, "open_at_end": 1, "unmet_needs": 2}


def _json(app, period, territory="sud", language="fr", public=False):
    with app.test_request_context():
        document = render(get_session(), period, territory, "json", language, public)
    return json.loads(document.content)


def test_period_parse_accepts_months_quarters_years_and_ranges():
    assert str(Period.parse("2026-Q3", BRUSSELS)) == "2026-Q3"
    assert Period.parse("2026-q3", BRUSSELS).months == [Month(2026, m, BRUSSELS) for m in (7, 8, 9)]
    year = Period.parse("2026", BRUSSELS)
    assert str(year) == "2026" and year.length == 12 and str(year.previous) == "2025"
    span = Period.parse("2026-01..2026-06", BRUSSELS)
    assert str(span) == "2026-01..2026-06" and str(span.previous) == "2025-07..2025-12"
    assert str(span.year_before) == "2025-01..2025-06"
    assert span.first_day.isoformat() == "2026-01-01" and span.last_day.isoformat() == "2026-06-30"
    assert str(Period.parse("2026-10", BRUSSELS)) == "2026-10"
    assert str(Period.parse("2026-04..2026-06", BRUSSELS)) == "2026-Q2"  # a range that is a quarter


@pytest.mark.parametrize("text", BAD_PERIODS)
def test_period_parse_refuses_bad_periods(text):
    with pytest.raises(ValueError):
        Period.parse(text, BRUSSELS)


def test_period_parse_out_of_range_is_its_own_error():
    for text in ("2026-06..2026-01", "0000", "9999-Q4", "2020-01..2026-12"):
        with pytest.raises(PeriodOutOfRange.__mro__[1]):  # MonthOutOfRange: "no report for it"
            Period.parse(text, BRUSSELS)


def test_quarter_json_keeps_the_monthly_keys_and_adds_the_period(app, october_world):
    data = _json(app, Period.parse("2026-Q4", BRUSSELS))
    assert data["month"] == "2026-Q4"
    assert data["period"] == {"start": "2026-10-01", "end": "2026-12-31"}
    for key in ("requests", "by_theme", "unmet_needs", "feedback_rate", "by_channel", "leads", "transfers"):
        assert key in data
    assert set(data["requests"]) == {"received", "closed", "open_at_end"}
    assert data["requests"] == {k: Q4_2026[k] for k in ("received", "closed", "open_at_end")}
    themes = {row["theme"]: row["count"] for row in data["by_theme"] if row["count"]}
    assert themes == EXPECTED_SUD["by_theme"]


def test_quarter_figures_beside_the_quarter_before_and_a_year_before(app, october_world):
    data = _json(app, Period.parse("2026-Q4", BRUSSELS))
    previous, year_before = data["comparisons"]["previous"], data["comparisons"]["year_before"]
    assert previous["period"] == "2026-Q3" and previous["start"] == "2026-07-01"
    assert year_before["period"] == "2025-Q4" and year_before["end"] == "2025-12-31"
    assert {k: previous[k] for k in Q3_2026} == Q3_2026
    assert {k: year_before[k] for k in Q4_2025} == Q4_2025
    unmet = {
        (u["reason"], u["theme"]): [u["count"], u["month_before"], u["year_before"]]
        for u in data["unmet_needs"]
    }
    assert unmet[("waiting_list", "housing")] == [2, 1, 1]
    assert unmet[("language", "mental_health")] == [0, 0, 1]


def test_single_month_period_is_the_monthly_report(app, october_world):
    month = _json(app, Month(2026, 10, BRUSSELS))
    period = _json(app, Period.parse("2026-10", BRUSSELS))
    assert month == period
    assert month["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    previous = month["comparisons"]["previous"]
    assert previous["period"] == "2026-09" and previous["received"] == 1
    assert month["comparisons"]["year_before"]["received"] == 1  # J, 15 October 2025


def test_range_of_months_counts_every_month_of_it(app, october_world):
    data = _json(app, Period.parse("2025-10..2026-10", BRUSSELS))
    assert data["period"] == {"start": "2025-10-01", "end": "2026-10-31"}
    # J, December 2025, H and A to F
    assert data["requests"]["received"] == 9
    assert len(data["trend"]) == 13  # a period longer than 12 months has its own months as trend


def test_public_quarter_hides_small_counts(app, october_world):
    data = _json(app, Period.parse("2026-Q4", BRUSSELS), public=True)
    channels = {row["channel"]: row["count"] for row in data["by_channel"]}
    assert channels["email"] == "<5" and channels["walk_in"] == "<5"
    assert data["comparisons"]["previous"]["received"] == "<5"
    assert data["requests"]["received"] == 7
    text = json.dumps(data, ensure_ascii=False)
    assert "Médecin" not in text  # free text grouped in public mode


@pytest.mark.parametrize("period", ["2026-Q4", "2026-01..2026-10"])
def test_cli_report_period_writes_every_format(app, runner, october_world, tmp_path, period):
    for fmt in FORMATS:
        for language in ("fr", "nl"):
            output = tmp_path / f"sud-{language}.{fmt}"
            args = ["report", "period", "--period", period, "--territory", "sud", "--format", fmt]
            args += ["--language", language, "--public", "--output", str(output)]
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
            assert output.stat().st_size > 0
    data = json.loads((tmp_path / "sud-fr.json").read_text())
    assert data["month"] == period and data["public"] is True
    assert data["period"]["start"] == ("2026-10-01" if period == "2026-Q4" else "2026-01-01")
    book = load_workbook(tmp_path / "sud-nl.xlsx")
    assert len(book.sheetnames) == len(set(book.sheetnames)) and not any("(2)" in n for n in book.sheetnames)
    assert "Per thema" in book.sheetnames
    rows = list(csv.reader(io.StringIO((tmp_path / "sud-nl.csv").read_text())))
    assert rows[0] == ["dimension", "value", "count", "label"]
    assert ["requests.month_before", "received", "<5", "Ontvangen in de periode"] in rows
    page = (tmp_path / "sud-fr.html").read_text()
    assert "Rapport d" in page and "<script" not in page


def test_cli_report_monthly_still_works_beside_period(app, runner, october_world, tmp_path):
    output = tmp_path / "m.json"
    args = ["report", "monthly", "--month", "2026-10", "--territory", "sud", "--format", "json"]
    result = runner.invoke(args=args + ["--output", str(output)])
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text())["requests"] == EXPECTED_SUD["requests"]


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_cli_report_period_refuses_bad_periods_with_exit_2(runner, tmp_path, period):
    output = tmp_path / "x.json"
    result = runner.invoke(args=["report", "period", "--period", period, "--output", str(output)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not output.exists()


def test_page_quarter_in_french(client, logged_in, october_world):
    logged_in("coordinator", "sud", locale="fr")
    page = client.get("/reports/?period=2026-Q4")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Rapport d'activité T4 2026, Bassin Sud" in text
    assert "Trimestre précédent" in text or "Période précédente" in text
    assert "Même période un an plus tôt" in text
    assert 'value="2026-Q4"' in text
    assert "Définitions" in text


def test_page_month_in_words_in_dutch(client, logged_in, october_world):
    logged_in("coordinator", "sud", locale="nl")
    page = client.get("/reports/?month=2026-10")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "oktober 2026" in text
    page = client.get("/reports/?period=2026-01..2026-10")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "januari 2026 – oktober 2026" in text
    assert "Vorige periode" in text


@pytest.mark.parametrize("period", BAD_PERIODS)
@pytest.mark.parametrize("locale,message", [("fr", "n'est pas une période"), ("nl", "is geen periode")])
def test_page_bad_period_is_a_translated_400(client, logged_in, period, locale, message):
    logged_in("coordinator", "sud", locale=locale)
    for fmt in ("", "json", "xlsx"):
        response = client.get(f"/reports/?period={period}&format={fmt}")
        assert response.status_code == 400
        text = html.unescape(response.get_data(as_text=True))
        no_report = "Aucun rapport pour" if locale == "fr" else "Er is geen rapport"
        assert message in text or no_report in text


def _world_with_codes(app):
    with app.app_context():
        session = get_session()
        for sector, flag, age in (
            ("hospital", "no_fixed_address", "25-44"),
            ("general_practice", "isolated", "65-79"),
            ("cpas", "no_health_insurance", "80+"),
            ("justice", "no_fixed_address", "18-24"),
        ):
            add_request(
                session,
                "2026-10-10T10:00:00",
                caller_sector=sector,
                situation_flags=[flag],
                age_band=age,
                channel="phone",
            )
        session.commit()


CODES = (
    "hospital",
    "general practice",
    "general_practice",
    "cpas",
    "justice",
    "no fixed address",
    "no_fixed_address",
)


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_no_code_left_bare_in_any_table_of_any_format(app, language):
    _world_with_codes(app)
    period = Period.parse("2026-Q4", BRUSSELS)
    with app.test_request_context():
        documents = {fmt: render(get_session(), period, "sud", fmt, language, False) for fmt in FORMATS}
    data = json.loads(documents["json"].content)
    labels = [row["label"] for key in ("by_sector", "by_situation_flag", "by_age_band") for row in data[key]]
    rows = list(csv.reader(io.StringIO(documents["csv"].content.decode())))
    csv_labels = [row[3] for row in rows[1:]]
    page = html.unescape(documents["html"].content.decode())
    for code in CODES:
        assert code not in labels and code not in csv_labels, code
        assert f">{code}<" not in page, code
    book = load_workbook(io.BytesIO(documents["xlsx"].content))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    for code in CODES:
        assert code not in cells, code
    sectors = {row["sector"]: row["label"] for row in data["by_sector"]}
    assert sectors["hospital"] == ("Hôpital" if language == "fr" else "Ziekenhuis")


@pytest.mark.parametrize(
    "locale,received,closed,month",
    [
        ("fr", "Demandes reçues", "Demandes clôturées", "octobre 2026"),
        ("nl", "Ontvangen aanvragen", "Afgesloten aanvragen", "oktober 2026"),
    ],
)
def test_headline_labels_agree_in_number_and_trend_months_read_as_words(
    client, logged_in, october_world, locale, received, closed, month
):
    logged_in("coordinator", "sud", locale=locale)
    text = html.unescape(client.get("/reports/?month=2026-10").get_data(as_text=True))
    assert f"<dt>{received}</dt>" in text and f"<dt>{closed}</dt>" in text
    assert f'<th scope="row">{month}</th>' in text


@pytest.mark.parametrize("public", [False, True])
def test_period_same_figures_in_french_and_dutch(app, october_world, public):
    def figures(language):
        data = _json(app, Period.parse("2026-Q4", BRUSSELS), language=language, public=public)
        for key in ("language", "period_label", "definitions", "attribution"):
            data.pop(key)
        for comparison in data["comparisons"].values():
            comparison.pop("label")
        return json.dumps(
            {
                k: (
                    [{x: y for x, y in r.items() if x not in ("label", "organisation")} for r in v]
                    if isinstance(v, list) and v and isinstance(v[0], dict)
                    else v
                )
                for k, v in data.items()
            },
            sort_keys=True,
        )

    assert figures("fr") == figures("nl")
