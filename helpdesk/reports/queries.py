"""The figures of the monthly activity report: SQL aggregates that run the same on SQLite and PostgreSQL.

Months are calendar months in the helpdesk's zone (``TIMEZONE``, Europe/Brussels by default), carried by
each ``Month``; timestamps are stored in UTC, so a month is the half-open UTC interval between two local
midnights (23 or 25 hours at the clock changes are handled by zoneinfo).
A territory's report covers the requests that territory holds now (``HelpRequest.territory``); the
territories' reports partition the report for "all".

Closing figures keep their history when a request is reopened: for the few requests with a "reopened" event,
closed-in-month, open-at-end, time to close and feedback come from their timeline (each closing and
reopening), so a past month's report does not change when a request it counted as closed is reopened later.
Every other request is counted from its columns, in SQL.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from directory_import.models import Organisation
from directory_import.vocabulary import CATEGORIES
from helpdesk.followup.models import (
    Callback,
    HelpRequest,
    Lead,
    LeadOutcome,
    RequestEvent,
    RequestTheme,
    Transfer,
    UnmetNeed,
)
from helpdesk.orientation.matching import category_codes
from helpdesk.orientation.unanswered import unanswered_by_theme

ALL = "all"
TREND_MONTHS = 12
SATURATION_ROWS = 15
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


@dataclass(frozen=True)
class PeriodPoint:
    """The headline counts of one period: received, closed in it, open at its end, unmet needs."""

    period: str
    received: int
    closed: int
    open_at_end: int
    unmet_needs: int


@dataclass(frozen=True)
class Durations:
    """Median and 90th percentile (nearest rank) of a duration in days, over ``n`` requests."""

    n: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class TrendPoint:
    month: str
    received: int
    closed: int
    open_at_end: int
    unmet_needs: int


@dataclass(frozen=True)
class SaturationRow:
    organisation_id: int
    name_fr: str
    name_nl: str
    theme: str
    waiting_list: int
    refused: int

    @property
    def total(self) -> int:
        return self.waiting_list + self.refused


SATURATED_OUTCOMES = (
    LeadOutcome.WAITING_LIST.value,
    LeadOutcome.REFUSED.value,
    LeadOutcome.UNREACHABLE.value,
)


@dataclass(frozen=True)
class OutcomeShare:
    """The period's leads to one directory category or one organisation: how many, and how many ended on a
    waiting list, refused or full, or unreachable (``SATURATED_OUTCOMES``, in that order)."""

    code: str  # a category code (``directory_import.vocabulary.CATEGORIES``) or an organisation id
    name_fr: str
    name_nl: str
    leads: int
    saturated: tuple[int, int, int]

    @property
    def share(self) -> float | None:
        return sum(self.saturated) / self.leads if self.leads else None


@dataclass
class MonthlyFigures:
    """Every figure of one month's report, as codes and counts (labels come with rendering)."""

    month: Period  # a single month for the monthly report
    territory: str
    trend: list[TrendPoint] = field(default_factory=list)
    # the period, the period before, the same period a year before
    periods: list[PeriodPoint] = field(default_factory=list)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_received_territory: dict[str, int] = field(default_factory=dict)
    by_residence_basin: dict[str, int] = field(default_factory=dict)
    by_function: dict[str, int] = field(default_factory=dict)
    by_sector: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)
    by_theme: dict[str, int] = field(default_factory=dict)
    by_situation_flag: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    leads_by_outcome: dict[str, int] = field(default_factory=dict)
    saturation: list[SaturationRow] = field(default_factory=list)
    # the period's leads by directory category, and by organisation (the internal version only prints it)
    saturation_by_category: list[OutcomeShare] = field(default_factory=list)
    saturation_by_organisation: list[OutcomeShare] = field(default_factory=list)
    # (reason, theme) -> [this month, month before, same month a year before]
    unmet_needs: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    time_to_first_answer: Durations = field(default_factory=Durations)
    time_to_close: Durations = field(default_factory=Durations)
    callbacks_overdue: int = 0
    closed_with_feedback: int = 0
    transfers: dict[tuple[str, str], int] = field(default_factory=dict)
    # request-page lead searches that found nothing, by theme ("" without a theme); never their text
    unanswered_searches: dict[str, int] = field(default_factory=dict)

    @property
    def current(self) -> PeriodPoint:
        return self.periods[0]

    @property
    def received(self) -> int:
        return self.current.received

    @property
    def closed(self) -> int:
        return self.current.closed

    @property
    def open_at_end(self) -> int:
        return self.current.open_at_end

    @property
    def leads_proposed(self) -> int:
        return sum(self.leads_by_outcome.values())

    @property
    def feedback_rate(self) -> float | None:
        return self.closed_with_feedback / self.closed if self.closed else None

    @property
    def unmet_periods(self) -> tuple[Period, Period, Period]:
        return _comparisons(self.month)

    def unmet_total(self, period: int) -> int:
        return sum(counts[period] for counts in self.unmet_needs.values())


