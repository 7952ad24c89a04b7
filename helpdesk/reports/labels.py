"""Labels of the report's codes, translated lazily (rendered in the report's language)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.followup.labels import LEAD_OUTCOME_LABELS
from helpdesk.i18n import TERRITORY_LABELS, language_label  # noqa: F401 (the report's labels, in one place)

NOT_RECORDED = _l("Not recorded")
OTHER_GROUPED = _l("Other answers (grouped)")
OTHER = "__other__"

CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "walk_in": _l("Walk-in"),
    "video": _l("Video call"),
    "other": _l("Other channel"),
}

OUTCOME_LABELS = LEAD_OUTCOME_LABELS  # the outcomes as operators record them

REASON_LABELS = {
    "no_service": _l("No service exists"),
    "waiting_list": _l("Waiting list"),
    "eligibility": _l("Not eligible"),
    "language": _l("Language barrier"),
    "cost": _l("Cost"),
    "distance": _l("Distance"),
    "administrative": _l("Administrative barrier"),
    "other": _l("Other reason"),
}

# Fallbacks when the themes table does not know a code (the table's own labels come first).
THEME_LABELS = {
    "mental_health": _l("Mental health"),
    "addiction": _l("Addiction"),
    "housing": _l("Housing"),
    "food": _l("Food aid"),
    "after_prison": _l("After prison"),
    "perinatal": _l("Perinatal care"),
    "end_of_life": _l("End of life"),
    "home_care": _l("Home care"),
    "financial_access": _l("Financial access to care"),
    "disability": _l("Disability"),
    "transport": _l("Transport"),
    "rights": _l("Social rights"),
    "migration": _l("Migration"),
    "older_people": _l("Older people"),
    "youth": _l("Youth"),
    "violence": _l("Violence"),
}


def territory_label(code: str) -> str:
    if not code:
        return str(NOT_RECORDED)
    return str(TERRITORY_LABELS.get(code, code))


def code_label(code: str, labels: dict | None = None) -> str:
    """The label of a code, else the code made readable; an empty code is "not recorded"."""
    if code == OTHER:
        return str(OTHER_GROUPED)
    if not code:
        return str(NOT_RECORDED)
    if labels and code in labels:
        return str(labels[code])
    return code.replace("_", " ")
