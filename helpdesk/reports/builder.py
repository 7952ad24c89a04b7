"""One report's figures while it is made: every count and measure under a key, the lines that add up, and
what public mode hides; then each figure as a ``Value`` in the report's language.

Counting (``helpdesk.reports.counting``) registers the figures, suppression decides over all of them at once
(this report alone, or its family: ``helpdesk.reports.family``), then the tables read them.
"""

from __future__ import annotations

from typing import Any, cast

from babel.numbers import format_decimal, format_percent

from helpdesk.reports.model import HIDDEN_SECONDARY, HIDDEN_SMALL, Value
from helpdesk.reports.queries import MonthlyFigures
from helpdesk.reports.suppression import PRIMARY, SECONDARY, Line, suppress


class Builder:
    """The figures of one report under their keys, the sums between them, and what public mode hides."""

    def __init__(self, figures: MonthlyFigures, locale: str, public: bool, themes: dict[str, str]):
        self.f = figures
        self.locale = locale
        self.public = public
        self.themes = themes
        self.values: dict[Any, int | float | None] = {}
        self.kinds: dict[Any, str] = {}
        self.lines: list[Line] = []
        self.hidden: dict[Any, str] = {}
        self.measure_depends: dict[Any, list[Any]] = {}

    # -- registering figures ------------------------------------------------------------------------
    def count(self, key, number: int) -> Any:
        self.values[key] = number
        self.kinds[key] = "count"
        return key

    def measure(self, key, number: float | None, kind: str) -> Any:
        self.values[key] = number
        self.kinds[key] = kind
        return key

    def line(self, total, cells) -> None:
        self.lines.append(Line(total, tuple(cells)))

    def value(self, key) -> Value:
        number = self.values[key]
        kind = self.kinds[key]
        hidden = self.hidden.get(key)
        if hidden:
            # A hidden rate or duration is no count: "<5" would read as "under 5 %" or "under 5 days".
            small = hidden == PRIMARY and kind == "count"
            return Value(number, HIDDEN_SMALL if small else HIDDEN_SECONDARY, hidden, kind)
        return Value(number, self.format(number, kind), None, kind)

    def format(self, number, kind: str) -> str:
        if number is None:
            return "–"
        if kind == "ratio":
            return format_percent(number, locale=self.locale)
        if kind == "days":
            return format_decimal(number, format="#,##0.0", locale=self.locale)
        return format_decimal(number, locale=self.locale)

    def run_suppression(self) -> None:
        if not self.public:
            return
        # a "count" is always an int (only measures hold floats or None)
        counts = cast(dict[Any, int], {k: v for k, v in self.values.items() if self.kinds[k] == "count"})
        self.hidden = suppress(counts, self.lines)
        self.hide_measures()

    def hide_measures(self) -> None:
        # A measure over fewer than 5 requests, or whose parts are hidden, is hidden with them.
        for key, depends in self.measure_depends.items():
            states = [self.hidden.get(d) for d in depends]
            if any(states):
                self.hidden[key] = PRIMARY if PRIMARY in states else SECONDARY
