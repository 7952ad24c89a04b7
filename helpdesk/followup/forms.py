"""Forms of the request page: status, leads, unmet needs, callbacks, transfers, sharing, closing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from helpdesk.followup.labels import (
    CHANNEL_LABELS,
    LEAD_OUTCOME_LABELS,
    STATUS_LABELS,
    UNMET_REASON_LABELS,
    URGENCY_LABELS,
)
from helpdesk.forms import InCalendar, select_choices

OPEN_STATUSES = [(k, v) for k, v in STATUS_LABELS.items() if k != "closed"]


class IdentityCheck:
    """Mixin: the box an operator ticks after checking that a flagged text identifies nobody.

    Shown only when the text was flagged (the error lands on this field)."""

    confirm_identity = BooleanField(_l("I checked: this text identifies nobody"))


class VersionedForm(FlaskForm):
    """Carries the version of the request the user saw: a concurrent change is detected, never overwritten."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class UpdateForm(VersionedForm):
    status = SelectField(_l("Status"), choices=select_choices(OPEN_STATUSES))
    urgency = SelectField(_l("Urgency"), choices=select_choices(URGENCY_LABELS.items()))
    assigned_to = SelectField(_l("Followed by"), validators=[Optional()])


class LeadSearchForm(FlaskForm):
    class Meta:
        csrf = False

    lead_q = StringField(
        _l("Search the directory"),
        validators=[Length(max=200)],
        render_kw={"type": "search", "autocomplete": "off"},
    )


class LeadForm(IdentityCheck, FlaskForm):
    organisation_id = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    outcome = SelectField(_l("Outcome"), choices=select_choices(LEAD_OUTCOME_LABELS.items()))
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class LeadUpdateForm(IdentityCheck, FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=select_choices(LEAD_OUTCOME_LABELS.items()))
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class UnmetNeedForm(IdentityCheck, FlaskForm):
    reason = SelectField(_l("Why no adequate answer"), choices=select_choices(UNMET_REASON_LABELS.items()))
    theme = SelectField(_l("For which theme"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class CallbackForm(IdentityCheck, FlaskForm):
    due_date = DateField(_l("Date"), validators=[DataRequired(), InCalendar()])
    due_time = TimeField(_l("Time"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class TransferForm(IdentityCheck, VersionedForm):
    to = SelectField(_l("Hand to"), validators=[DataRequired()])
    note = TextAreaField(_l("Handover note"), validators=[DataRequired(), Length(max=5000)])


class ShareForm(IdentityCheck, FlaskForm):
    to = SelectField(_l("Ask the advice of"), validators=[DataRequired()])
    note = TextAreaField(_l("What is the question?"), validators=[DataRequired(), Length(max=5000)])


class CommentForm(IdentityCheck, FlaskForm):
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=5000)])


class ReopenForm(IdentityCheck, VersionedForm):
    reason = TextAreaField(_l("Why reopen it"), validators=[DataRequired(), Length(max=5000)])


class CloseForm(IdentityCheck, VersionedForm):
    feedback_given = RadioField(
        _l("Feedback to the asking professional"),
        choices=select_choices([("yes", _l("Given")), ("no", _l("Could not be given"))]),
        validators=[DataRequired()],
        default="yes",
    )
    feedback_at = DateTimeLocalField(
        _l("When"), format="%Y-%m-%dT%H:%M", validators=[Optional(), InCalendar()]
    )
    feedback_channel = SelectField(_l("How"), choices=select_choices(CHANNEL_LABELS.items()))
    feedback_text = TextAreaField(_l("What was proposed"), validators=[Length(max=10000)])
    missing_reason = TextAreaField(_l("Why it could not be given"), validators=[Length(max=5000)])
