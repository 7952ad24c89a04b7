"""The one-click verification: a CSRF-protected button, with an optional short note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from helpdesk.verification.models import NOTE_MAX_CHARS


class VerifyForm(FlaskForm):
    note = StringField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX_CHARS)],
        description=_l("E.g. “new phone number confirmed”. Never a beneficiary's name."),
    )
