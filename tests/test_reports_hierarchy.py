"""The reader who holds every public report of a quarter and of its months, for the five basins, the region
and all territories, and puts them side by side (issue 17, part 5).

The reader knows each report's own sums, that "all territories" is the sum of the six territories (every
request is held by one of them) and that a quarter is the sum of its months, for the counts of received
requests and their splits. It propagates bounds through all of them at once (``suppression.disclosed``
over the union); a count from 1 to 4 it can pin down is a leak.

That a territory had nothing (a 0) may be worked out; a count from 1 to 4 may not.
"""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

import pytest

from directory_import.territory import TERRITORIES
from helpdesk.db import get_session
from helpdesk.reports.counting import RECEIVED_DIMENSIONS
from helpdesk.reports.family import family_suppression
from helpdesk.reports.periods import Period
from helpdesk.reports.queries import monthly_figures
from helpdesk.reports.report import build_report
from helpdesk.reports.suppression import Line, disclosed
from helpdesk.vocabularies import Channel
from tests.fixtures.reports import add_request

BRUSSELS = ZoneInfo("Europe/Brussels")
QUARTER = "2026-Q4"
MONTHS = ("2026-10", "2026-11", "2026-12")
PERIOD_KEYS = ("received", "closed", "open_at_end", "unmet_total")  # keys that name their period
ADDITIVE = ("received", *RECEIVED_DIMENSIONS)  # counts that add up over territories and over months
FREE_TEXT = ("by_function", "by_sector")  # grouped per report in public mode: no sum across reports


@pytest.fixture
def quarter_world(app):
    """A derandomised quarter: a few requests per territory and month, channels and age bands mixed."""
    rng = random.Random(17)
    with app.app_context():
        session = get_session()
        channels = [c.value for c in Channel]
        for month in (10, 11, 12):
            for territory in TERRITORIES:
                for _ in range(rng.choice((0, 1, 3, 6, 9))):
                    day = rng.randint(2, 27)
                    add_request(
                        session,
                        f"2026-{month:02d}-{day:02d}T10:00:00",
                        territory,
                        channel=rng.choice(channels),
                        age_band=rng.choice(("18-24", "25-64", "65+")),
                        themes=(rng.choice(("housing", "health")),),
                    )
        session.commit()


def _variable(territory: str, period: str, key) -> tuple:
    """One quantity wherever it is printed: a key that names its period stands for itself."""
    if key[0] in PERIOD_KEYS:
        return (territory, key)
    return (territory, period, key)


def _additive(key) -> bool:
    return key[0] in ADDITIVE and key[0] not in FREE_TEXT


def test_no_small_count_deduced_from_all_public_reports_of_a_quarter_and_its_months(app, quarter_world):
    values: dict = {}
    shown: set = set()
    hidden: dict = {}
    lines: list[Line] = []
    with app.app_context():
        session = get_session()
        # One report computed alone decides its family; the others are built with that decision (as the
        # side-by-side view does), and one of them alone must print exactly the same.
        first = monthly_figures(session, Period.parse("2026-11", BRUSSELS), "sud")
        family = family_suppression(session, first)
        alone = build_report(session, first, "en", public=True)
        assert alone.suppression[2] == build_report(session, first, "en", True, family).suppression[2]
        for period in (QUARTER, *MONTHS):
            for territory in (*TERRITORIES, "all"):
                figures = monthly_figures(session, Period.parse(period, BRUSSELS), territory)
                report_values, report_lines, report_hidden = build_report(
                    session, figures, "en", True, family
                ).suppression
                for key, number in report_values.items():
                    if not isinstance(number, int) or isinstance(number, bool):
                        continue
                    var = _variable(territory, period, key)
                    values[var] = number
                    if key in report_hidden:
                        hidden.setdefault(var, report_hidden[key])
                    else:
                        shown.add(var)  # printed in one report: known, whatever another one hides
                for line in report_lines:
                    lines.append(
                        Line(
                            _variable(territory, period, line.total),
                            tuple(_variable(territory, period, c) for c in line.cells),
                        )
                    )
    hidden = {var: state for var, state in hidden.items() if var not in shown}
    additive = {var for var in values if _additive(var[-1]) and var[0] != "all"}
    for var in list(values):
        territory, *rest = var
        if territory != "all" or not _additive(var[-1]):
            continue
        parts = [(t, *rest) for t in TERRITORIES]
        lines.append(Line(var, tuple(p for p in parts if p in values)))  # absent in a territory: 0
    for territory in (*TERRITORIES, "all"):
        for var in [v for v in values if v[0] == territory and len(v) == 3 and v[1] == QUARTER]:
            if _additive(var[2]):
                parts = [(territory, month, var[2]) for month in MONTHS]
                lines.append(Line(var, tuple(p for p in parts if p in values)))
        quarter_received = (territory, ("received", QUARTER))
        lines.append(Line(quarter_received, tuple((territory, ("received", m)) for m in MONTHS)))
    assert additive and any(state == "primary" for state in hidden.values())
    leaks = [var for var in disclosed(values, lines, hidden) if values[var] > 0]  # counts from 1 to 4
    assert leaks == [], f"{len(leaks)} small counts deduced, e.g. {leaks[:3]}"
