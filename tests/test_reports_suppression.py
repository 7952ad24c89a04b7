"""Public mode: counts under 5 hidden, and no published total gives a hidden count back.

``brute_force_values`` plays the reader: it enumerates every table consistent with what is published and
lists the values each hidden small cell can still take. Suppression must leave at least two.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.db import get_session
from helpdesk.reports.periods import Month
from helpdesk.reports.queries import monthly_figures
from helpdesk.reports.render import to_csv, to_json
from helpdesk.reports.report import build_report
from helpdesk.reports.suppression import PRIMARY, SECONDARY, Line, disclosed, suppress

BRUSSELS = ZoneInfo("Europe/Brussels")
OCTOBER = Month(2026, 10, BRUSSELS)


def crosstab(cells: list[list[int]]) -> tuple[dict, list[Line]]:
    """A table with row totals, column totals and a grand total, as values and lines."""
    values, lines = {}, []
    rows, cols = len(cells), len(cells[0])
    for r in range(rows):
        for c in range(cols):
            values[("cell", r, c)] = cells[r][c]
    for r in range(rows):
        values[("row", r)] = sum(cells[r])
        lines.append(Line(("row", r), tuple(("cell", r, c) for c in range(cols))))
    for c in range(cols):
        values[("col", c)] = sum(cells[r][c] for r in range(rows))
        lines.append(Line(("col", c), tuple(("cell", r, c) for r in range(rows))))
    values[("grand",)] = sum(map(sum, cells))
    lines.append(Line(("grand",), tuple(("row", r) for r in range(rows))))
    lines.append(Line(("grand",), tuple(("col", c) for c in range(cols))))
    return values, lines


def brute_force_values(values: dict, lines: list[Line], hidden: dict) -> dict:
    """For each hidden small interior cell, the values it takes in some table consistent with the publication.

    Cells are filled row by row; a row's last cell follows from a published row total, and partial column
    sums may not pass a published column total.
    """
    rows = 1 + max(k[1] for k in values if k[0] == "cell")
    cols = 1 + max(k[2] for k in values if k[0] == "cell")
    grand = values[("grand",)]

    def allowed(key, value) -> bool:
        state = hidden.get(key)
        if state is None:
            return value == values[key]
        return 0 <= value <= 4 if state == PRIMARY else value >= 5

    def candidates(key):
        state = hidden.get(key)
        if state is None:
            return [values[key]]
        return range(0, 5) if state == PRIMARY else range(5, grand + 1)

    possible: dict = {k: set() for k in values if k[0] == "cell" and hidden.get(k) == PRIMARY}
    table = [[0] * cols for _ in range(rows)]

    def col_ok(partial: bool) -> bool:
        for c in range(cols):
            total = sum(table[r][c] for r in range(rows))
            key = ("col", c)
            if hidden.get(key) is None and (total > values[key] if partial else total != values[key]):
                return False
            if not partial and not allowed(key, total):
                return False
        return True

    def fill(r: int, c: int) -> None:
        if r == rows:
            if not col_ok(partial=False):
                return
            row_totals = [sum(row) for row in table]
            if not all(allowed(("row", i), t) for i, t in enumerate(row_totals)):
                return
            if not allowed(("grand",), sum(row_totals)):
                return
            for key in possible:
                possible[key].add(table[key[1]][key[2]])
            return
        row_key = ("row", r)
        if c == cols - 1 and hidden.get(row_key) is None:
            last = values[row_key] - sum(table[r][:c])
            options = [last] if allowed(("cell", r, c), last) else []
        else:
            options = candidates(("cell", r, c))
        for value in options:
            table[r][c] = value
            if col_ok(partial=True):
                if c == cols - 1:
                    fill(r + 1, 0)
                else:
                    fill(r, c + 1)
        table[r][c] = 0

    fill(0, 0)
    return possible


def test_suppress_hides_the_smallest_other_cell_when_one_small_cell_could_be_subtracted():
    values = {"total": 30, "a": 2, "b": 8, "c": 20}
    hidden = suppress(values, [Line("total", ("a", "b", "c"))])
    assert hidden == {"a": PRIMARY, "b": SECONDARY}


def test_suppress_leaves_a_line_alone_when_two_small_cells_protect_each_other():
    values = {"total": 26, "a": 2, "b": 3, "c": 21}
    assert suppress(values, [Line("total", ("a", "b", "c"))]) == {"a": PRIMARY, "b": PRIMARY}


def test_suppress_hides_more_when_two_small_cells_are_pinned_by_their_sum():
    # 4 + 4 = 8 = 28 - 20: both would be known exactly.
    values = {"total": 28, "a": 4, "b": 4, "c": 20}
    hidden = suppress(values, [Line("total", ("a", "b", "c"))])
    assert hidden == {"a": PRIMARY, "b": PRIMARY, "c": SECONDARY}
    assert disclosed(values, [Line("total", ("a", "b", "c"))], hidden) == []


def test_suppress_hides_the_total_when_no_other_cell_is_left():
    values = {"total": 5, "a": 0, "b": 5}
    hidden = suppress(values, [Line("total", ("a", "b"))])
    assert hidden["a"] == PRIMARY and SECONDARY in (hidden.get("b"), hidden.get("total"))
    assert disclosed(values, [Line("total", ("a", "b"))], hidden) == []


def test_suppress_hidden_secondary_is_protected_across_tables():
    # The same "received" is the total of two tables: hiding it for one must not be undone by the other.
    values = {"received": 6, "ch:phone": 1, "ch:email": 5, "age:a": 6}
    lines = [Line("received", ("ch:phone", "ch:email")), Line("received", ("age:a",))]
    hidden = suppress(values, lines)
    assert disclosed(values, lines, hidden) == []
    assert hidden["ch:phone"] == PRIMARY


@pytest.mark.parametrize(
    "cells",
    [
        [[1, 10], [10, 10]],
        [[4, 6, 9], [7, 0, 12]],
        [[2, 2], [2, 2]],
        [[0, 5], [5, 6]],
        [[3, 8, 1], [9, 9, 2]],
    ],
)
def test_suppress_crosstab_no_small_cell_recovered_by_brute_force(cells):
    values, lines = crosstab(cells)
    hidden = suppress(values, lines)
    assert all(state for key, state in hidden.items() if values[key] < 5)
    for key, seen in brute_force_values(values, lines, hidden).items():
        assert len(seen) >= 2, f"{key} can only be {seen}"


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 8), min_size=3, max_size=3), min_size=2, max_size=2))
def test_suppress_crosstab_property_no_small_cell_recovered(cells):
    values, lines = crosstab(cells)
    hidden = suppress(values, lines)
    assert all(key in hidden for key, value in values.items() if value < 5)
    for key, seen in brute_force_values(values, lines, hidden).items():
        assert len(seen) >= 2, f"{key} can only be {seen} in {cells} with {hidden}"


def _public_report(app, territory="sud", language="fr"):
    with app.app_context():
        session = get_session()
        return build_report(session, monthly_figures(session, OCTOBER, territory), language, public=True)


def _counts_in(data, path=""):
    """Every number of a JSON report that is a count (not a duration, rate or identifier)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("median", "p90", "feedback_rate", "organisation_id", "public"):
                continue
            yield from _counts_in(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _counts_in(value, f"{path}[{i}]")
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield path, data


@pytest.mark.parametrize("territory", ["sud", "all"])
def test_public_report_shows_no_count_under_5(app, october_world, territory):
    data = json.loads(to_json(_public_report(app, territory)))
    small = [(path, n) for path, n in _counts_in(data) if n < 5]
    assert small == []


def test_public_report_hides_the_cell_a_total_would_give_back(app, make_report_request):
    for _ in range(5):
        make_report_request("2026-10-05T10:00:00", age_band="25-64")
    make_report_request("2026-10-06T10:00:00", age_band="18-24")
    report = _public_report(app)
    # Received 6 = 5 aged 25-64 + 1 aged 18-24: with "5" and "6" printed, the 1 would be 6 - 5. The same
    # figures are in the quarter's and all territories' reports, decided together: one of them is hidden.
    rows = {row.codes[0]: row.values[0] for row in report.table("by_age_band").rows}
    assert rows["18-24"].text == "<5"
    assert "x" in (rows["25-64"].text, report.headline["received"].text)


def test_public_report_feedback_rate_hidden_when_it_gives_small_counts(app, october_world):
    report = _public_report(app)
    assert report.headline["closed"].text == "5"
    assert report.headline["feedback_rate"].text == "x"


@pytest.mark.parametrize("territory", ["sud", "all"])
def test_public_report_checked_by_the_reader_model(app, october_world, territory):
    report = _public_report(app, territory)
    values, lines, hidden = report.suppression
    assert disclosed(values, lines, hidden) == []
    assert any(state == PRIMARY for state in hidden.values())


def test_public_report_prints_no_free_text(app, october_world):
    public = _public_report(app)
    text = to_json(public) + to_csv(public)
    assert "Médecin" not in text and "Infirmier" not in text and "Maison médicale" not in text
    with app.app_context():
        session = get_session()
        internal = build_report(session, monthly_figures(session, OCTOBER, "sud"), "fr", public=False)
    assert "Médecin" in to_json(internal)
    assert "free text that must never leave" not in to_json(internal) + to_csv(internal)
