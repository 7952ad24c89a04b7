"""The sector of the asking professional (requests recorded before this list may hold free text)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class Sector(Vocabulary):
    CPAS = "cpas", _l("Public social welfare centre")
    GENERAL_PRACTICE = "general_practice", _l("General practice")
    HOSPITAL = "hospital", _l("Hospital")
    MENTAL_HEALTH = "mental_health", _l("Mental health service")
    SOCIAL_SERVICE = "social_service", _l("Social service or association")
    HOME_CARE = "home_care", _l("Home care")
    JUSTICE = "justice", _l("Justice or police")
    SCHOOL = "school", _l("School or youth service")
    OTHER = "other", _l("Other")
