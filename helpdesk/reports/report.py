"""The monthly report as tables in one language, with small counts suppressed in public mode.

``build_report`` turns ``MonthlyFigures`` (codes and counts) into a ``MonthlyReport`` that every renderer
(HTML, XLSX, CSV, JSON) reads, so the figures are the same in every format and every language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import.models import name_in
from directory_import.territory import BASINS, OUTSIDE, TERRITORIES
from helpdesk.followup.models import Theme
from helpdesk.followup.themes import SECTOR_THEMES
from helpdesk.reports import labels as L
from helpdesk.reports.queries import MonthlyFigures, Period, monthly_figures
from helpdesk.reports.suppression import PRIMARY, SECONDARY, THRESHOLD, Line, suppress
from helpdesk.vocabularies import AgeBand, Channel, LeadOutcome, Sector, SituationFlag, UnmetReason

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


# Tables that split the month's received requests: each sums to "received".
RECEIVED_DIMENSIONS = (
    "by_channel",
    "by_received_territory",
    "by_residence_basin",
    "by_function",
    "by_sector",
    "by_age_band",
)
FREE_TEXT_DIMENSIONS = ("by_function", "by_sector")

TITLES = {
    "requests": _l("Requests"),
    "by_channel": _l("Requests by channel"),
    "by_received_territory": _l("Requests by receiving territory"),
    "by_residence_basin": _l("Requests by basin of residence"),
    "by_function": _l("Requests by the asking professional's function"),
    "by_sector": _l("Requests by the asking professional's sector"),
    "by_theme": _l("Requests by theme"),
    "by_age_band": _l("Beneficiaries by age band"),
    "by_situation_flag": _l("Beneficiaries by situation"),
    "by_language": _l("Beneficiaries by language"),
    "leads": _l("Leads proposed and their outcomes"),
    "saturation": _l("Organisations met with a waiting list or full"),
    "saturation_by_category": _l("Saturation by directory category"),
    "saturation_by_organisation": _l("Saturation by organisation"),
    "unanswered_searches": _l("Searches that found nothing, by theme"),
    "unmet_needs": _l("Unmet needs by reason and theme"),
    "unmet_by_reason": _l("Unmet needs by reason"),
    "unmet_by_theme": _l("Unmet needs by theme"),
    "service": _l("Service"),
    "transfers": _l("Transfers between territories"),
    "trend": _l("12-month trend"),
}

# Short sheet names for XLSX (at most 31 characters, unique in every language).
SHEET_NAMES = {
    "requests": _l("Requests"),
    "by_channel": _l("By channel"),
    "by_received_territory": _l("By receiving territory"),
    "by_residence_basin": _l("By basin of residence"),
    "by_function": _l("By function"),
    "by_sector": _l("By sector"),
    "by_theme": _l("By theme"),
    "by_age_band": _l("By age band"),
    "by_situation_flag": _l("By situation"),
    "by_language": _l("By language"),
    "leads": _l("Leads"),
    "saturation": _l("Waiting lists and full"),
    "saturation_by_category": _l("Saturation by category"),
    "saturation_by_organisation": _l("Saturation by organisation"),
    "unanswered_searches": _l("Searches without result"),
    "unmet_needs": _l("Unmet needs"),
    "unmet_by_reason": _l("Unmet needs by reason"),
    "unmet_by_theme": _l("Unmet needs by theme"),
    "service": _l("Service"),
    "transfers": _l("Transfers"),
    "trend": _l("Trend"),
}

# One sentence per table: what it counts, and where (printed under the table's title).
DEFINITIONS = {
    "requests": _l(
        "Requests received in the period, closed in the period (a reopened request at its last closing in "
        "the period) and still open at its end, beside the period before and the same period a year before."
    ),
    "by_channel": _l("Requests received in the period, by the channel they came in through."),
    "by_received_territory": _l("Requests received in the period, by the helpdesk that received them."),
    "by_residence_basin": _l("Requests received in the period, by the beneficiary's basin of residence."),
    "by_function": _l("Requests received in the period, by the function of the professional who asked."),
    "by_sector": _l("Requests received in the period, by the sector of the professional who asked."),
    "by_theme": _l("Requests received in the period, by theme (a request may have several themes)."),
    "by_age_band": _l("Requests received in the period, by the beneficiary's age band."),
    "by_situation_flag": _l(
        "Requests received in the period, by the beneficiary's situation (a request may have several)."
    ),
    "by_language": _l("Requests received in the period, by the beneficiary's languages (possibly several)."),
    "leads": _l("Leads proposed in the period, by their outcome as recorded."),
    "saturation": _l(
        "Organisations whose leads of the period ended on a waiting list or refused or full, by theme."
    ),
    "saturation_by_category": _l(
        "Leads proposed in the period, by the directory category of the organisation proposed (an "
        "organisation with several categories counts in each), and how many of them ended on a waiting "
        "list, refused or full, or unreachable, as recorded; the share is those three outcomes over all the "
        "category's leads."
    ),
    "saturation_by_organisation": _l(
        "The same counts per organisation, for the organisations whose leads of the period most often "
        "ended on a waiting list, refused or full, or unreachable (internal version only)."
    ),
    "unanswered_searches": _l(
        "Searches for an organisation on a request's page that found nothing, counted once per request, "
        "theme of the request and day, by theme; the text searched is never kept."
    ),
    "unmet_needs": _l("Unmet needs recorded in the period, by reason and theme, with the same comparisons."),
    "unmet_by_reason": _l("Unmet needs recorded in the period, by reason."),
    "unmet_by_theme": _l("Unmet needs recorded in the period, by theme."),
    "service": _l(
        "Durations in days from the request's creation, over the requests first answered or closed in the "
        "period; feedback: closed requests whose professional was told the outcome."
    ),
    "transfers": _l("Requests transferred in the period from one territory to another."),
    "trend": _l("Month by month, the same counts as the headline, over the months ending with the period."),
}

# Printed in the report: what is counted where.
ATTRIBUTION = (
    (
        _l("Territory of a report"),
        _l(
            "A territory's report counts the requests that territory holds now (after any transfer); "
            "the table by receiving territory shows where they were received."
        ),
    ),
    (
        _l("Transfers"),
        _l("A transfer counts in the reports of both territories: out of one, into the other."),
    ),
    (
        _l("Periods"),
        _l(
            "Whole calendar months in the helpdesk's time zone; a quarter, a year or a range of months uses "
            "the monthly report's definitions over all its months."
        ),
    ),
)


def period_label(period: Period, locale: str) -> str:
    """The period in words in ``locale``: "octobre 2026", "T3 2026", "2026", "janvier – juin 2026"."""
    kind = period.kind

    def month_words(day) -> str:
        return format_date(day, "LLLL y", locale=locale)

    if kind == "month":
        return month_words(period.first_day)
    if kind == "quarter":
        return str(_l("Q%(quarter)s %(year)s", quarter=(period.first.month + 2) // 3, year=period.first.year))
    if kind == "year":
        return str(period.first.year)
    return f"{month_words(period.first_day)} – {month_words(period.last.first_day)}"


def _comparison_columns(period: Period) -> list[str]:
    if period.kind == "month":
        return [str(_l("This month")), str(_l("Month before")), str(_l("Same month a year before"))]
    return [str(_l("This period")), str(_l("Period before")), str(_l("Same period a year before"))]


def theme_labels(session: Session, locale: str) -> dict[str, str]:
    labels = {code: {"fr": fr, "nl": nl}.get(locale, en) for code, en, fr, nl in SECTOR_THEMES}
    for theme in session.scalars(select(Theme)):
        labels[theme.code] = theme.label(locale)
    return labels


def _fixed(counts: dict[str, int], codes: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Every code of a closed list (zeros included, so public mode treats them alike), then the others."""
    result = {code: counts.get(code, 0) for code in codes}
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        result.setdefault(code, count)
    return result


