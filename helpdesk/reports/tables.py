"""The report's tables: each reads the figures counted before, once public mode has decided what to hide.

One function per table (or per group of tables that share their figures); the saturation tables live with
their queries in ``helpdesk.reports.saturation``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from flask_babel import lazy_gettext as _l

from helpdesk.reports import labels as L
from helpdesk.reports.builder import Builder
from helpdesk.reports.counting import UnmetLayout
from helpdesk.reports.labels import TITLES, comparison_columns
from helpdesk.reports.model import PERIOD_CODES, Row, Table, Value
from helpdesk.vocabularies import AgeBand, Channel, LeadOutcome, Sector, SituationFlag, UnmetReason


def headline(b: Builder, current: str) -> dict[str, Value]:
    return {
        "received": b.value(("received", current)),
        "closed": b.value(("closed", current)),
        "open_at_end": b.value(("open_at_end", current)),
        "unmet_needs": b.value(("unmet_total", current)),
        "leads_proposed": b.value(("leads_total",)),
        "feedback_rate": b.value(("feedback_rate",)),
        "time_to_close_median": b.value(("close", "median")),
        "callbacks_overdue": b.value(("callbacks_overdue",)),
    }


def requests_table(b: Builder) -> Table:
    """The headline counts beside the period before and the same period a year before."""
    period = b.f.month
    periods = [p.period for p in b.f.periods]
    if period.kind == "month":
        names = (_l("Received in the month"), _l("Closed in the month"), _l("Open at the end of the month"))
    else:
        names = (
            _l("Received in the period"),
            _l("Closed in the period"),
            _l("Open at the end of the period"),
        )
    rows = [
        Row((code,), (str(name),), [b.value((code, p)) for p in periods])
        for code, name in zip(("received", "closed", "open_at_end"), names, strict=True)
    ]
    rows.append(
        Row(
            ("unmet_needs",),
            (str(_l("Unmet needs recorded")),),
            [b.value(("unmet_total", p)) for p in periods],
        )
    )
    return Table(
        "requests",
        str(TITLES["requests"]),
        [str(_l("Figure"))] + comparison_columns(period),
        1,
        rows,
        PERIOD_CODES,
    )


def dimension_tables(b: Builder, dims: dict[str, dict[str, int]]) -> list[Table]:
    themes, locale = b.themes, b.locale
    count_col = str(_l("Requests"))

    def simple(key: str, header: str, label_of) -> Table:
        rows = [Row((code,), (label_of(code),), [b.value((key, code))]) for code in dims[key]]
        return Table(key, str(TITLES[key]), [header, count_col], 1, rows)

    return [
        simple("by_channel", str(_l("Channel")), lambda c: L.code_label(c, Channel)),
        simple("by_received_territory", str(_l("Territory")), L.territory_label),
        simple("by_residence_basin", str(_l("Basin of residence")), L.territory_label),
        simple("by_function", str(_l("Function")), L.code_label),
        simple("by_sector", str(_l("Sector")), lambda c: L.code_label(c, Sector)),
        simple("by_theme", str(_l("Theme")), lambda c: L.code_label(c, themes)),
        simple("by_age_band", str(_l("Age band")), lambda c: L.code_label(c, AgeBand)),
        simple("by_situation_flag", str(_l("Situation")), lambda c: L.code_label(c, SituationFlag)),
        simple("by_language", str(_l("Language")), lambda c: L.spoken_language_label(c, locale)),
    ]


def leads_table(b: Builder, leads: dict[str, int]) -> Table:
    rows = [Row((o,), (L.code_label(o, LeadOutcome),), [b.value(("leads", o))]) for o in leads]
    rows.append(Row(("total",), (str(_l("Total")),), [b.value(("leads_total",))]))
    return Table("leads", str(TITLES["leads"]), [str(_l("Outcome")), str(_l("Leads"))], 1, rows)


def unanswered_table(b: Builder, themes: list[str]) -> Table:
    rows = [Row((t,), (_theme_or_none(b, t),), [b.value(("unanswered", t))]) for t in themes]
    if rows:
        rows.append(Row(("total",), (str(_l("Total")),), [b.value(("unanswered_total",))]))
    return Table(
        "unanswered_searches",
        str(TITLES["unanswered_searches"]),
        [str(_l("Theme")), str(_l("Searches"))],
        1,
        rows,
    )


def _theme_or_none(b: Builder, theme: str) -> str:
    return L.code_label(theme, b.themes) if theme else str(_l("Without a theme"))


def unmet_needs_tables(b: Builder, unmet: UnmetLayout) -> list[Table]:
    """The cross table of reasons and themes, then its two margins."""
    themes, periods = b.themes, unmet.periods
    period_cols = comparison_columns(b.f.month)
    rows = [
        Row(
            pair,
            (L.code_label(pair[0], UnmetReason), L.code_label(pair[1], themes)),
            [b.value(("unmet", p, *pair)) for p in periods],
        )
        for pair in unmet.pairs
    ]
    rows.append(Row(("total", ""), (str(_l("Total")), ""), [b.value(("unmet_total", p)) for p in periods]))
    cross = Table(
        "unmet_needs",
        str(TITLES["unmet_needs"]),
        [str(_l("Reason")), str(_l("Theme"))] + period_cols,
        2,
        rows,
        PERIOD_CODES,
    )
    rows = [
        Row((r,), (L.code_label(r, UnmetReason),), [b.value(("unmet_reason", p, r)) for p in periods])
        for r in unmet.reasons
    ]
    by_reason = Table(
        "unmet_by_reason",
        str(TITLES["unmet_by_reason"]),
        [str(_l("Reason"))] + period_cols,
        1,
        rows,
        PERIOD_CODES,
    )
    rows = [
        Row((t,), (L.code_label(t, themes),), [b.value(("unmet_theme", p, t)) for p in periods])
        for t in unmet.themes
    ]
    by_theme = Table(
        "unmet_by_theme",
        str(TITLES["unmet_by_theme"]),
        [str(_l("Theme"))] + period_cols,
        1,
        rows,
        PERIOD_CODES,
    )
    return [cross, by_reason, by_theme]


def service_table(b: Builder) -> Table:
    monthly = b.f.month.kind == "month"
    return Table(
        "service",
        str(TITLES["service"]),
        [str(_l("Figure")), str(_l("Value"))],
        1,
        [
            Row(
                ("time_to_first_answer_median",),
                (str(_l("Time to first answer, median (days)")),),
                [b.value(("first_answer", "median"))],
            ),
            Row(
                ("time_to_first_answer_p90",),
                (str(_l("Time to first answer, 90th percentile (days)")),),
                [b.value(("first_answer", "p90"))],
            ),
            Row(
                ("first_answered",),
                (
                    str(
                        _l("Requests first answered in the month")
                        if monthly
                        else _l("Requests first answered in the period")
                    ),
                ),
                [b.value(("first_answer", "n"))],
            ),
            Row(
                ("time_to_close_median",),
                (str(_l("Time to closing, median (days)")),),
                [b.value(("close", "median"))],
            ),
            Row(
                ("time_to_close_p90",),
                (str(_l("Time to closing, 90th percentile (days)")),),
                [b.value(("close", "p90"))],
            ),
            Row(
                ("callbacks_overdue",),
                (
                    str(
                        _l("Callbacks overdue at the end of the month")
                        if monthly
                        else _l("Callbacks overdue at the end of the period")
                    ),
                ),
                [b.value(("callbacks_overdue",))],
            ),
            Row(
                ("closed_with_feedback",),
                (str(_l("Closed with feedback to the professional")),),
                [b.value(("feedback_given",))],
            ),
            Row(
                ("closed_without_feedback",),
                (str(_l("Closed without feedback")),),
                [b.value(("feedback_not_given",))],
            ),
            Row(
                ("feedback_rate",),
                (str(_l("Share of closed requests with feedback")),),
                [b.value(("feedback_rate",))],
            ),
        ],
    )


def transfers_table(b: Builder, transfer_pairs: list[tuple[str, str]]) -> Table:
    rows = [
        Row((a, c), (L.territory_label(a), L.territory_label(c)), [b.value(("transfer", a, c))])
        for a, c in transfer_pairs
    ]
    rows.append(Row(("total", ""), (str(_l("Total")), ""), [b.value(("transfers_total",))]))
    return Table(
        "transfers",
        str(TITLES["transfers"]),
        [str(_l("From")), str(_l("To")), str(_l("Transfers"))],
        2,
        rows,
    )


def trend_table(b: Builder) -> tuple[Table, list[dict[str, Any]]]:
    """The 12-month table, and the same points for the chart (``MonthlyReport.trend``)."""
    trend_cols = [
        str(_l("Requests received")),
        str(_l("Requests closed")),
        str(_l("Open at month end")),
        str(_l("Unmet needs")),
    ]
    points: list[dict[str, Any]] = []
    trend_rows = []
    for point in b.f.trend:
        values = {
            name: b.value((key, point.month))
            for name, key in (
                ("received", "received"),
                ("closed", "closed"),
                ("open_at_end", "open_at_end"),
                ("unmet_needs", "unmet_total"),
            )
        }
        points.append({"month": point.month, **values})
        year, month = (int(part) for part in point.month.split("-"))
        in_words = format_date(date(year, month, 1), "LLLL y", locale=b.locale)
        trend_rows.append(Row((point.month,), (in_words,), list(values.values())))
    table = Table(
        "trend",
        str(TITLES["trend"]),
        [str(_l("Month"))] + trend_cols,
        1,
        trend_rows,
        ("received", "closed", "open_at_end", "unmet_needs"),
    )
    return table, points
