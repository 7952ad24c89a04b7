"""The report as JSON, CSV (one tidy table) and XLSX (one sheet per table); HTML is a template.

Every renderer reads the same ``MonthlyReport``: the figures match across formats and languages.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from helpdesk.csv_safety import FORMULA_START, neutralise
from helpdesk.reports.labels import SHEET_NAMES
from helpdesk.reports.model import MonthlyReport, Table, Value

# The JSON name of each table's label codes.
CODE_NAMES = {
    "by_channel": ("channel",),
    "by_received_territory": ("territory",),
    "by_residence_basin": ("basin",),
    "by_function": ("function",),
    "by_sector": ("sector",),
    "by_theme": ("theme",),
    "by_age_band": ("age_band",),
    "by_situation_flag": ("flag",),
    "by_language": ("language",),
    "leads": ("outcome",),
    "saturation": ("organisation_id", "theme"),
    "saturation_by_category": ("category",),
    "saturation_by_organisation": ("organisation_id",),
    "unmet_needs": ("reason", "theme"),
    "unmet_by_reason": ("reason",),
    "unmet_by_theme": ("theme",),
    "transfers": ("from", "to"),
}


def _rows_as_dicts(table: Table) -> list[dict[str, Any]]:
    names = CODE_NAMES[table.key]
    result = []
    for row in table.rows:
        if row.codes[0] == "total":
            continue
        item: dict[str, Any] = dict(zip(names, row.codes, strict=True))
        if table.key in ("saturation", "saturation_by_organisation"):
            item["organisation_id"] = int(row.codes[0])
            item["organisation"] = row.labels[0]
        else:
            item["label"] = row.labels[0] if len(names) == 1 else " / ".join(row.labels)
        for code, value in zip(table.value_codes, row.values, strict=True):
            item[code] = value.public
        result.append(item)
    return result


def _service(report: MonthlyReport) -> dict[str, Value]:
    return {row.codes[0]: row.values[0] for row in report.table("service").rows}


def _unanswered(report: MonthlyReport) -> dict[str, Any]:
    """Lead searches of request pages that found nothing, by theme code ("" without a theme); in public mode
    hidden counts read as the report's marks ("<5", "x"), as in the table."""
    rows = [row for row in report.table("unanswered_searches").rows if row.codes[0] != "total"]
    return {row.codes[0]: row.values[0].public for row in sorted(rows, key=lambda row: row.codes[0])}


def to_json(report: MonthlyReport) -> str:
    service = _service(report)
    head = report.headline
    data: dict[str, Any] = {
        "month": report.month,
        "period": {"start": report.period_start, "end": report.period_end},
        "period_label": report.period_label,
        "territory": report.territory,
        "language": report.language,
        "public": report.public,
        "requests": {key: head[key].public for key in ("received", "closed", "open_at_end")},
    }
    present = {table.key for table in report.tables}
    for key in CODE_NAMES:
        if key in present:  # the table by organisation is in the internal version only
            data[key] = _rows_as_dicts(report.table(key))
    data["leads_proposed"] = head["leads_proposed"].public
    data["feedback_rate"] = service["feedback_rate"].public
    data["closed_with_feedback"] = service["closed_with_feedback"].public
    data["time_to_first_answer_days"] = {
        "median": service["time_to_first_answer_median"].public,
        "p90": service["time_to_first_answer_p90"].public,
        "requests": service["first_answered"].public,
    }
    data["time_to_close_days"] = {
        "median": service["time_to_close_median"].public,
        "p90": service["time_to_close_p90"].public,
    }
    data["callbacks_overdue"] = service["callbacks_overdue"].public
    unmet = report.table("unmet_needs")
    totals = zip(unmet.value_codes, unmet.rows[-1].values, strict=True)
    data["unmet_needs_total"] = {code: value.public for code, value in totals}
    data["transfers_total"] = report.table("transfers").rows[-1].values[0].public
    data["unanswered_searches"] = _unanswered(report)
    requests = report.table("requests")
    data["comparisons"] = {
        name: {
            **report.comparisons[i],
            **{row.codes[0]: row.values[i + 1].public for row in requests.rows},
        }
        for i, name in enumerate(("previous", "year_before"))
    }
    data["definitions"] = {table.key: table.definition for table in report.tables}
    data["attribution"] = [{"term": term, "definition": text} for term, text in report.definitions]
    data["trend"] = [
        {key: (v if key == "month" else v.public) for key, v in point.items()} for point in report.trend
    ]
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv(report: MonthlyReport) -> str:
    """One tidy table: dimension, value, count, and the value's label in the report's language."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["dimension", "value", "count", "label"])
    for table in report.tables:
        for row in table.rows:
            for code, value in zip(table.value_codes, row.values, strict=True):
                dimension = table.key if code == "count" else f"{table.key}.{code}"
                label = " / ".join(part for part in row.labels if part)
                writer.writerow([dimension, neutralise("|".join(row.codes)), value.public, neutralise(label)])
    return out.getvalue()


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
NUMBER_FORMATS = {"count": "#,##0", "days": "0.0", "ratio": "0.0%"}


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _text_cell(cell, text: str) -> None:
    cell.value = text
    cell.data_type = "s"  # never a formula, whatever the text starts with
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def to_xlsx(report: MonthlyReport, title: str, note: str) -> bytes:
    """One sheet per table, header row frozen, numbers formatted; hidden counts read "<5" or "x"."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EEF1F6")
    for table in report.tables:
        sheet = workbook.create_sheet(_sheet_title(str(SHEET_NAMES.get(table.key, table.title)), taken))
        for col, header in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=col)
            _text_cell(cell, header)
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(table.rows, start=2):
            for col, label in enumerate(row.labels, start=1):
                _text_cell(sheet.cell(row=r, column=col), label)
            for col, value in enumerate(row.values, start=table.label_columns + 1):
                cell = sheet.cell(row=r, column=col)
                if value.hidden or value.number is None:
                    _text_cell(cell, value.text)
                    cell.alignment = Alignment(horizontal="right")
                else:
                    cell.value = value.number
                    cell.number_format = NUMBER_FORMATS[value.kind]
                if row.codes[0] == "total":
                    cell.font = bold
        for col in range(1, len(table.columns) + 1):
            letter = sheet.cell(row=1, column=col).column_letter
            sheet.column_dimensions[letter].width = 42 if col <= table.label_columns else 16
        sheet.freeze_panes = "A2"
    about = workbook.create_sheet(_sheet_title(report.month.replace("..", "-"), taken), 0)
    _text_cell(about.cell(row=1, column=1), title)
    about.cell(row=1, column=1).font = Font(bold=True, size=14)
    _text_cell(about.cell(row=2, column=1), note)
    line = 4
    for table in report.tables:
        _text_cell(about.cell(row=line, column=1), table.title)
        about.cell(row=line, column=1).font = bold
        _text_cell(about.cell(row=line + 1, column=1), table.definition)
        line += 2
    for term, text in report.definitions:
        _text_cell(about.cell(row=line, column=1), term)
        about.cell(row=line, column=1).font = bold
        _text_cell(about.cell(row=line + 1, column=1), text)
        line += 2
    about.column_dimensions["A"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
