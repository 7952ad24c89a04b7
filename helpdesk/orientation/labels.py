"""The words of the suggestions: short chips for the reasons, sentences for the warnings, names of the
score's parts; in the reader's language (call them inside a request)."""

from __future__ import annotations

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory_import.territory import COMMUNES
from directory_import.vocabulary import CATEGORIES
from helpdesk.db import get_session
from helpdesk.followup.themes import theme_labels
from helpdesk.i18n import language_label
from helpdesk.orientation.matching import public_label
from helpdesk.orientation.profiles import OrganisationProfile
from helpdesk.orientation.suggestions import Caution, Reason, Suggestion
from helpdesk.vocabularies.territories import TERRITORY_LABELS

PART_LABELS = {
    "theme": _l("Themes of the request"),
    "situation": _l("The person's situation"),
    "question": _l("Words of the question"),
    "public": _l("Public it serves"),
    "age": _l("Age band"),
    "language": _l("Languages"),
    "place": _l("Distance or basin"),
    "serves": _l("Area it serves"),
    "experience": _l("Leads accepted before"),
    "history": _l("Outcomes of the last 90 days"),
    "closure": _l("Temporary closure"),
}
NOTE_CHARS = 140


def reason_label(reason: Reason, organisation: OrganisationProfile, locale: str) -> str:
    """A reason as a chip: "parle arabe", "public : personnes sans abri", "2,1 km", "Bassin Sud"."""
    code, value = reason.code, reason.value
    if code == "category":
        labels = organisation.categories.get(value) or {}
        fr, nl = CATEGORIES.get(value, (value, value))
        return (labels.get("nl") or nl) if locale == "nl" else (labels.get("fr") or fr)
    if code == "theme":
        return _("theme: %(theme)s", theme=theme_labels(get_session(), locale).get(value, value))
    if code == "language":
        return _("speaks %(language)s", language=language_label(value, locale))
    if code == "interpreting":
        return _("interpreting available")
    if code == "public":
        return _("public: %(public)s", public=public_label(value, locale))
    if code == "distance":
        km = format_decimal(float(value), format="0.0")
        return _("%(km)s km", km=km) if reason.exact else _("about %(km)s km", km=km)
    if code == "basin":
        return str(TERRITORY_LABELS.get(value, value))
    if code == "neighbour_basin":
        return _("neighbouring basin: %(basin)s", basin=TERRITORY_LABELS.get(value, value))
    if code == "serves_commune":
        commune = COMMUNES.get(value)
        return _("serves %(commune)s", commune=commune.name(locale) if commune else value)
    if code == "whole_region":
        return _("serves the whole region")
    if code == "question":
        return _("matches the question")
    if code == "experience":
        count = int(value or 0)
        return ngettext(
            "accepted %(num)d time for this theme", "accepted %(num)d times for this theme", count
        )
    return code


def warning_label(caution: Caution) -> str:
    """A warning as a short sentence: "liste d'attente 3 fois sur 4", "injoignable 2 fois"."""
    code = caution.code
    if code == "waiting_list":
        return ngettext(
            "waiting list %(num)d time out of %(total)d",
            "waiting list %(num)d times out of %(total)d",
            caution.count,
            total=caution.total,
        )
    if code == "refused":
        return ngettext(
            "refused or full %(num)d time out of %(total)d",
            "refused or full %(num)d times out of %(total)d",
            caution.count,
            total=caution.total,
        )
    if code == "unreachable":
        return ngettext("unreachable %(num)d time", "unreachable %(num)d times", caution.count)
    if code == "temporarily_closed":
        return _("temporarily closed, its record says")
    if code == "no_common_language":
        return _("no language in common, no interpreting mentioned")
    if code == "note":
        text = caution.text if len(caution.text) <= NOTE_CHARS else caution.text[: NOTE_CHARS - 1] + "…"
        when = format_date(caution.at, "short") if caution.at else ""
        return _("note of %(date)s: %(text)s", date=when, text=text)
    return code


def suggestion_json(suggestion: Suggestion, locale: str) -> dict:
    """A suggestion as the API gives it (and the page reads it)."""
    org = suggestion.organisation
    return {
        "organisation": {
            "id": org.id,
            "source_id": org.source_id,
            "name_fr": org.name_fr,
            "name_nl": org.name_nl,
            "postcode": org.postcode,
            "basin": org.basin,
        },
        "score": suggestion.score,
        "parts": dict(suggestion.parts.items()),
        "reasons": [
            {"code": r.code, "value": r.value, "label": reason_label(r, org, locale)}
            for r in suggestion.reasons
        ],
        "warnings": [{"code": w.code, "label": warning_label(w)} for w in suggestion.warnings],
    }