def _open(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _group_small(counts: dict[str, int]) -> dict[str, int]:
    """Public mode: free-text answers met fewer than 5 times are not printed, only counted together."""
    kept = {code: count for code, count in counts.items() if count >= THRESHOLD}
    other = sum(count for count in counts.values() if count < THRESHOLD)
    if other:
        kept[L.OTHER] = other
    return kept


class _Builder:
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

    def apply_family(self, family: dict) -> None:
        """Hide what the family's suppression hides (every count of this report is one of its variables)."""
        territory, period = self.f.territory, str(self.f.month)
        for key, kind in self.kinds.items():
            if kind == "count" and (state := family.get(family_variable(territory, period, key))):
                self.hidden[key] = state
        self._hide_measures()

    def run_suppression(self) -> None:
        if not self.public:
            return
        counts = {k: v for k, v in self.values.items() if self.kinds[k] == "count"}
        self.hidden = suppress(counts, self.lines)
        self._hide_measures()

    def _hide_measures(self) -> None:
        # A measure over fewer than 5 requests, or whose parts are hidden, is hidden with them.
        for key, depends in self.measure_depends.items():
            states = [self.hidden.get(d) for d in depends]
            if any(states):
                self.hidden[key] = PRIMARY if PRIMARY in states else SECONDARY


def build_report(
    session: Session,
    figures: MonthlyFigures,
    locale: str = "en",
    public: bool = False,
    family: dict | None = None,
) -> MonthlyReport:
    """The report of ``figures`` in ``locale`` (fr, nl or en); ``public`` hides small counts and free text,
    as decided over the whole family of public reports of the period (``family_suppression``; pass it when
    building several reports of one family)."""
    with force_locale(locale):
        themes = theme_labels(session, locale)
        if public and family is None:
            family = family_suppression(session, figures, locale, themes)
        return _build(figures, locale, public, themes, family)


# -- public figures safe across reports -----------------------------------------------------------------
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
    session: Session, figures: MonthlyFigures, locale: str, themes: dict[str, str]
) -> dict:
    """What every public report of the period's family hides: ``{family_variable: state}``.

    The family is the five basins, the region and all territories, for ``family_periods``. Every count of
    every report is one variable; each report's own sums, "all territories" as the sum of the six and a
    quarter as the sum of its months are lines; ``suppress`` decides over all of them at once, always in
    the same order, so a report computed alone hides exactly what it hides when read beside the others."""
    values: dict = {}
    lines: list[Line] = []
    for period in family_periods(figures.month):
        for territory in FAMILY_TERRITORIES:
            if period == figures.month and territory == figures.territory:
                f = figures
            else:
                f = monthly_figures(session, period, territory)
            b = _Builder(f, locale, True, themes)
            _count_all(b)
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


