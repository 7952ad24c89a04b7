"""The app-wide Jinja wiring, in one place: globals and filters every template may use.

Blueprint modules register none; ``create_app`` calls ``init_app``. (A context processor that only one
blueprint's templates need stays on that blueprint, e.g. the import pages' message helpers.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent

from helpdesk.directory.notes import NoteForm, organisation_notes_for_template
from helpdesk.i18n import LANGUAGE_NAMES, current_language, language_label, org_name
from helpdesk.navigation import nav_items
from helpdesk.stewardship.views import organisation_stewardship
from helpdesk.vocabularies.roles import ROLE_LABELS
from helpdesk.vocabularies.territories import TERRITORY_LABELS


def fromisoformat(value: str) -> datetime | None:
    """An instant written as ISO text into a request's history (JSON), as aware UTC; None if it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def isodate(value: object) -> date | None:
    """The calendar day an ISO text starts with (a source's "2023-03-14", "2023-03-14T10:00:00Z"); None when
    it starts with none, so the page shows the text as the source wrote it."""
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        # Languages and numbers, dates and times in the reader's language and the helpdesk's zone.
        current_language=current_language,
        language_label=language_label,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        format_percent=format_percent,
        # Navigation and shared labels.
        nav_items=nav_items,
        TERRITORY_LABELS=TERRITORY_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        # Operators' notes, included on every page that shows an organisation.
        organisation_notes=organisation_notes_for_template,
        NoteForm=NoteForm,
        # Proposals and the helpdesk's values in force, on an organisation's page.
        organisation_stewardship=organisation_stewardship,
    )
    app.jinja_env.filters["fromisoformat"] = fromisoformat
    app.jinja_env.filters["isodate"] = isodate
    app.jinja_env.filters["org_name"] = org_name  # an organisation's name in the reader's language
