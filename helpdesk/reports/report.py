"""The report as tables in one language, with small counts suppressed in public mode.

``build_report`` turns ``MonthlyFigures`` (codes and counts) into a ``MonthlyReport``
(``helpdesk.reports.model``) that every renderer (HTML, XLSX, CSV, JSON) reads, so the figures are the same
in every format and every language. Every figure is counted first (``helpdesk.reports.counting``), public
mode decides what to hide over the family of public reports (``helpdesk.reports.family``), then each table
reads its figures (``helpdesk.reports.tables``, ``helpdesk.reports.saturation``).
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.followup.models import Theme
from helpdesk.followup.themes import SECTOR_THEMES
from helpdesk.reports import labels as L
from helpdesk.reports import tables
from helpdesk.reports.builder import Builder
from helpdesk.reports.counting import count_all
from helpdesk.reports.family import apply_family, family_suppression
from helpdesk.reports.labels import ATTRIBUTION, DEFINITIONS, period_label
from helpdesk.reports.model import MonthlyReport
from helpdesk.reports.queries import MonthlyFigures
from helpdesk.reports.saturation import outcome_share_tables, saturation_table


def theme_labels(session: Session, locale: str) -> dict[str, str]:
    labels = {code: {"fr": fr, "nl": nl}.get(locale, en) for code, en, fr, nl in SECTOR_THEMES}
    for theme in session.scalars(select(Theme)):
        labels[theme.code] = theme.label(locale)
    return labels


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
            family = family_suppression(session, figures)
        return _build(figures, locale, public, themes, family)


def _build(
    f: MonthlyFigures, locale: str, public: bool, themes: dict[str, str], family: dict | None = None
) -> MonthlyReport:
    """Every figure is counted first (in a fixed order, with the lines that add up), public mode decides
    what to hide over all of them at once, then each table reads its figures."""
    b = Builder(f, locale, public, themes)
    current = str(f.month)
    dims, leads, unanswered, unmet, transfer_pairs = count_all(b)
    if public and family is not None:
        apply_family(b, family)
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
        headline=tables.headline(b, current),
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
    report.tables.append(tables.requests_table(b))
    report.tables += tables.dimension_tables(b, dims)
    report.tables.append(tables.leads_table(b, leads))
    report.tables.append(saturation_table(b))
    report.tables += outcome_share_tables(b)
    report.tables.append(tables.unanswered_table(b, unanswered))
    report.tables += tables.unmet_needs_tables(b, unmet)
    report.tables.append(tables.service_table(b))
    report.tables.append(tables.transfers_table(b, transfer_pairs))
    trend_table, report.trend = tables.trend_table(b)
    report.tables.append(trend_table)
    for table in report.tables:
        table.definition = str(DEFINITIONS[table.key])
    return report