def _comparisons(period: Period) -> tuple[Period, Period, Period]:
    return (period, period.previous, period.year_before)


@dataclass
class _Closing:
    """One closing of a reopened request: when, with feedback or not, and when it was reopened (if it was)."""

    closed_at: datetime
    feedback_given: bool
    reopened_at: datetime | None = None


@dataclass
class _History:
    """A reopened request: its closings from the timeline, and its columns (which the SQL counts used)."""

    request_id: int
    created_at: datetime
    closed_at_column: datetime | None
    feedback_column: bool
    closings: list[_Closing] = field(default_factory=list)

    def last_closing_in(self, month: Span) -> _Closing | None:
        inside = [c for c in self.closings if month.start <= c.closed_at < month.end]
        return inside[-1] if inside else None

    def closed_at(self, moment: datetime) -> bool:
        return any(
            c.closed_at < moment and (c.reopened_at is None or c.reopened_at >= moment) for c in self.closings
        )


def _ever_reopened():
    return select(RequestEvent.request_id).where(RequestEvent.kind == "reopened")


def _reopened_histories(session: Session, territory: str) -> list[_History]:
    """The closings of every request of ``territory`` that was ever reopened, from its timeline."""
    stmt = (
        select(
            RequestEvent.request_id,
            HelpRequest.created_at,
            HelpRequest.closed_at,
            HelpRequest.feedback_given,
            RequestEvent.kind,
            RequestEvent.at,
            RequestEvent.changes,
        )
        .join(HelpRequest, RequestEvent.request_id == HelpRequest.id)
        .where(
            HelpRequest.id.in_(_ever_reopened()),
            RequestEvent.kind.in_(("closed", "reopened")),
            _scope(territory),
        )
        .order_by(RequestEvent.request_id, RequestEvent.at, RequestEvent.id)
    )
    histories: dict[int, _History] = {}
    for request_id, created_at, closed_at, feedback, kind, at, changes in session.execute(stmt):
        history = histories.get(request_id)
        if history is None:
            history = histories[request_id] = _History(request_id, created_at, closed_at, bool(feedback))
        if kind == "closed":
            given = bool((changes or {}).get("feedback_given"))
            history.closings.append(_Closing(at, given))
        elif history.closings and history.closings[-1].reopened_at is None:
            history.closings[-1].reopened_at = at
    return list(histories.values())


def _in(column, month: Span) -> ColumnElement[bool]:
    return and_(column >= month.start, column < month.end)


def _scope(territory: str) -> ColumnElement[bool]:
    return true() if territory == ALL else HelpRequest.territory == territory


