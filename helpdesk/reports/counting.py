"""Counting: every figure of a report and every line that must add up, before public mode decides.

The same counting serves one report (``helpdesk.reports.report``) and the family of public reports of a
period (``helpdesk.reports.family``), so a figure has one key wherever it is printed.
"""

from __future__ import annotations

from dataclasses import dataclass

from directory_import.territory import BASINS, OUTSIDE, TERRITORIES
from helpdesk.followup.themes import SECTOR_THEMES
from helpdesk.reports import labels as L
from helpdesk.reports.builder import Builder
from helpdesk.reports.saturation import count_outcome_shares, count_saturation
from helpdesk.reports.suppression import THRESHOLD
from helpdesk.vocabularies import Channel, LeadOutcome, UnmetReason

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


@dataclass(frozen=True)
class UnmetLayout:
    """The cross table of unmet needs: its periods, its (reason, theme) cells and its margins' codes."""

    periods: list[str]
    pairs: list[tuple[str, str]]
    reasons: list[str]
    themes: list[str]


def count_all(b: Builder) -> tuple:
    """Every figure of the report in a fixed order; returns what the tables need to lay them out."""
    current = str(b.f.month)
    # Trend and headline share their keys: the month's "received" is one figure wherever it appears.
    _count_trend(b)
    _count_periods(b)
    dims = _count_dimensions(b, ("received", current))
    leads = _count_leads(b)
    count_saturation(b)
    count_outcome_shares(b)
    unanswered = _count_unanswered(b)
    unmet = _count_unmet_needs(b)
    transfer_pairs = _count_transfers(b)
    _count_service(b, ("closed", current))
    return dims, leads, unanswered, unmet, transfer_pairs


def _count_trend(b: Builder) -> None:
    for point in b.f.trend:
        b.count(("received", point.month), point.received)
        b.count(("closed", point.month), point.closed)
        b.count(("open_at_end", point.month), point.open_at_end)
        b.count(("unmet_total", point.month), point.unmet_needs)


def _count_periods(b: Builder) -> None:
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


def _count_dimensions(b: Builder, received: tuple[str, str]) -> dict[str, dict[str, int]]:
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


def _count_leads(b: Builder) -> dict[str, int]:
    leads = _fixed(b.f.leads_by_outcome, [o.value for o in LeadOutcome])
    lead_keys = [b.count(("leads", outcome), n) for outcome, n in leads.items()]
    b.line(b.count(("leads_total",), b.f.leads_proposed), lead_keys)
    return leads


def _count_unanswered(b: Builder) -> list[str]:
    """Searches that found nothing, by theme, adding up to their total (a request with several themes is
    counted once per theme, so the total counts searches by theme)."""
    counts = _open(b.f.unanswered_searches)
    keys = [b.count(("unanswered", theme), n) for theme, n in counts.items()]
    b.line(b.count(("unanswered_total",), sum(counts.values())), keys)
    return list(counts)


def _count_unmet_needs(b: Builder) -> UnmetLayout:
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
    return UnmetLayout(periods, pairs, reasons, unmet_themes)


def _count_transfers(b: Builder) -> list[tuple[str, str]]:
    f = b.f
    transfer_pairs = [(a, c) for a in TERRITORIES for c in TERRITORIES if a != c]
    transfer_pairs += sorted(set(f.transfers) - set(transfer_pairs))
    transfer_keys = [b.count(("transfer", a, c), f.transfers.get((a, c), 0)) for a, c in transfer_pairs]
    b.line(b.count(("transfers_total",), sum(f.transfers.values())), transfer_keys)
    return transfer_pairs


def _count_service(b: Builder, closed: tuple[str, str]) -> None:
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
