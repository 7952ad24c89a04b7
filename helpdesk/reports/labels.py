"""How the report names things: its codes, by the vocabularies' labels (the same as on the request pages), in
the report's language, with the report's own words for what is not recorded and for grouped small answers;
its tables (title, sheet name, definition), its periods and what is counted where."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from babel.dates import format_date
from flask_babel import lazy_gettext as _l

from helpdesk.i18n import language_label
from helpdesk.vocabularies import Language, Territory, Vocabulary

if TYPE_CHECKING:
    from helpdesk.reports.periods import Period

NOT_RECORDED = _l("Not recorded")
OTHER_GROUPED = _l("Other answers (grouped)")
OTHER = "__other__"


def territory_label(code: str) -> str:
    return code_label(code, Territory)


def code_label(code: str, labels: type[Vocabulary] | Mapping[str, object] | None = None) -> str:
    """The label of a code (from its vocabulary, or a mapping such as the themes'), else the code made
    readable (free text recorded before a list existed); an empty code is "not recorded"."""
    if code == OTHER:
        return str(OTHER_GROUPED)
    if not code:
        return str(NOT_RECORDED)
    if isinstance(labels, type) and issubclass(labels, Vocabulary):
        if labels.has(code):
            return labels.label_of(code)
    elif labels and code in labels:
        return str(labels[code])
    return code.replace("_", " ")


def spoken_language_label(code: str, locale: str) -> str:
    """A language a request records: the vocabulary's label, else the language's name in ``locale``."""
    if Language.has(code):
        return Language.label_of(code)
    return code_label(code) if code in ("", OTHER) else language_label(code, locale)


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


def comparison_columns(period: Period) -> list[str]:
    if period.kind == "month":
        return [str(_l("This month")), str(_l("Month before")), str(_l("Same month a year before"))]
    return [str(_l("This period")), str(_l("Period before")), str(_l("Same period a year before"))]
