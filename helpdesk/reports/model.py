"""The report as plain data, in one language: what every renderer (HTML, PDF, XLSX, CSV, JSON) reads.

``helpdesk.reports.report.build_report`` makes a ``MonthlyReport`` from the figures; renderers never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the figures a report was made from, kept for checks
    from helpdesk.reports.queries import MonthlyFigures

HIDDEN_SMALL = "<5"
HIDDEN_SECONDARY = "x"
PERIOD_CODES = ("count", "month_before", "year_before")


@dataclass
class Value:
    """One figure: its number, how it reads, and whether public mode hid it."""

    number: int | float | None
    text: str
    hidden: str | None = None  # "primary" ("<5") or "secondary" ("x")
    kind: str = "count"  # count, days or ratio

    @property
    def public(self) -> Any:
        """The number, or the mark that replaces it in public mode (for JSON and CSV)."""
        return self.text if self.hidden else self.number


@dataclass
class Row:
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    values: list[Value]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]  # label columns first, then value columns
    label_columns: int
    rows: list[Row]
    value_codes: tuple[str, ...] = ("count",)  # a stable name per value column, for CSV and JSON
    definition: str = ""  # what the table counts, in the report's language


@dataclass
class MonthlyReport:
    month: str  # the period's code: 2026-10, 2026-Q3, 2026 or 2026-01..2026-06
    territory: str
    territory_label: str
    language: str
    public: bool
    headline: dict[str, Value]
    tables: list[Table] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)  # {"month", "received", ...: Value}
    figures: MonthlyFigures | None = None
    suppression: tuple = ()  # (values, lines, hidden): what public mode decided, for checks
    period_label: str = ""  # the period in words, in the report's language
    period_kind: str = "month"  # month, quarter, year or range
    period_start: str = ""  # first day, YYYY-MM-DD
    period_end: str = ""  # last day, YYYY-MM-DD
    # the period before and the same period a year before: {"period", "label", "start", "end"}
    comparisons: list[dict[str, str]] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)  # (term, definition)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)