def _count_all(b: _Builder) -> tuple:
    current = str(b.f.month)
    # Trend and headline share their keys: the month's "received" is one figure wherever it appears.
    _count_trend(b)
    _count_periods(b)
    dims = _count_dimensions(b, ("received", current))
    leads = _count_leads(b)
    _count_saturation(b)
    _count_outcome_shares(b)
    unanswered = _count_unanswered(b)
    unmet = _count_unmet_needs(b)
    transfer_pairs = _count_transfers(b)
    _count_service(b, ("closed", current))
    return dims, leads, unanswered, unmet, transfer_pairs


def _build(
    f: MonthlyFigures, locale: str, public: bool, themes: dict[str, str], family: dict | None = None
) -> MonthlyReport:
    """Every figure is counted first (in a fixed order, with the lines that add up), public mode decides
    what to hide over all of them at once, then each table reads its figures."""
    b = _Builder(f, locale, public, themes)
    current = str(f.month)
    dims, leads, unanswered, unmet, transfer_pairs = _count_all(b)
    if public and family is not None:
        b.apply_family(family)
    else:
        b.run_suppression()

    report = MonthlyReport(
        month=current,
        territory=f.territory,
        territory_label=(
            str(_l("All territories")) if f.territory == "all" else L.territory_label(f.territory)
        ),
        language=locale,
        public=public,
        figures=f,
        suppression=(b.values, b.lines, b.hidden),
        headline=_headline(b, current),
        period_label=period_label(f.month, locale),
        period_kind=f.month.kind,
        period_start=f.month.first_day.isoformat(),
        period_end=f.month.last_day.isoformat(),
        comparisons=[
            {
                "period": str(p),
                "label": period_label(p, locale),
                "start": p.first_day.isoformat(),
                "end": p.last_day.isoformat(),
            }
            for p in (f.month.previous, f.month.year_before)
        ],
        definitions=[(str(term), str(text)) for term, text in ATTRIBUTION],
    )
    report.tables.append(_requests_table(b))
    report.tables += _dimension_tables(b, dims)
    report.tables.append(_leads_table(b, leads))
    report.tables.append(_saturation_table(b))
    report.tables += _outcome_share_tables(b)
    report.tables.append(_unanswered_table(b, unanswered))
    report.tables += _unmet_needs_tables(b, unmet)
    report.tables.append(_service_table(b))
    report.tables.append(_transfers_table(b, transfer_pairs))
    trend_table, report.trend = _trend(b)
    report.tables.append(trend_table)
    for table in report.tables:
        table.definition = str(DEFINITIONS[table.key])
    return report


