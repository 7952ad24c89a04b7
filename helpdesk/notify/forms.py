"""The form of a user's notification choices (account page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

MODE_CHOICES = [
    ("off", _l("Off")),
    ("immediate", _l("Immediately by e-mail")),
    ("digest", _l("In the daily digest")),
]


class PreferencesForm(FlaskForm):
    transfer = SelectField(_l("A request handed or shared to my territory"), choices=MODE_CHOICES)
    callback = SelectField(_l("A callback of mine due today or overdue"), choices=MODE_CHOICES)
    unassigned = SelectField(
        _l("A request of my territory left unassigned too long (coordinators)"), choices=MODE_CHOICES
    )


class MarkReadForm(FlaskForm):
    """Only the CSRF token."""
