"""Public figures safe across reports: the hierarchical suppression of a period's family of public reports.

A reader of the public reports can put several side by side: the five basins, the region and all
territories, a quarter and its months. Each report's own suppression would let them subtract one from
another, so public mode decides over the whole family at once (``family_suppression``) and every report of
the family hides what that decision hides (``apply_family``), whichever report is computed first or alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from directory_import.territory import TERRITORIES
from helpdesk.reports.builder import Builder
from helpdesk.reports.counting import RECEIVED_DIMENSIONS, count_all
from helpdesk.reports.periods import Period
from helpdesk.reports.queries import MonthlyFigures, monthly_figures
from helpdesk.reports.suppression import Line, suppress

FiguresOf = Callable[[Period, str], MonthlyFigures]

FAMILY_TERRITORIES = (*TERRITORIES, "all")
# keys that name their period (second item), printed in the reports of several periods
_PERIOD_KEYS = ("received", "closed", "open_at_end", "unmet_total", "unmet", "unmet_reason", "unmet_theme")
_ADDITIVE = (
    "received",
    *RECEIVED_DIMENSIONS,
    "by_theme",
    "by_situation_flag",
    "by_language",
    "leads",
    "leads_total",
    "saturation_by_category",
    "unanswered",
    "unanswered_total",
    "closed",
    "feedback_given",
    "feedback_not_given",
    "unmet_total",
    "unmet",
    "unmet_reason",
    "unmet_theme",
)
_PER_REPORT = ("by_function", "by_sector")  # free text grouped per report in public mode: no sum across


def family_periods(period: Period) -> list[Period]:
    """The periods whose public reports are made safe together: a month or a quarter with its quarter
    and the quarter's months; any other period (a year, a range) alone."""
    if period.kind not in ("month", "quarter"):
        return [period]
    first = period.first.shift(-((period.first.month - 1) % 3))
    months = [Period.of(first.shift(i)) for i in range(3)]
    return [Period(first, first.shift(2)), *months]


def family_variable(territory: str, period: str, key: Any) -> tuple:
    """One quantity wherever it is printed in the family: a key that names its period stands for itself."""
    if isinstance(key, tuple) and key and key[0] in _PERIOD_KEYS:
        return (territory, key)
    return (territory, period, key)


def _family_additive(key: Any) -> bool:
    return isinstance(key, tuple) and key[0] in _ADDITIVE and key[0] not in _PER_REPORT


def family_suppression(
    session: Session, figures: MonthlyFigures, figures_of: FiguresOf | None = None
) -> dict:
    """What every public report of the period's family hides: ``{family_variable: state}``.

    The family is the five basins, the region and all territories, for ``family_periods``. Every count of
    every report is one variable; each report's own sums, "all territories" as the sum of the six and a
    quarter as the sum of its months are lines; ``suppress`` decides over all of them at once, always in
    the same order, so a report computed alone hides exactly what it hides when read beside the others.
    The other reports' figures come from ``figures_of(period, territory)`` (by default computed anew: a
    cache passes its own). Counting needs no language: the decision is the same in every language."""
    if figures_of is None:

        def figures_of(period: Period, territory: str) -> MonthlyFigures:
            return monthly_figures(session, period, territory)

    values: dict = {}
    lines: list[Line] = []
    for period in family_periods(figures.month):
        for territory in FAMILY_TERRITORIES:
            if period == figures.month and territory == figures.territory:
                f = figures
            else:
                f = figures_of(period, territory)
            b = Builder(f, "en", True, {})
            count_all(b)
            for key, number in b.values.items():
                if b.kinds[key] == "count":
                    values[family_variable(territory, str(period), key)] = number
            for line in b.lines:
                lines.append(
                    Line(
                        family_variable(territory, str(period), line.total),
                        tuple(family_variable(territory, str(period), c) for c in line.cells),
                    )
                )
    for var in list(values):
        if var[0] == "all" and _family_additive(var[-1]):
            parts = tuple(p for p in ((t, *var[1:]) for t in TERRITORIES) if p in values)
            lines.append(Line(var, parts))  # a part absent from a territory's report is 0 there
        elif var[0] == "all" and var[-1][0] == "transfer":
            # a transfer is printed alike in the reports of both territories and of all
            for side in var[-1][1:]:
                if (side, *var[1:]) in values:
                    lines.append(Line(var, ((side, *var[1:]),)))
    periods = family_periods(figures.month)
    if len(periods) > 1:
        quarter, months = str(periods[0]), [str(p) for p in periods[1:]]
        for var in list(values):
            if len(var) == 3 and var[1] == quarter and _family_additive(var[2]):
                parts = tuple(p for p in ((var[0], m, var[2]) for m in months) if p in values)
                lines.append(Line(var, parts))
            elif len(var) == 2 and var[1][1] == quarter and _family_additive(var[1]):
                parts = tuple(
                    p for p in ((var[0], (var[1][0], m, *var[1][2:])) for m in months) if p in values
                )
                lines.append(Line(var, parts))
    # Across reports, only counts from 1 to 4 are protected: that a territory had nothing is no disclosure,
    # and protecting every zero would hide most of the basins' figures.
    return suppress(values, lines, protect_zero=False)


def apply_family(b: Builder, family: dict) -> None:
    """Hide in ``b`` what the family's suppression hides (every count of a report is one of its variables)."""
    territory, period = b.f.territory, str(b.f.month)
    for key, kind in b.kinds.items():
        if kind == "count" and (state := family.get(family_variable(territory, period, key))):
            b.hidden[key] = state
    b.hide_measures()
