"""Territories side by side, for regional coordinators: the five basins, the regional level and all, for the
key indicators of one period, as a table (and one chart of requests received), in every format.

Each column is read from that territory's own report (``make_report``), so every figure is the one its report
prints, with the same definitions and, in public mode, the same suppression.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from directory_import.territory import TERRITORIES
from helpdesk.csv_safety import neutralise
from helpdesk.reports import charts
from helpdesk.reports.cache import data_generation, report_cache
from helpdesk.reports.documents import MIMETYPES, STYLESHEETS, Document
from helpdesk.reports.model import HIDDEN_SMALL, MonthlyReport, Value
from helpdesk.reports.periods import Month, Period
from helpdesk.reports.report import build_report
from helpdesk.reports.scope import ALL
from helpdesk.reports.suppression import THRESHOLD

COLUMNS = TERRITORIES + (ALL,)
SIDE_FORMATS = ("html", "xlsx", "csv", "json")
DEFINITION = _l(
    "Each column is that territory's own report for the period (the requests it holds, transfers out of it "
    "and into it); the column “All territories” is the report of all of them."
)


@dataclass
class SideRow:
    code: str  # e.g. "received", "by_channel.phone", "transfers_out"
    label: str
    values: list[Value]


@dataclass
class SideBySide:
    period: str
    period_label: str
    period_start: str
    period_end: str
    language: str
    public: bool
    territories: list[tuple[str, str]]  # (code, label)
    rows: list[SideRow] = field(default_factory=list)
    definition: str = ""


def _transfer_value(report: MonthlyReport, direction: str) -> Value:
    """Transfers out of (or into) the report's territory; for all territories, every transfer."""
    f = report.figures
    assert f is not None
    if f.territory == ALL:
        number = sum(f.transfers.values())
    else:
        side = 0 if direction == "out" else 1
        number = sum(n for pair, n in f.transfers.items() if pair[side] == f.territory)
    if report.public and 0 < number < THRESHOLD:
        return Value(number, HIDDEN_SMALL, "primary")
    return Value(number, str(number))


def _part(group, item: str) -> str:
    """ "Channel: Phone", spaced as the language wants ("Canal : Téléphone")."""
    return _("%(group)s: %(item)s", group=str(group), item=item)


def _received_here(everything: MonthlyReport, code: str) -> Value:
    """Requests received by the helpdesk of ``code`` (wherever they are held now), from the report of all
    territories (so, in public mode, with its suppression); for all territories, every request."""
    if code == ALL:
        return everything.headline["received"]
    rows = {row.codes[0]: row.values[0] for row in everything.table("by_received_territory").rows}
    return rows.get(code) or Value(0, "0")


def _rows_of(report: MonthlyReport, everything: MonthlyReport) -> list[tuple[str, str, Value]]:
    head = report.headline
    service = {row.codes[0]: row.values[0] for row in report.table("service").rows}
    rows = [
        (
            "received_here",
            str(_l("Requests received by this helpdesk")),
            _received_here(everything, report.territory),
        ),
        ("received", str(_l("Requests of the period held now")), head["received"]),
    ]
    for row in report.table("by_channel").rows:
        rows.append((f"by_channel.{row.codes[0]}", _part(_l("Channel"), row.labels[0]), row.values[0]))
    rows += [
        (
            "time_to_first_answer_median",
            str(_l("Time to first answer, median (days)")),
            service["time_to_first_answer_median"],
        ),
        ("time_to_close_median", str(_l("Time to closing, median (days)")), service["time_to_close_median"]),
        ("feedback_rate", str(_l("Share of closed requests with feedback")), service["feedback_rate"]),
        ("unmet_needs", str(_l("Unmet needs")), head["unmet_needs"]),
    ]
    for row in report.table("unmet_by_reason").rows:
        rows.append(
            (f"unmet_by_reason.{row.codes[0]}", _part(_l("Unmet needs"), row.labels[0]), row.values[0])
        )
    rows += [
        ("transfers_out", str(_l("Transfers out")), _transfer_value(report, "out")),
        ("transfers_in", str(_l("Transfers in")), _transfer_value(report, "in")),
    ]
    for row in report.table("leads").rows:
        if row.codes[0] != "total":
            rows.append((f"leads.{row.codes[0]}", _part(_l("Leads"), row.labels[0]), row.values[0]))
    rows.append(("leads_proposed", str(_l("Leads proposed")), head["leads_proposed"]))
    return rows


