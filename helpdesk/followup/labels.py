"""Translated labels of the codes a request uses (channels, statuses, outcomes, reasons...), one place."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "walk_in": _l("Walk-in"),
    "video": _l("Video call"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "waiting": _l("Waiting"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}
URGENCY_LABELS = {"normal": _l("Normal"), "low": _l("Low"), "high": _l("High"), "urgent": _l("Urgent")}
LEAD_OUTCOME_LABELS = {
    "proposed": _l("Proposed"),
    "contacted": _l("Contacted"),
    "accepted": _l("Accepted"),
    "waiting_list": _l("Waiting list"),
    "refused": _l("Refused or full"),
    "unreachable": _l("Unreachable"),
}
UNMET_REASON_LABELS = {
    "no_service": _l("No such service"),
    "waiting_list": _l("Waiting list or full"),
    "eligibility": _l("Eligibility criteria"),
    "language": _l("Language"),
    "cost": _l("Cost"),
    "distance": _l("Distance or transport"),
    "administrative": _l("Administrative status"),
    "other": _l("Other"),
}
AGE_BAND_LABELS = {
    "0-11": _l("0 to 11 years"),
    "12-17": _l("12 to 17 years"),
    "18-24": _l("18 to 24 years"),
    "25-44": _l("25 to 44 years"),
    "45-64": _l("45 to 64 years"),
    "65-79": _l("65 to 79 years"),
    "80+": _l("80 years or more"),
}
GENDER_LABELS = {"woman": _l("Woman"), "man": _l("Man"), "other": _l("Other gender")}
LANGUAGE_LABELS = {
    "fr": _l("French"),
    "nl": _l("Dutch"),
    "en": _l("English"),
    "ar": _l("Arabic"),
    "tr": _l("Turkish"),
    "es": _l("Spanish"),
    "pt": _l("Portuguese"),
    "ro": _l("Romanian"),
    "pl": _l("Polish"),
    "ru": _l("Russian"),
    "other": _l("Another language"),
}
SITUATION_FLAG_LABELS = {
    "no_fixed_address": _l("No fixed address"),
    "no_health_insurance": _l("No health insurance"),
    "no_legal_residence": _l("No legal residence"),
    "isolated": _l("Socially isolated"),
    "disability": _l("Disability"),
    "language_barrier": _l("Language barrier"),
    "children": _l("Children in care"),
    "income_support": _l("Living on income support"),
}
SECTOR_LABELS = {
    "cpas": _l("Public social welfare centre"),
    "general_practice": _l("General practice"),
    "hospital": _l("Hospital"),
    "mental_health": _l("Mental health service"),
    "social_service": _l("Social service or association"),
    "home_care": _l("Home care"),
    "justice": _l("Justice or police"),
    "school": _l("School or youth service"),
    "other": _l("Other"),
}
EVENT_LABELS = {
    "created": _l("Request recorded"),
    "updated": _l("Request updated"),
    "lead_added": _l("Lead added"),
    "lead_updated": _l("Lead updated"),
    "unmet_need_added": _l("Unmet need recorded"),
    "callback_added": _l("Callback planned"),
    "callback_done": _l("Callback done"),
    "callback_moved": _l("Callback moved with the request"),
    "callback_cancelled": _l("Callback cancelled"),
    "transferred": _l("Transferred"),
    "shared": _l("Shared for advice"),
    "comment": _l("Note"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
    "edited": _l("Request corrected"),
}
FIELD_LABELS = {
    "caller_name": _l("Name of the professional"),
    "caller_function": _l("Function or profession"),
    "caller_organisation_text": _l("Organisation"),
    "caller_phone": _l("Phone to call back"),
    "caller_email": _l("E-mail to call back"),
}
TRANSFER_KIND_LABELS = {"transfer": _l("Transfer"), "share": _l("Shared for advice")}