@dataclass(frozen=True)
class _UnmetLayout:
    """The cross table of unmet needs: its periods, its (reason, theme) cells and its margins' codes."""

    periods: list[str]
    pairs: list[tuple[str, str]]
    reasons: list[str]
    themes: list[str]


# -- counting: every figure and every line that must add up, before public mode decides ------------------
def _count_trend(b: _Builder) -> None:
    for point in b.f.trend:
        b.count(("received", point.month), point.received)
        b.count(("closed", point.month), point.closed)
        b.count(("open_at_end", point.month), point.open_at_end)
        b.count(("unmet_total", point.month), point.unmet_needs)


def _count_periods(b: _Builder) -> None:
    """The period, the period before and a year before; a single month's are the trend's own figures."""
    for point in b.f.periods:
        for name, number in (
            ("received", point.received),
            ("closed", point.closed),
            ("open_at_end", point.open_at_end),
            ("unmet_total", point.unmet_needs),
        ):
            if (name, point.period) not in b.values:
                b.count((name, point.period), number)


def _count_dimensions(b: _Builder, received: tuple[str, str]) -> dict[str, dict[str, int]]:
    """The one-column tables, by code; those that split the month's requests add up to ``received``."""
    f = b.f
    dims: dict[str, dict[str, int]] = {
        "by_channel": _fixed(f.by_channel, [c.value for c in Channel]),
        "by_received_territory": _fixed(f.by_received_territory, list(TERRITORIES)),
        "by_residence_basin": _fixed(f.by_residence_basin, list(BASINS) + [OUTSIDE, ""]),
        "by_function": _open(f.by_function),
        "by_sector": _open(f.by_sector),
        "by_age_band": _open(f.by_age_band),
        "by_theme": _fixed(f.by_theme, [code for code, *_labels in SECTOR_THEMES]),
        "by_situation_flag": _open(f.by_situation_flag),
        "by_language": _open(f.by_language),
    }
    if b.public:
        for dim in FREE_TEXT_DIMENSIONS:
            dims[dim] = _group_small(dims[dim])
    for dim, counts in dims.items():
        keys = [b.count((dim, code), count) for code, count in counts.items()]
        if dim in RECEIVED_DIMENSIONS:
            b.line(received, keys)
    return dims


def _count_leads(b: _Builder) -> dict[str, int]:
    leads = _fixed(b.f.leads_by_outcome, [o.value for o in LeadOutcome])
    lead_keys = [b.count(("leads", outcome), n) for outcome, n in leads.items()]
    b.line(b.count(("leads_total",), b.f.leads_proposed), lead_keys)
    return leads


