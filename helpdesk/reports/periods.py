"""The periods a report covers: calendar months in the helpdesk's zone, and runs of whole months.

Months are calendar months in the helpdesk's zone (``TIMEZONE``, Europe/Brussels by default), carried by
each ``Month``; timestamps are stored in UTC, so a month is the half-open UTC interval between two local
midnights (23 or 25 hours at the clock changes are handled by zoneinfo). A ``Period`` (a quarter, a year,
any range of whole months) answers like a month where the queries need one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Months a report may be asked for: far from the ends of ``datetime`` (year 1 to 9999) in any time zone.
FIRST_MONTH, LAST_MONTH = (1900, 1), (2999, 12)


class MonthOutOfRange(ValueError):
    """A well-formed month no report can cover (``0001-01``, ``9999-12``)."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in a time zone (the helpdesk's: ``helpdesk.i18n.local_zone``)."""

    year: int
    month: int
    zone: ZoneInfo = field(compare=False)

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo) -> Month:
        """``"2026-10"`` to a month; ValueError on anything else, ``MonthOutOfRange`` outside the months a
        report can cover (its trend and comparisons reach back 12 months and one month ahead)."""
        match = MONTH_RE.match((text or "").strip())
        if not match:
            raise ValueError(f"not a month: {text!r}")
        month = cls(int(match.group(1)), int(match.group(2)), zone)
        if not FIRST_MONTH <= (month.year, month.month) <= LAST_MONTH:
            raise MonthOutOfRange(str(month))
        return month

    @classmethod
    def containing(cls, moment: datetime, zone: ZoneInfo) -> Month:
        local = moment.astimezone(zone)
        return cls(local.year, local.month, zone)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1, self.zone)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @cached_property  # computed once per month object: the report compares many instants with it
    def start(self) -> datetime:
        """The first instant of the month, in UTC."""
        return datetime(self.year, self.month, 1, tzinfo=self.zone).astimezone(UTC)

    @cached_property
    def end(self) -> datetime:
        """The first instant of the next month, in UTC (exclusive bound)."""
        return self.shift(1).start

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


PERIOD_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
PERIOD_YEAR_RE = re.compile(r"^(\d{4})$")
PERIOD_RANGE_RE = re.compile(r"^(\d{4}-\d{2})\s*\.\.\s*(\d{4}-\d{2})$")
MAX_PERIOD_MONTHS = 36


class PeriodOutOfRange(MonthOutOfRange):
    """A well-formed period no report can cover (outside the months, reversed, or too long)."""


@dataclass(frozen=True)
class Period:
    """Whole consecutive months, ``first`` to ``last`` included, in the helpdesk's zone: a month, a quarter,
    a year or any range. It answers like a ``Month`` where the queries need one (``start``, ``end``,
    ``shift``), so the report of a period uses the monthly report's definitions."""

    first: Month
    last: Month

    @classmethod
    def of(cls, month: Month) -> Period:
        return cls(month, month)

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo) -> Period:
        """``2026-10``, ``2026-Q3``, ``2026`` or ``2026-01..2026-06``; ValueError on anything else,
        ``PeriodOutOfRange`` for a period no report can cover."""
        text = (text or "").strip()
        if match := PERIOD_QUARTER_RE.match(text):
            year, quarter = int(match.group(1)), int(match.group(2))
            first = Month.parse(f"{year:04d}-{3 * quarter - 2:02d}", zone)
            last = Month.parse(f"{year:04d}-{3 * quarter:02d}", zone)
        elif match := PERIOD_YEAR_RE.match(text):
            first = Month.parse(f"{match.group(1)}-01", zone)
            last = Month.parse(f"{match.group(1)}-12", zone)
        elif match := PERIOD_RANGE_RE.match(text):
            first, last = Month.parse(match.group(1), zone), Month.parse(match.group(2), zone)
        else:
            first = last = Month.parse(text, zone)
        if last < first:
            raise PeriodOutOfRange(f"{first}..{last}")
        period = cls(first, last)
        if period.length > MAX_PERIOD_MONTHS:
            raise PeriodOutOfRange(str(period))
        # its comparisons reach back one period and a year
        earliest = period.shift(-max(period.length, 12)).first
        if (earliest.year, earliest.month) < FIRST_MONTH:
            raise PeriodOutOfRange(str(period))
        return period

    @property
    def zone(self) -> ZoneInfo:
        return self.first.zone

    @property
    def length(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    @property
    def months(self) -> list[Month]:
        return [self.first.shift(i) for i in range(self.length)]

    @property
    def kind(self) -> str:
        """month, quarter, year or range."""
        if self.length == 1:
            return "month"
        if self.length == 3 and self.first.month % 3 == 1:
            return "quarter"
        if self.length == 12 and self.first.month == 1:
            return "year"
        return "range"

    def shift(self, months: int) -> Period:
        return Period(self.first.shift(months), self.last.shift(months))

    @property
    def previous(self) -> Period:
        return self.shift(-self.length)

    @property
    def year_before(self) -> Period:
        return self.shift(-12)

    @property
    def first_day(self) -> date:
        return self.first.first_day

    @property
    def last_day(self) -> date:
        return self.last.shift(1).first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return self.first.start

    @property
    def end(self) -> datetime:
        return self.last.end

    def __str__(self) -> str:
        kind = self.kind
        if kind == "month":
            return str(self.first)
        if kind == "quarter":
            return f"{self.first.year:04d}-Q{(self.first.month + 2) // 3}"
        if kind == "year":
            return f"{self.first.year:04d}"
        return f"{self.first}..{self.last}"


Span = Month | Period  # what the queries read: ``start`` and ``end``


def comparisons(period: Period) -> tuple[Period, Period, Period]:
    """The period, the period before and the same period a year before: the report's three columns."""
    return (period, period.previous, period.year_before)