def _days_between(session: Session, later, earlier):
    """``later - earlier`` in days, as a float, in the dialect's own arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _bucket(column, months: list[Month]):
    """A CASE giving the month (``"2026-10"``) an instant falls in, among ``months``."""
    return case(*[(_in(column, m), literal(str(m))) for m in months], else_=literal(""))


def _consecutive_bucket(column, months: list[Month]):
    """Like ``_bucket`` for consecutive months, when the query keeps only instants within them: one
    comparison per month passed instead of two per month."""
    return case(*[(column < m.end, literal(str(m))) for m in months[:-1]], else_=literal(str(months[-1])))


def _grouped(session: Session, column, month: Span, territory: str) -> dict[str, int]:
    stmt = (
        select(column, func.count())
        .where(_in(HelpRequest.created_at, month), _scope(territory))
        .group_by(column)
    )
    return {(value or ""): count for value, count in session.execute(stmt)}


def _grouped_lists(session: Session, column, month: Span, territory: str) -> dict[str, int]:
    """Counts of the elements of a JSON list column: SQL groups the distinct lists, Python splits them."""
    text = cast(column, String)
    stmt = (
        select(text, func.count()).where(_in(HelpRequest.created_at, month), _scope(territory)).group_by(text)
    )
    counts: Counter[str] = Counter()
    for raw, count in session.execute(stmt):
        try:
            values = json.loads(raw) if raw else []
        except ValueError:
            values = []
        for value in {str(v) for v in values if v not in (None, "")}:
            counts[value] += count
    return dict(counts)


def _free_text_counts(counts: dict[str, int]) -> dict[str, int]:
    """Free-text answers grouped case- and space-insensitively, under their most frequent spelling."""
    grouped: dict[str, Counter[str]] = defaultdict(Counter)
    for value, count in counts.items():
        spelled = " ".join(value.split())
        grouped[spelled.casefold()][spelled] += count
    return {spellings.most_common(1)[0][0]: sum(spellings.values()) for spellings in grouped.values()}


def _durations(
    session: Session,
    later,
    month: Span,
    territory: str,
    *,
    replaced: set[int] | None = None,
    extra: list[float] | None = None,
) -> Durations:
    """Median and p90 (nearest rank) of ``later - created_at``, over the requests whose ``later`` is in
    the month, the ``replaced`` requests' durations being the ``extra`` ones (in days) computed elsewhere."""
    days = _days_between(session, later, HelpRequest.created_at).label("days")
    conditions = [_in(later, month), later >= HelpRequest.created_at, _scope(territory)]
    if replaced:
        rows = session.execute(select(HelpRequest.id, days).where(*conditions))
        values = sorted([float(d) for request_id, d in rows if request_id not in replaced] + (extra or []))
        if not values:
            return Durations()
        n = len(values)
        median = (values[(n + 1) // 2 - 1] + values[(n + 2) // 2 - 1]) / 2
        return Durations(n=n, median=round(median, 3), p90=round(values[(9 * n + 9) // 10 - 1], 3))
    ranked = (
        select(
            days,
            func.row_number().over(order_by=days).label("rn"),
            func.count().over().label("n"),
        )
        .where(*conditions)
        .subquery()
    )
    wanted = or_(
        ranked.c.rn == (ranked.c.n + 1) // 2,
        ranked.c.rn == (ranked.c.n + 2) // 2,
        ranked.c.rn == (9 * ranked.c.n + 9) // 10,
    )
    rows = session.execute(select(ranked.c.days, ranked.c.rn, ranked.c.n).where(wanted)).all()
    if not rows:
        return Durations()
    n = rows[0].n
    by_rank = {row.rn: float(row.days) for row in rows}
    median = (by_rank[(n + 1) // 2] + by_rank[(n + 2) // 2]) / 2
    return Durations(n=n, median=round(median, 3), p90=round(by_rank[(9 * n + 9) // 10], 3))


def _trend(session: Session, period: Period, territory: str, reopened: list[_History]) -> list[TrendPoint]:
    """Month by month: the 12 months ending with the period (its months when it is longer)."""
    count = max(TREND_MONTHS, period.length)
    months = [period.last.shift(i) for i in range(-(count - 1), 1)]
    first, last = months[0], months[-1]
    scope = _scope(territory)

    def per_month(column, *joins) -> dict[str, int]:
        bucket = _consecutive_bucket(column, months).label("bucket")
        stmt = select(bucket, func.count()).select_from(HelpRequest)
        for target, onclause in joins:
            stmt = stmt.join(target, onclause)
        stmt = stmt.where(column >= first.start, column < last.end, scope).group_by(bucket)
        return dict(session.execute(stmt).all())

    received = per_month(HelpRequest.created_at)
    unmet = per_month(UnmetNeed.created_at, (UnmetNeed, UnmetNeed.request_id == HelpRequest.id))
    # Open at the end of a month = created before its end - closed before its end (closing follows creation),
    # so one pass over the older requests and the monthly counts give every month's figure. That holds for
    # requests never reopened: the reopened ones are taken out of those counts (by their columns, as SQL
    # counted them) and counted from their closings, month by month.
    closed = per_month(HelpRequest.closed_at)
    before = session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((HelpRequest.closed_at < first.start, 1), else_=0)), 0)
        ).where(HelpRequest.created_at < first.start, scope)
    ).one()
    still_open = before[0] - before[1]
    still_open -= sum(
        1
        for h in reopened
        if h.created_at < first.start
        and not (h.closed_at_column is not None and h.closed_at_column < first.start)
    )
    points = []
    for m in months:
        plain_received = received.get(str(m), 0) - sum(1 for h in reopened if m.start <= h.created_at < m.end)
        plain_closed = closed.get(str(m), 0) - sum(
            1 for h in reopened if h.closed_at_column is not None and m.start <= h.closed_at_column < m.end
        )
        still_open += plain_received - plain_closed
        closed_extra = sum(1 for h in reopened if h.last_closing_in(m) is not None)
        open_extra = sum(1 for h in reopened if h.created_at < m.end and not h.closed_at(m.end))
        points.append(
            TrendPoint(
                str(m),
                received.get(str(m), 0),
                plain_closed + closed_extra,
                still_open + open_extra,
                unmet.get(str(m), 0),
            )
        )
    return points


def _unmet_needs(session: Session, period: Period, territory: str) -> dict[tuple[str, str], list[int]]:
    """Per (reason, theme): the period, the period before, the same period a year before (one query each:
    a long period and its year before may overlap)."""
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for index, p in enumerate(_comparisons(period)):
        stmt = (
            select(UnmetNeed.reason, UnmetNeed.theme_code, func.count())
            .join(HelpRequest, UnmetNeed.request_id == HelpRequest.id)
            .where(_in(UnmetNeed.created_at, p), _scope(territory))
            .group_by(UnmetNeed.reason, UnmetNeed.theme_code)
        )
        for reason, theme, count in session.execute(stmt):
            table[(reason, theme or "")][index] += count
    return dict(table)


def _period_point(session: Session, period: Period, territory: str, reopened: list[_History]) -> PeriodPoint:
    """Received, closed in, open at the end of, unmet needs of ``period``, with the trend's definitions:
    a reopened request is counted from its timeline (closed at its last closing in the period)."""
    scope = _scope(territory)
    received = session.scalar(select(func.count()).where(_in(HelpRequest.created_at, period), scope)) or 0
    closed = session.scalar(select(func.count()).where(_in(HelpRequest.closed_at, period), scope)) or 0
    closed -= sum(
        1
        for h in reopened
        if h.closed_at_column is not None and period.start <= h.closed_at_column < period.end
    )
    closed += sum(1 for h in reopened if h.last_closing_in(period) is not None)
    end = period.end
    open_at_end = (
        session.scalar(
            select(func.count()).where(
                HelpRequest.created_at < end,
                or_(HelpRequest.closed_at.is_(None), HelpRequest.closed_at >= end),
                scope,
            )
        )
        or 0
    )
    open_at_end -= sum(
        1
        for h in reopened
        if h.created_at < end and (h.closed_at_column is None or h.closed_at_column >= end)
    )
    open_at_end += sum(1 for h in reopened if h.created_at < end and not h.closed_at(end))
    unmet = (
        session.scalar(
            select(func.count())
            .select_from(UnmetNeed)
            .join(HelpRequest, UnmetNeed.request_id == HelpRequest.id)
            .where(_in(UnmetNeed.created_at, period), scope)
        )
        or 0
    )
    return PeriodPoint(str(period), received, closed, open_at_end, unmet)


def _leads(session: Session, month: Span, territory: str) -> dict[str, int]:
    stmt = (
        select(Lead.outcome, func.count())
        .join(HelpRequest, Lead.request_id == HelpRequest.id)
        .where(_in(Lead.created_at, month), _scope(territory))
        .group_by(Lead.outcome)
    )
    return dict(session.execute(stmt).all())


def _saturation(session: Session, month: Span, territory: str) -> list[SaturationRow]:
    """Organisations whose leads of the month ended on a waiting list or full, per theme of the request."""
    theme = func.coalesce(RequestTheme.theme_code, "").label("theme")
    stmt = (
        select(Organisation.id, Organisation.name_fr, Organisation.name_nl, theme, Lead.outcome, func.count())
        .select_from(Lead)
        .join(HelpRequest, Lead.request_id == HelpRequest.id)
        .join(Organisation, Lead.organisation_id == Organisation.id)
        .outerjoin(RequestTheme, RequestTheme.request_id == HelpRequest.id)
        .where(
            _in(Lead.created_at, month),
            _scope(territory),
            Lead.outcome.in_([LeadOutcome.WAITING_LIST.value, LeadOutcome.REFUSED.value]),
        )
        .group_by(Organisation.id, Organisation.name_fr, Organisation.name_nl, theme, Lead.outcome)
    )
    rows: dict[tuple, list[int]] = {}
    for org_id, name_fr, name_nl, theme_code, outcome, count in session.execute(stmt):
        counts = rows.setdefault((org_id, name_fr, name_nl, theme_code), [0, 0])
        counts[0 if outcome == LeadOutcome.WAITING_LIST.value else 1] += count
    result = [SaturationRow(k[0], k[1], k[2], k[3], v[0], v[1]) for k, v in rows.items()]
    result.sort(key=lambda r: (-r.total, r.name_fr or r.name_nl, r.theme))
    return result[:SATURATION_ROWS]


def _outcome_shares(
    session: Session, month: Span, territory: str
) -> tuple[list[OutcomeShare], list[OutcomeShare]]:
    """The period's leads by organisation and outcome (one grouped query), then by directory category: an
    organisation with several categories counts in each, one without a known category under ""."""
    stmt = (
        select(Lead.organisation_id, Lead.outcome, func.count())
        .join(HelpRequest, Lead.request_id == HelpRequest.id)
        .where(_in(Lead.created_at, month), _scope(territory))
        .group_by(Lead.organisation_id, Lead.outcome)
    )
    per_org: dict[int, list[int]] = {}
    for org_id, outcome, count in session.execute(stmt):
        counts = per_org.setdefault(org_id, [0, 0, 0, 0])
        counts[0] += count
        if outcome in SATURATED_OUTCOMES:
            counts[1 + SATURATED_OUTCOMES.index(outcome)] += count
    if not per_org:
        return [], []
    organisations = session.execute(
        select(Organisation.id, Organisation.name_fr, Organisation.name_nl, Organisation.categories).where(
            Organisation.id.in_(list(per_org))
        )
    ).all()
    by_org: list[OutcomeShare] = []
    per_category: dict[str, list[int]] = {}
    for org_id, name_fr, name_nl, categories in organisations:
        counts = per_org[org_id]
        by_org.append(
            OutcomeShare(str(org_id), name_fr, name_nl, counts[0], (counts[1], counts[2], counts[3]))
        )
        for code in category_codes(categories) or {"": {}}:
            into = per_category.setdefault(code, [0, 0, 0, 0])
            for i, n in enumerate(counts):
                into[i] += n
    by_category = [
        OutcomeShare(code, *CATEGORIES.get(code, ("", "")), c[0], (c[1], c[2], c[3]))
        for code, c in per_category.items()
    ]
    by_category.sort(key=lambda r: (r.code == "", -r.leads, r.code))
    by_org.sort(key=lambda r: (-sum(r.saturated), -r.leads, r.name_fr or r.name_nl, r.code))
    return by_category, by_org[:SATURATION_ROWS]


def _callbacks_overdue(session: Session, month: Span, territory: str) -> int:
    """Callbacks due before the end of the month and not done by then."""
    end = month.end
    stmt = (
        select(func.count())
        .select_from(Callback)
        .join(HelpRequest, Callback.request_id == HelpRequest.id)
        .where(
            Callback.due_at < end, or_(Callback.done_at.is_(None), Callback.done_at >= end), _scope(territory)
        )
    )
    return session.scalar(stmt) or 0


def _closed_with_feedback(session: Session, month: Span, territory: str, reopened: list[_History]) -> int:
    """Requests closed in the month with feedback given (a reopened one: at its last closing in the month)."""
    stmt = select(func.count()).where(
        _in(HelpRequest.closed_at, month), HelpRequest.feedback_given.is_(True), _scope(territory)
    )
    counted = sum(
        1
        for h in reopened
        if h.feedback_column
        and h.closed_at_column is not None
        and month.start <= h.closed_at_column < month.end
    )
    extra = sum(1 for h in reopened if (c := h.last_closing_in(month)) is not None and c.feedback_given)
    return (session.scalar(stmt) or 0) - counted + extra


def _transfers(session: Session, month: Span, territory: str) -> dict[tuple[str, str], int]:
    involved = (
        true()
        if territory == ALL
        else or_(Transfer.from_territory == territory, Transfer.to_territory == territory)
    )
    stmt = (
        select(Transfer.from_territory, Transfer.to_territory, func.count())
        .where(_in(Transfer.at, month), Transfer.kind == "transfer", involved)
        .group_by(Transfer.from_territory, Transfer.to_territory)
    )
    return {(src, dst): count for src, dst, count in session.execute(stmt)}


def monthly_figures(session: Session, month: Month | Period, territory: str = ALL) -> MonthlyFigures:
    """Every figure of the report of ``month`` (a month or any period of whole months) for ``territory``
    (a territory code or ``"all"``).

    Callers decide who may read which territory (``helpdesk.access.report_territories``).
    """
    month = month if isinstance(month, Period) else Period.of(month)
    figures = MonthlyFigures(month=month, territory=territory)
    reopened = _reopened_histories(session, territory)
    figures.trend = _trend(session, month, territory, reopened)
    figures.periods = [_period_point(session, p, territory, reopened) for p in _comparisons(month)]
    figures.by_channel = _grouped(session, HelpRequest.channel, month, territory)
    figures.by_received_territory = _grouped(session, HelpRequest.received_territory, month, territory)
    figures.by_residence_basin = _grouped(session, HelpRequest.residence_basin, month, territory)
    figures.by_function = _free_text_counts(_grouped(session, HelpRequest.caller_function, month, territory))
    figures.by_sector = _free_text_counts(_grouped(session, HelpRequest.caller_sector, month, territory))
    figures.by_age_band = _grouped(session, HelpRequest.age_band, month, territory)
    figures.by_situation_flag = _grouped_lists(session, HelpRequest.situation_flags, month, territory)
    figures.by_language = _grouped_lists(session, HelpRequest.languages, month, territory)
    theme_stmt = (
        select(RequestTheme.theme_code, func.count())
        .join(HelpRequest, RequestTheme.request_id == HelpRequest.id)
        .where(_in(HelpRequest.created_at, month), _scope(territory))
        .group_by(RequestTheme.theme_code)
    )
    figures.by_theme = dict(session.execute(theme_stmt).all())
    figures.leads_by_outcome = _leads(session, month, territory)
    figures.saturation = _saturation(session, month, territory)
    figures.saturation_by_category, figures.saturation_by_organisation = _outcome_shares(
        session, month, territory
    )
    figures.unmet_needs = _unmet_needs(session, month, territory)
    figures.time_to_first_answer = _durations(session, HelpRequest.first_answer_at, month, territory)
    closing_days = [
        (c.closed_at - h.created_at).total_seconds() / 86400
        for h in reopened
        if (c := h.last_closing_in(month)) is not None and c.closed_at >= h.created_at
    ]
    figures.time_to_close = _durations(
        session,
        HelpRequest.closed_at,
        month,
        territory,
        replaced={h.request_id for h in reopened},
        extra=closing_days,
    )
    figures.callbacks_overdue = _callbacks_overdue(session, month, territory)
    figures.closed_with_feedback = _closed_with_feedback(session, month, territory, reopened)
    figures.transfers = _transfers(session, month, territory)
    figures.unanswered_searches = unanswered_by_theme(
        session, month.start, month.end, None if territory == ALL else [territory]
    )
    return figures


__all__ = [
    "ALL",
    "Durations",
    "Month",
    "MonthlyFigures",
    "OutcomeShare",
    "Period",
    "PeriodOutOfRange",
    "PeriodPoint",
    "SaturationRow",
    "TrendPoint",
    "monthly_figures",
]
