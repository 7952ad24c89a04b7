"""Languages: the user's saved choice, else the session's, else the browser's ``Accept-Language``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "fr").split("_")[0]


def cli_language() -> str:
    """The language of the CLI's messages: the environment's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) when it
    is one of the app's languages, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            language = value.split(".")[0].split("_")[0].lower()
            return language if language in current_app.config["LANGUAGES"] else "en"
    return "en"


@lru_cache(maxsize=16)
def _language_names(locale: str) -> Mapping[str, str]:
    # Parsing a locale costs about 0.1 ms: a page of 50 result cards names a hundred languages.
    try:
        return Locale.parse(locale).languages
    except (ValueError, TypeError):
        return {}


def language_label(code: str, locale: str | None = None) -> str:
    """The name of language ``code`` (ISO 639-1) in ``locale`` (default: the reader's), else the code."""
    try:
        name = _language_names(locale or current_language()).get(code)
    except TypeError:  # an unhashable code
        name = None
    return name or code


def local_zone() -> ZoneInfo:
    """The helpdesk's time zone (``TIMEZONE``): what pages show, forms read and report months follow."""
    return ZoneInfo(current_app.config["TIMEZONE"])


class Named(Protocol):
    def name_in(self, language: str) -> str: ...


def org_name(organisation: Named | None, language: str | None = None) -> str:
    """An organisation's (or a search hit's) name for a reader of ``language``, by default the reader's:
    ``Organisation.name_in``'s order (that language, the other one, the official name). In templates, the
    filter ``{{ org|org_name }}``."""
    if organisation is None:
        return ""
    return organisation.name_in(language or current_language())


def init_app(app: Flask) -> None:
    try:
        ZoneInfo(app.config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"TIMEZONE is not a time zone: {app.config['TIMEZONE']!r}") from None
    # One setting: Flask-Babel's format_datetime shows times in the same zone as everything else.
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    # Catalogs live in helpdesk/translations (relative to the app's root path).
    Babel(app, locale_selector=select_locale)
