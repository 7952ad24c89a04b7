"""Charts drawn on the server as inline SVG: no script, no external resource, legible on paper.

Each chart has a <title> and a <desc> (referenced by aria-labelledby) and the page shows the same figures
as a table. Hidden counts (public mode) are drawn as no bar with their mark ("<5" or "x") instead.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from helpdesk.reports.model import Value

INK = "#1d2433"
SERIES = ("#0b5cad", "#9aa3b5", "#a4161a", "#1b6e3a")


def _id(prefix: str) -> str:
    return prefix.replace(".", "-").replace("_", "-")


def horizontal_bars(chart_id: str, title: str, description: str, items: list[tuple[str, Value]]) -> Markup:
    """One bar per item, label on the left, value at the end of the bar."""
    items = items[:16]
    row, label_width, bar_width = 22, 230, 330
    height = row * max(len(items), 1) + 10
    numbers = [v.number for _, v in items if not v.hidden and isinstance(v.number, (int, float))]
    top = max(numbers, default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {label_width + bar_width + 60} {height}" '
        f'aria-labelledby="{_id(chart_id)}-t {_id(chart_id)}-d">',
        f'<title id="{_id(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{_id(chart_id)}-d">{escape(description)}</desc>',
    ]
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(short)}</text>'
        )
        if value.hidden or not isinstance(value.number, (int, float)):
            width = 0
        else:
            width = round(bar_width * value.number / top, 1)
            parts.append(
                f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{row - 7}" fill="{SERIES[0]}"/>'
            )
        parts.append(
            f'<text x="{label_width + width + 4}" y="{y + 15}" font-size="12" '
            f'fill="{INK}">{escape(value.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_columns(
    chart_id: str, title: str, description: str, categories: list[str], series: list[tuple[str, list[Value]]]
) -> Markup:
    """Columns per category (months), one colour and pattern per series, with a legend."""
    left, bottom, plot_h, group_w = 44, 40, 180, 52
    width = left + group_w * len(categories) + 10
    height = plot_h + bottom + 30
    numbers = [
        v.number
        for _, values in series
        for v in values
        if not v.hidden and isinstance(v.number, (int, float))
    ]
    top = max(numbers, default=0) or 1
    bar_w = (group_w - 10) / max(len(series), 1)
    cid = _id(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{cid}-t {cid}-d">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<desc id="{cid}-d">{escape(description)}</desc>',
        f'<defs><pattern id="{cid}-hatch" width="4" height="4" patternUnits="userSpaceOnUse">'
        f'<rect width="4" height="4" fill="#fff"/>'
        f'<path d="M0 4L4 0" stroke="{SERIES[1]}" stroke-width="1.5"/>'
        f"</pattern></defs>",
        f'<line x1="{left}" y1="{30 + plot_h}" x2="{width - 5}" y2="{30 + plot_h}" stroke="{INK}"/>',
        f'<text x="{left - 4}" y="{34}" text-anchor="end" font-size="10" fill="{INK}">{top}</text>',
        f'<text x="{left - 4}" y="{30 + plot_h}" text-anchor="end" font-size="10" fill="{INK}">0</text>',
    ]
    for s, (name, _values) in enumerate(series):
        x = left + s * 130
        fill = f"url(#{cid}-hatch)" if s == 1 else SERIES[s % len(SERIES)]
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{fill}" stroke="{INK}" '
            f'stroke-width=".5"/>'
            f'<text x="{x + 16}" y="16" font-size="11" fill="{INK}">{escape(name)}</text>'
        )
    for c, category in enumerate(categories):
        gx = left + c * group_w + 5
        for s, (_name, values) in enumerate(series):
            value = values[c]
            x = gx + s * bar_w
            if value.hidden or not isinstance(value.number, (int, float)):
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{26 + plot_h}" text-anchor="middle" '
                    f'font-size="8" fill="{INK}">{escape(value.text)}</text>'
                )
                continue
            h = round(plot_h * value.number / top, 1)
            fill = f"url(#{cid}-hatch)" if s == 1 else SERIES[s % len(SERIES)]
            parts.append(
                f'<rect x="{x:.1f}" y="{30 + plot_h - h}" width="{bar_w - 1:.1f}" height="{h}" '
                f'fill="{fill}" stroke="{INK}" stroke-width=".3"><title>{escape(category)} · '
                f"{escape(_name)}: {escape(value.text)}</title></rect>"
            )
        parts.append(
            f'<text x="{gx + group_w / 2 - 5}" y="{30 + plot_h + 14}" text-anchor="middle" '
            f'font-size="10" fill="{INK}">{escape(category[2:])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
