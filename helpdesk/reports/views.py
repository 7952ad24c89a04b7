"""The monthly activity report: one page to pick a month and a territory, see the figures, download them.

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
from helpdesk.reports.queries import ALL, FIRST_MONTH, LAST_MONTH, Month, MonthOutOfRange

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _territory_choices(allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(code, _("All territories") if code == ALL else territory_label(code)) for code in allowed]


@bp.route("/")
@login_required
def monthly():
    allowed = access.report_territories(current_user)
    if not allowed:
        abort(403)
    error = None
    month_text = request.args.get("month", "").strip()
    zone = local_zone()
    try:
        month = Month.parse(month_text, zone) if month_text else default_month(zone)
    except MonthOutOfRange:
        error = _(
            "There is no report for %(value)s: choose a month from %(first)s to %(last)s.",
            value=month_text,
            first="%04d-%02d" % FIRST_MONTH,
            last="%04d-%02d" % LAST_MONTH,
        )
        month = default_month(zone)
    except ValueError:
        error = _("“%(value)s” is not a month: use the form YYYY-MM, e.g. 2026-10.", value=month_text)
        month = default_month(zone)
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
        return Response(
            document.content,
            mimetype=document.mimetype,
            headers={
                "Content-Disposition": f'attachment; filename="{document.filename}"',
                "Cache-Control": "no-store",
            },
        )
    report = make_report(get_session(), month, territory, current_language(), public)
    return render_template(
        "reports/monthly.html",
        report=report,
        title=report_title(report),
        note=public_note(report),
        charts=report_charts(report),
        error=error,
        month_value=str(month),
        territories=_territory_choices(allowed),
        formats=FORMATS,
    ), (400 if error else 200)
