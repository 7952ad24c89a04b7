"""The activity report: one page to pick a month (or a quarter, a year, a range of months) and a territory, see the figures, download them.

Who may read which territory's report is ``helpdesk.access.report_territories``: others get 403 (the page is
not secret), a territory outside one's reach 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import access
from helpdesk.db import get_session
from helpdesk.i18n import current_language, local_zone
from helpdesk.reports.documents import (
    FORMATS,
    LANGUAGES,
    default_month,
    make_report,
    public_note,
    render,
    report_charts,
    report_title,
)
from helpdesk.reports.labels import territory_label
from helpdesk.reports.periods import (
    FIRST_MONTH,
    LAST_MONTH,
    MAX_PERIOD_MONTHS,
    Month,
    MonthOutOfRange,
    Period,
)
from helpdesk.reports.scope import ALL
from helpdesk.reports.territories import (
    SIDE_FORMATS,
    side_by_side,
    side_document,
    side_page_chart,
    side_title,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _territory_choices(allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(code, _("All territories") if code == ALL else territory_label(code)) for code in allowed]


def _month(text: str, zone) -> tuple[Month | Period, str | None]:
    """The ``month`` parameter (the monthly report's): the month and no error, or last month and why."""
    try:
        return (Month.parse(text, zone) if text else default_month(zone)), None
    except MonthOutOfRange:
        return default_month(zone), _(
            "There is no report for %(value)s: choose a month from %(first)s to %(last)s.",
            value=text,
            first="%04d-%02d" % FIRST_MONTH,
            last="%04d-%02d" % LAST_MONTH,
        )
    except ValueError:
        return default_month(zone), _(
            "“%(value)s” is not a month: use the form YYYY-MM, e.g. 2026-10.", value=text
        )


def period_error(text: str, error: ValueError) -> str:
    """Why ``text`` is no period, translated (the page's 400 and the command's usage error)."""
    if isinstance(error, MonthOutOfRange):
        return _(
            "There is no report for %(value)s: choose whole months from %(first)s to %(last)s, "
            "at most %(count)s months, the first before the last.",
            value=text,
            first="%04d-%02d" % FIRST_MONTH,
            last="%04d-%02d" % LAST_MONTH,
            count=MAX_PERIOD_MONTHS,
        )
    return _(
        "“%(value)s” is not a period: use a month (2026-10), a quarter (2026-Q3), a year (2026) "
        "or a range of months (2026-01..2026-06).",
        value=text,
    )


def _period(text: str, zone) -> tuple[Month | Period, str | None]:
    """The ``period`` parameter: a month, quarter, year or range of months; else last month and why."""
    try:
        return Period.parse(text, zone), None
    except ValueError as error:
        return default_month(zone), period_error(text, error)


def _download(document) -> Response:
    return Response(
        document.content,
        mimetype=document.mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/")
@login_required
def monthly():
    allowed = access.report_territories(current_user)
    if not allowed:
        abort(403)
    month_text = request.args.get("month", "").strip()
    period_text = request.args.get("period", "").strip()
    zone = local_zone()
    if period_text:
        month, error = _period(period_text, zone)
    else:
        month, error = _month(month_text, zone)
    default_territory = ALL if ALL in allowed else current_user.territory
    territory = request.args.get("territory", default_territory)
    if territory not in allowed:
        abort(404)
    public = request.args.get("public") in ("1", "on", "true")
    fmt = request.args.get("format", "")
    language = request.args.get("language", "")
    if language not in LANGUAGES:
        language = current_language()
    if fmt and error is None:
        if fmt not in FORMATS:
            abort(404)
        document = render(get_session(), month, territory, fmt, language, public)
        return _download(document)
    report = make_report(get_session(), month, territory, current_language(), public)
    return render_template(
        "reports/monthly.html",
        report=report,
        title=report_title(report),
        note=public_note(report),
        charts=report_charts(report),
        error=error,
        period_value=period_text if (error or period_text) else report.month,
        territories=_territory_choices(allowed),
        formats=FORMATS,
        side_by_side=ALL in allowed,
    ), (400 if error else 200)


@bp.route("/territories")
@login_required
def territories():
    """The territories side by side (regional coordinators: those who may read every territory's report)."""
    allowed = access.report_territories(current_user)
    if not allowed:
        abort(403)
    if ALL not in allowed:
        abort(404)
    zone = local_zone()
    period_text = request.args.get("period", "").strip()
    month, error = _period(period_text, zone) if period_text else (default_month(zone), None)
    public = request.args.get("public") in ("1", "on", "true")
    fmt = request.args.get("format", "")
    language = request.args.get("language", "")
    if language not in LANGUAGES:
        language = current_language()
    if fmt and error is None:
        if fmt not in SIDE_FORMATS:
            abort(404)
        document = side_document(get_session(), month, fmt, language, public)
        return _download(document)
    view = side_by_side(get_session(), month, current_language(), public)
    return render_template(
        "reports/territories.html",
        view=view,
        title=side_title(view),
        chart=side_page_chart(view),
        error=error,
        formats=SIDE_FORMATS,
        period_value=period_text or view.period,
    ), (400 if error else 200)