def _count_saturation(b: _Builder) -> None:
    for row in b.f.saturation:
        b.count(("saturation", row.organisation_id, row.theme, "waiting_list"), row.waiting_list)
        b.count(("saturation", row.organisation_id, row.theme, "refused"), row.refused)


SHARE_CODES = ("leads", "waiting_list", "refused", "unreachable")


def _share_rows(b: _Builder) -> list[tuple[str, list]]:
    """The category rows, then (internal version only) the organisation rows, with their key prefix."""
    rows: list[tuple[str, list]] = [("saturation_by_category", b.f.saturation_by_category)]
    if not b.public:
        rows.append(("saturation_by_organisation", b.f.saturation_by_organisation))
    return rows


def _count_outcome_shares(b: _Builder) -> None:
    """Leads and the saturated outcomes of each category (and organisation); the share is hidden with any
    count it rests on. Categories overlap (an organisation may have several), so they add up to no total."""
    for prefix, shares in _share_rows(b):
        for r in shares:
            keys = [
                b.count((prefix, r.code, code), n)
                for code, n in zip(SHARE_CODES, (r.leads, *r.saturated), strict=True)
            ]
            b.measure((prefix, r.code, "share"), r.share, "ratio")
            b.measure_depends[(prefix, r.code, "share")] = keys


def _count_unanswered(b: _Builder) -> list[str]:
    """Searches that found nothing, by theme, adding up to their total (a request with several themes is
    counted once per theme, so the total counts searches by theme)."""
    counts = _open(b.f.unanswered_searches)
    keys = [b.count(("unanswered", theme), n) for theme, n in counts.items()]
    b.line(b.count(("unanswered_total",), sum(counts.values())), keys)
    return list(counts)


def _count_unmet_needs(b: _Builder) -> _UnmetLayout:
    f = b.f
    periods = [str(p) for p in f.unmet_periods]
    pairs = sorted(f.unmet_needs, key=lambda k: (-f.unmet_needs[k][0], k))
    reasons = [r.value for r in UnmetReason] + sorted({r for r, _ in pairs} - {r.value for r in UnmetReason})
    unmet_themes = sorted({t for _, t in pairs}, key=lambda t: (t == "", t))
    for i, period in enumerate(periods):
        total = ("unmet_total", period)
        if total not in b.values:
            b.count(total, f.unmet_total(i))
        cells = {pair: b.count(("unmet", period, *pair), f.unmet_needs[pair][i]) for pair in pairs}
        for name, side, codes in (("unmet_reason", 0, reasons), ("unmet_theme", 1, unmet_themes)):
            # A margin of the cross table: each of its cells is the sum of one row (or column) of it.
            margin = []
            for code in codes:
                members = [p for p in pairs if p[side] == code]
                key = b.count((name, period, code), sum(f.unmet_needs[p][i] for p in members))
                margin.append(key)
                b.line(key, [cells[p] for p in members])
            b.line(total, margin)
    return _UnmetLayout(periods, pairs, reasons, unmet_themes)


def _count_transfers(b: _Builder) -> list[tuple[str, str]]:
    f = b.f
    transfer_pairs = [(a, c) for a in TERRITORIES for c in TERRITORIES if a != c]
    transfer_pairs += sorted(set(f.transfers) - set(transfer_pairs))
    transfer_keys = [b.count(("transfer", a, c), f.transfers.get((a, c), 0)) for a, c in transfer_pairs]
    b.line(b.count(("transfers_total",), sum(f.transfers.values())), transfer_keys)
    return transfer_pairs