def side_by_side(session: Session, period: Month | Period, language: str, public: bool) -> SideBySide:
    """The key indicators of ``period`` for every territory and all, in ``language``."""
    cache, generation = report_cache(), data_generation(session)
    figures = [cache.figures(session, period, code, generation) for code in COLUMNS]
    # one family for all the columns: decided once
    family = cache.family(session, figures[0], generation) if public else None
    reports = [build_report(session, f, language, public, family) for f in figures]
    first = reports[0]
    with force_locale(language):
        result = SideBySide(
            period=first.month,
            period_label=first.period_label,
            period_start=first.period_start,
            period_end=first.period_end,
            language=language,
            public=public,
            territories=[(r.territory, r.territory_label) for r in reports],
            definition=str(DEFINITION),
        )
        columns = [_rows_of(r, reports[-1]) for r in reports]
        for i, (code, label, _value) in enumerate(columns[0]):
            result.rows.append(SideRow(code, label, [column[i][2] for column in columns]))
    return result


def side_chart(view: SideBySide, title: str, description: str) -> Markup:
    """Requests received by each helpdesk: the basins beside the regional line, at a glance."""
    received = next(row for row in view.rows if row.code == "received_here")
    items = [(label, value) for (_code, label), value in zip(view.territories, received.values, strict=True)]
    return charts.horizontal_bars("chart-territories", title, description, items)


def to_json(view: SideBySide) -> str:
    data = {
        "month": view.period,
        "period": {"start": view.period_start, "end": view.period_end},
        "period_label": view.period_label,
        "language": view.language,
        "public": view.public,
        "territories": [code for code, _label in view.territories],
        "definition": view.definition,
        "indicators": [
            {
                "indicator": row.code,
                "label": row.label,
                **{
                    code: value.public
                    for (code, _name), value in zip(view.territories, row.values, strict=True)
                },
            }
            for row in view.rows
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv(view: SideBySide) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["indicator", "label"] + [code for code, _label in view.territories])
    for row in view.rows:
        writer.writerow([row.code, neutralise(row.label)] + [value.public for value in row.values])
    return out.getvalue()


def to_xlsx(view: SideBySide, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = view.period.replace("..", "-")[:31]
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=view.definition)
    header = [str(_l("Indicator"))] + [label for _code, label in view.territories]
    for col, text in enumerate(header, start=1):
        sheet.cell(row=4, column=col, value=text).font = Font(bold=True)
    for r, row in enumerate(view.rows, start=5):
        cell = sheet.cell(row=r, column=1, value=row.label)
        cell.data_type = "s"
        for col, value in enumerate(row.values, start=2):
            if value.hidden or value.number is None:
                sheet.cell(row=r, column=col, value=value.text)
            else:
                target = sheet.cell(row=r, column=col, value=value.number)
                target.number_format = {"ratio": "0.0%", "days": "0.0"}.get(value.kind, "#,##0")
    sheet.column_dimensions["A"].width = 48
    sheet.freeze_panes = "B5"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def side_title(view: SideBySide) -> str:
    return _("Territories side by side, %(period)s", period=view.period_label)


def side_page_chart(view: SideBySide) -> Markup:
    return side_chart(
        view,
        _("Requests received by territory"),
        _("One bar per territory: requests its helpdesk received in the period."),
    )


def side_document(
    session: Session, period: Month | Period, fmt: str, language: str, public: bool
) -> Document:
    """The view in ``fmt`` and ``language``; needs a request context (HTML is a template)."""
    view = side_by_side(session, period, language, public)
    with force_locale(language):
        title = side_title(view)
        html = ""
        if fmt == "html":
            styles = "\n".join(
                (STYLESHEETS / name).read_text(encoding="utf-8") for name in ("app.css", "reports.css")
            )
            html = render_template(
                "reports/territories_document.html",
                view=view,
                title=title,
                chart=side_page_chart(view),
                styles=Markup(styles),
            )
        return render_side(view, fmt, title, html)


def render_side(view: SideBySide, fmt: str, title: str, html: str = "") -> Document:
    suffix = "-public" if view.public else ""
    name = view.period.replace("..", "_")
    filename = f"territories-{name}-{view.language}{suffix}.{fmt}"
    if fmt == "json":
        content = to_json(view).encode("utf-8")
    elif fmt == "csv":
        content = to_csv(view).encode("utf-8")
    elif fmt == "xlsx":
        content = to_xlsx(view, title)
    elif fmt == "html":
        content = html.encode("utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return Document(content, MIMETYPES[fmt], filename)


__all__ = ["SIDE_FORMATS", "SideBySide", "side_by_side", "side_document", "side_page_chart", "side_title"]
