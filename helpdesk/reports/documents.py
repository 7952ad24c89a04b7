"""One report, any format: what the page's downloads and the ``helpdesk report monthly`` command share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.reports import charts
from helpdesk.reports.cache import data_generation, report_cache
from helpdesk.reports.model import MonthlyReport
from helpdesk.reports.pdf import to_pdf
from helpdesk.reports.periods import Month, Period
from helpdesk.reports.render import to_csv, to_json, to_xlsx
from helpdesk.reports.report import build_report

FORMATS = ("html", "pdf", "xlsx", "csv", "json")
LANGUAGES = ("fr", "nl", "en")
MIMETYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}
STYLESHEETS = Path(__file__).resolve().parent.parent.parent / "static" / "css"


@dataclass(frozen=True)
class Document:
    content: bytes
    mimetype: str
    filename: str


def default_month(zone: ZoneInfo, now: datetime | None = None) -> Month:
    """The last complete month in ``zone``."""
    return Month.containing(now or utcnow(), zone).shift(-1)


def make_report(
    session: Session, month: Month | Period, territory: str, language: str, public: bool
) -> MonthlyReport:
    """The report of ``month`` for ``territory``, its figures (and its family's, in public mode) from the
    app's cache while the data they were counted from has not changed."""
    cache = report_cache()
    generation = data_generation(session)
    figures = cache.figures(session, month, territory, generation)
    family = cache.family(session, figures, generation) if public else None
    return build_report(session, figures, language, public, family)


def report_title(report: MonthlyReport) -> str:
    if report.period_kind == "month":
        return _(
            "Monthly activity report %(month)s, %(territory)s",
            month=report.period_label,
            territory=report.territory_label,
        )
    return _(
        "Activity report %(period)s, %(territory)s",
        period=report.period_label,
        territory=report.territory_label,
    )


def public_note(report: MonthlyReport) -> str:
    if report.public:
        return _(
            'Public version: counts from 0 to 4 read "<5"; a count marked "x" is hidden too, '
            "so that totals cannot reveal a small count. No free text."
        )
    return _("Internal version: contains exact small counts. Do not share outside the organisation.")


def report_charts(report: MonthlyReport) -> list[tuple[str, Markup]]:
    """(visible caption, SVG) per chart."""
    months = [point["month"] for point in report.trend]
    received, closed = _("Requests received"), _("Requests closed")
    result = [
        charts.grouped_columns(
            "chart-trend",
            _("Requests received and closed, 12 months"),
            _(
                "Columns per month: requests received and requests closed, from %(first)s to %(last)s.",
                first=months[0],
                last=months[-1],
            ),
            months,
            [
                (received, [p["received"] for p in report.trend]),
                (closed, [p["closed"] for p in report.trend]),
            ],
        ),
        charts.grouped_columns(
            "chart-unmet-trend",
            _("Unmet needs, 12 months"),
            _(
                "Columns per month: unmet needs recorded, from %(first)s to %(last)s.",
                first=months[0],
                last=months[-1],
            ),
            months,
            [(_("Unmet needs"), [p["unmet_needs"] for p in report.trend])],
        ),
    ]
    themes = [(row.labels[0], row.values[0]) for row in report.table("by_theme").rows]
    themes.sort(key=lambda item: -(item[1].number or 0))
    result.append(
        charts.horizontal_bars(
            "chart-themes",
            _("Requests by theme"),
            _("One bar per theme: requests received in the month."),
            [t for t in themes if t[1].number or t[1].hidden],
        )
    )
    reasons = [(row.labels[0], row.values[0]) for row in report.table("unmet_by_reason").rows]
    result.append(
        charts.horizontal_bars(
            "chart-unmet-reasons",
            _("Unmet needs by reason"),
            _("One bar per reason: unmet needs of the month."),
            reasons,
        )
    )
    captions = [
        _("Requests received and closed, 12 months"),
        _("Unmet needs, 12 months"),
        _("Requests by theme"),
        _("Unmet needs by reason"),
    ]
    return list(zip(captions, result, strict=True))


def render_html(report: MonthlyReport) -> str:
    """A self-contained HTML document (styles inline), to archive or print to PDF."""
    styles = "\n".join(
        (STYLESHEETS / name).read_text(encoding="utf-8") for name in ("app.css", "reports.css")
    )
    print_styles = "\n".join((STYLESHEETS / name).read_text(encoding="utf-8") for name in ("print.css",))
    return render_template(
        "reports/document.html",
        report=report,
        title=report_title(report),
        note=public_note(report),
        charts=report_charts(report),
        styles=Markup(styles),
        print_styles=Markup(print_styles),
    )


def render(
    session: Session, month: Month | Period, territory: str, fmt: str, language: str, public: bool
) -> Document:
    """The report in ``fmt`` and ``language``; needs an app context (a request context for HTML)."""
    report = make_report(session, month, territory, language, public)
    with force_locale(language):
        suffix = "-public" if public else ""
        name = report.month.replace("..", "_")
        filename = f"report-{name}-{territory}-{language}{suffix}.{fmt}"
        if fmt == "json":
            content = to_json(report).encode("utf-8")
        elif fmt == "csv":
            content = to_csv(report).encode("utf-8")
        elif fmt == "xlsx":
            content = to_xlsx(report, report_title(report), public_note(report))
        elif fmt == "html":
            content = render_html(report).encode("utf-8")
        elif fmt == "pdf":
            content = to_pdf(report, report_title(report), public_note(report), report_charts(report))
        else:
            raise ValueError(f"unknown format {fmt!r}")
    return Document(content, MIMETYPES[fmt], filename)