def _count_service(b: _Builder, closed: tuple[str, str]) -> None:
    """Callbacks, feedback and durations; a rate or a duration is hidden with the counts it rests on."""
    f = b.f
    b.count(("callbacks_overdue",), f.callbacks_overdue)
    given = b.count(("feedback_given",), f.closed_with_feedback)
    not_given = b.count(("feedback_not_given",), f.closed - f.closed_with_feedback)
    b.line(closed, [given, not_given])
    b.measure(("feedback_rate",), f.feedback_rate, "ratio")
    b.measure_depends[("feedback_rate",)] = [given, not_given]
    for name, durations in (("first_answer", f.time_to_first_answer), ("close", f.time_to_close)):
        n_key = b.count((name, "n"), durations.n)
        b.measure((name, "median"), durations.median, "days")
        b.measure((name, "p90"), durations.p90, "days")
        b.measure_depends[(name, "median")] = [n_key]
        b.measure_depends[(name, "p90")] = [n_key]


# -- tables: each reads the figures counted above, once public mode has decided --------------------------
def _headline(b: _Builder, current: str) -> dict[str, Value]:
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


def _requests_table(b: _Builder) -> Table:
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
        [str(_l("Figure"))] + _comparison_columns(period),
        1,
        rows,
        PERIOD_CODES,
    )


def _dimension_tables(b: _Builder, dims: dict[str, dict[str, int]]) -> list[Table]:
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


def _leads_table(b: _Builder, leads: dict[str, int]) -> Table:
    rows = [Row((o,), (L.code_label(o, LeadOutcome),), [b.value(("leads", o))]) for o in leads]
    rows.append(Row(("total",), (str(_l("Total")),), [b.value(("leads_total",))]))
    return Table("leads", str(TITLES["leads"]), [str(_l("Outcome")), str(_l("Leads"))], 1, rows)


def _saturation_table(b: _Builder) -> Table:
    themes = b.themes
    return Table(
        "saturation",
        str(TITLES["saturation"]),
        [
            str(_l("Organisation")),
            str(_l("Theme")),
            str(LeadOutcome.WAITING_LIST.label),
            str(LeadOutcome.REFUSED.label),
        ],
        2,
        [
            Row(
                (str(r.organisation_id), r.theme),
                (name_in(b.locale, (r.name_fr, r.name_nl)), L.code_label(r.theme, themes)),
                [
                    b.value(("saturation", r.organisation_id, r.theme, "waiting_list")),
                    b.value(("saturation", r.organisation_id, r.theme, "refused")),
                ],
            )
            for r in b.f.saturation
        ],
        ("waiting_list", "refused"),
    )


def _outcome_share_tables(b: _Builder) -> list[Table]:
    outcome_columns = [
        str(_l("Leads")),
        str(LeadOutcome.WAITING_LIST.label),
        str(LeadOutcome.REFUSED.label),
        str(LeadOutcome.UNREACHABLE.label),
        str(_l("Share ended so")),
    ]
    tables = []
    for prefix, shares in _share_rows(b):
        if prefix == "saturation_by_category":
            header = str(_l("Directory category"))

            def label(r):
                return name_in(b.locale, (r.name_fr, r.name_nl)) if r.code else str(_l("No known category"))
        else:
            header = str(_l("Organisation"))

            def label(r):
                return name_in(b.locale, (r.name_fr, r.name_nl))

        rows = [
            Row((r.code,), (label(r),), [b.value((prefix, r.code, code)) for code in (*SHARE_CODES, "share")])
            for r in shares
        ]
        tables.append(
            Table(prefix, str(TITLES[prefix]), [header] + outcome_columns, 1, rows, (*SHARE_CODES, "share"))
        )
    return tables


def _unanswered_table(b: _Builder, themes: list[str]) -> Table:
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


def _theme_or_none(b: _Builder, theme: str) -> str:
    return L.code_label(theme, b.themes) if theme else str(_l("Without a theme"))


def _unmet_needs_tables(b: _Builder, unmet: _UnmetLayout) -> list[Table]:
    """The cross table of reasons and themes, then its two margins."""
    themes, periods = b.themes, unmet.periods
    period_cols = _comparison_columns(b.f.month)
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


def _service_table(b: _Builder) -> Table:
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


def _transfers_table(b: _Builder, transfer_pairs: list[tuple[str, str]]) -> Table:
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


def _trend(b: _Builder) -> tuple[Table, list[dict[str, Any]]]:
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
