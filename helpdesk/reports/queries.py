"""The figures of the monthly activity report: SQL aggregates that run the same on SQLite and PostgreSQL.

``monthly_figures`` computes every figure of one report (a month or any period of whole months, for one
territory or all) as codes and counts; the periods are in ``helpdesk.reports.periods``, which requests a
report counts in ``helpdesk.reports.scope``, reopened requests' closings in ``helpdesk.reports.reopened``,
saturation in ``helpdesk.reports.saturation``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, case, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session

from helpdesk.followup.models import Callback, HelpRequest, Lead, RequestTheme, Transfer, UnmetNeed
from helpdesk.orientation.unanswered import unanswered_by_theme
from helpdesk.reports.periods import Month, Period, Span, comparisons
from helpdesk.reports.reopened import ReopenedHistory, reopened_histories
from helpdesk.reports.saturation import OutcomeShare, SaturationRow, outcome_shares, saturation_rows
from helpdesk.reports.scope import ALL, days_between, in_scope, in_span

TREND_MONTHS = 12


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
        return comparisons(self.month)

    def unmet_total(self, period: int) -> int:
        return sum(counts[period] for counts in self.unmet_needs.values())


def _consecutive_bucket(column, months: list[Month]):
    """A CASE giving the month (``"2026-10"``) an instant falls in, among consecutive ``months``, when the
    query keeps only instants within them: one comparison per month passed."""
    return case(*[(column < m.end, literal(str(m))) for m in months[:-1]], else_=literal(str(months[-1])))


def _grouped(session: Session, column, month: Span, territory: str) -> dict[str, int]:
    stmt = (
        select(column, func.count())
        .where(in_span(HelpRequest.created_at, month), in_scope(territory))
        .group_by(column)
    )
    return {(value or ""): count for value, count in session.execute(stmt)}


def _grouped_lists(session: Session, column, month: Span, territory: str) -> dict[str, int]:
    """Counts of the elements of a JSON list column: SQL groups the distinct lists, Python splits them."""
    text = cast(column, String)
    stmt = (
        select(text, func.count())
        .where(in_span(HelpRequest.created_at, month), in_scope(territory))
        .group_by(text)
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
    days = days_between(session, later, HelpRequest.created_at).label("days")
    conditions = [in_span(later, month), later >= HelpRequest.created_at, in_scope(territory)]
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


def _trend(
    session: Session, period: Period, territory: str, reopened: list[ReopenedHistory]
) -> list[TrendPoint]:
    """Month by month: the 12 months ending with the period (its months when it is longer)."""
    count = max(TREND_MONTHS, period.length)
    months = [period.last.shift(i) for i in range(-(count - 1), 1)]
    first, last = months[0], months[-1]
    scope = in_scope(territory)

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
    for index, p in enumerate(comparisons(period)):
        stmt = (
            select(UnmetNeed.reason, UnmetNeed.theme_code, func.count())
            .join(HelpRequest, UnmetNeed.request_id == HelpRequest.id)
            .where(in_span(UnmetNeed.created_at, p), in_scope(territory))
            .group_by(UnmetNeed.reason, UnmetNeed.theme_code)
        )
        for reason, theme, count in session.execute(stmt):
            table[(reason, theme or "")][index] += count
    return dict(table)


def _period_point(
    session: Session, period: Period, territory: str, reopened: list[ReopenedHistory]
) -> PeriodPoint:
    """Received, closed in, open at the end of, unmet needs of ``period``, with the trend's definitions:
    a reopened request is counted from its timeline (closed at its last closing in the period)."""
    scope = in_scope(territory)
    received = session.scalar(select(func.count()).where(in_span(HelpRequest.created_at, period), scope)) or 0
    closed = session.scalar(select(func.count()).where(in_span(HelpRequest.closed_at, period), scope)) or 0
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
            .where(in_span(UnmetNeed.created_at, period), scope)
        )
        or 0
    )
    return PeriodPoint(str(period), received, closed, open_at_end, unmet)


def _leads(session: Session, month: Span, territory: str) -> dict[str, int]:
    stmt = (
        select(Lead.outcome, func.count())
        .join(HelpRequest, Lead.request_id == HelpRequest.id)
        .where(in_span(Lead.created_at, month), in_scope(territory))
        .group_by(Lead.outcome)
    )
    return dict(session.execute(stmt).all())


def _callbacks_overdue(session: Session, month: Span, territory: str) -> int:
    """Callbacks due before the end of the month and not done by then."""
    end = month.end
    stmt = (
        select(func.count())
        .select_from(Callback)
        .join(HelpRequest, Callback.request_id == HelpRequest.id)
        .where(
            Callback.due_at < end,
            or_(Callback.done_at.is_(None), Callback.done_at >= end),
            in_scope(territory),
        )
    )
    return session.scalar(stmt) or 0


def _closed_with_feedback(
    session: Session, month: Span, territory: str, reopened: list[ReopenedHistory]
) -> int:
    """Requests closed in the month with feedback given (a reopened one: at its last closing in the month)."""
    stmt = select(func.count()).where(
        in_span(HelpRequest.closed_at, month), HelpRequest.feedback_given.is_(True), in_scope(territory)
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
        .where(in_span(Transfer.at, month), Transfer.kind == "transfer", involved)
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
    reopened = reopened_histories(session, territory)
    figures.trend = _trend(session, month, territory, reopened)
    figures.periods = [_period_point(session, p, territory, reopened) for p in comparisons(month)]
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
        .where(in_span(HelpRequest.created_at, month), in_scope(territory))
        .group_by(RequestTheme.theme_code)
    )
    figures.by_theme = dict(session.execute(theme_stmt).all())
    figures.leads_by_outcome = _leads(session, month, territory)
    figures.saturation = saturation_rows(session, month, territory)
    figures.saturation_by_category, figures.saturation_by_organisation = outcome_shares(
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
