"""The form of a user's notification choices (account page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from helpdesk.forms import select_choices

MODE_CHOICES = select_choices(
    [
        ("off", _l("Off")),
        ("immediate", _l("Immediately by e-mail")),
        ("digest", _l("In the daily digest")),
    ]
)


class PreferencesForm(FlaskForm):
    transfer = SelectField(_l("A request handed or shared to my territory"), choices=MODE_CHOICES)
    callback = SelectField(_l("A callback of mine due today or overdue"), choices=MODE_CHOICES)
    unassigned = SelectField(
        _l("A request of my territory left unassigned too long (coordinators)"), choices=MODE_CHOICES
    )
    proposal = SelectField(
        _l("A proposal of mine on the directory accepted or refused"), choices=MODE_CHOICES
    )


class MarkReadForm(FlaskForm):
    """Only the CSRF token."""
