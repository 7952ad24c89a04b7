"""Forms of the request domain: recording (the intake form, one page, keyboard only, filled in while the
caller talks; the same form corrects a request), and the request page: status, leads, unmet needs,
callbacks, transfers, sharing, closing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.followup.recording import CallerRecord, IntakeRecord
from helpdesk.forms import InCalendar, select_choices, vocabulary_choices
from helpdesk.i18n import current_language
from helpdesk.vocabularies import (
    OPEN_STATUSES,
    AgeBand,
    Channel,
    Gender,
    Language,
    LeadOutcome,
    Sector,
    SituationFlag,
    UnmetReason,
    Urgency,
)

# Each language in its own name: the operator picks the professional's.
MAIL_LANGUAGE_CHOICES = select_choices([("fr", "Français"), ("nl", "Nederlands"), ("en", "English")])


class IdentityCheck:
    """Mixin: the box an operator ticks after checking that a flagged text identifies nobody.

    Shown only when the text was flagged (the error lands on this field)."""

    confirm_identity = BooleanField(_l("I checked: this text identifies nobody"))


class VersionedForm(FlaskForm):
    """Carries the version of the request the user saw: a concurrent change is detected, never overwritten."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class UpdateForm(VersionedForm):
    status = SelectField(_l("Status"), choices=vocabulary_choices(OPEN_STATUSES))
    urgency = SelectField(_l("Urgency"), choices=vocabulary_choices(Urgency))
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
    outcome = SelectField(_l("Outcome"), choices=vocabulary_choices(LeadOutcome))
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class LeadUpdateForm(IdentityCheck, FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=vocabulary_choices(LeadOutcome))
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class UnmetNeedForm(IdentityCheck, FlaskForm):
    reason = SelectField(_l("Why no adequate answer"), choices=vocabulary_choices(UnmetReason))
    theme = SelectField(_l("For which theme"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class CallbackForm(IdentityCheck, FlaskForm):
    due_date = DateField(_l("Date"), validators=[DataRequired(), InCalendar()])
    due_time = TimeField(_l("Time"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class TransferForm(IdentityCheck, VersionedForm):
    to = SelectField(_l("Hand to"), validators=[DataRequired()])
    note = TextAreaField(_l("Handover note"), validators=[DataRequired(), Length(max=5000)])
    callbacks = RadioField(
        _l("The planned callbacks"),
        choices=select_choices(
            [
                ("move", _l("Move with the request: whoever takes it there calls back")),
                ("cancel", _l("Cancel them: a line in the timeline says so")),
            ]
        ),
        default="move",
        validators=[Optional()],
    )


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
    feedback_channel = SelectField(_l("How"), choices=vocabulary_choices(Channel))
    feedback_text = TextAreaField(_l("What was proposed"), validators=[Length(max=10000)])
    missing_reason = TextAreaField(_l("Why it could not be given"), validators=[Length(max=5000)])


class OrientationMailForm(IdentityCheck, FlaskForm):
    """The orientation e-mail to the asking professional: where, in which language, with a word of one's own."""

    to = EmailField(
        _l("To"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Empty: the professional's e-mail."),
    )
    language = SelectField(_l("Language"), choices=MAIL_LANGUAGE_CHOICES)
    message = TextAreaField(
        _l("A word of your own (optional)"),
        validators=[Length(max=5000)],
        description=_l("Never the question, nor anything on the person helped."),
    )


# ---------------------------------------------------------------- recording


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes: reachable with Tab, ticked with Space."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntakeForm(FlaskForm):
    channel = SelectField(_l("Channel"))
    territory = SelectField(_l("Receiving territory"))
    urgency = SelectField(_l("Urgency"))

    caller_name = StringField(
        _l("Name of the professional"),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "off", "autofocus": True},
    )
    caller_function = StringField(
        _l("Function or profession"), validators=[Length(max=200)], render_kw={"autocomplete": "off"}
    )
    caller_sector = SelectField(_l("Sector"), validators=[Optional()])
    caller_organisation = StringField(
        _l("Organisation"),
        validators=[Length(max=300)],
        description=_l("Type to pick it from the directory, or type the name freely."),
        render_kw={
            "autocomplete": "off",
            "data-autocomplete": "organisations",
            "data-autocomplete-target": "caller_organisation_id",
        },
    )
    caller_organisation_id = HiddenField()
    caller_phone = StringField(
        _l("Phone to call back"),
        validators=[Length(max=50)],
        render_kw={"type": "tel", "autocomplete": "off"},
    )
    caller_email = EmailField(
        _l("E-mail to call back"),
        validators=[Optional(), Email(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )

    caller_language = SelectField(
        _l("Language to write to them in"),
        choices=MAIL_LANGUAGE_CHOICES,
        validators=[Optional()],
    )

    age_band = SelectField(_l("Age band"), validators=[Optional()])
    gender = SelectField(_l("Gender (optional)"), validators=[Optional()])
    languages = MultiCheckboxField(_l("Languages spoken"), validators=[Optional()])
    residence = StringField(
        _l("Postcode or commune of residence"),
        validators=[Length(max=100)],
        description=_l("The basin is derived from it."),
        render_kw={"autocomplete": "off"},
    )
    situation_flags = MultiCheckboxField(_l("Situation"), validators=[Optional()])
    themes = MultiCheckboxField(_l("Themes"), validators=[Optional()])
    question = TextAreaField(
        _l("The question"),
        validators=[DataRequired(), Length(max=10000)],
        description=_l("No name, birth date or national number of the beneficiary."),
    )
    confirm_identity = BooleanField(_l("I checked: this text identifies nobody"))
    leave_in_queue = BooleanField(
        _l("Leave it in the queue for the team"),
        description=_l(
            "Unticked, you follow this request yourself. Ticked, a colleague takes it from the queue."
        ),
    )

    def fill_choices(self, territories: list[tuple[str, object]], themes: list[tuple[str, str]]) -> None:
        self.channel.choices = vocabulary_choices(Channel)
        self.territory.choices = select_choices(territories)
        self.urgency.choices = vocabulary_choices(Urgency)
        self.caller_sector.choices = vocabulary_choices(Sector, blank=_l("(not said)"))
        self.age_band.choices = vocabulary_choices(AgeBand, blank=_l("(not said)"))
        self.gender.choices = vocabulary_choices(Gender, blank=_l("(not said)"))
        self.languages.choices = vocabulary_choices(Language)
        self.situation_flags.choices = vocabulary_choices(SituationFlag)
        self.themes.choices = select_choices(themes)


class EditRequestForm(IntakeForm):
    """The intake form to correct a request, with the version the user saw (no lost update)."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    leave_in_queue = None  # who follows it is changed on the request page, not by correcting it

    def fill_from(self, request) -> None:
        for name in (
            "channel",
            "urgency",
            "caller_name",
            "caller_function",
            "caller_sector",
            "caller_phone",
            "caller_email",
            "caller_language",
            "age_band",
            "gender",
            "languages",
            "situation_flags",
            "question",
            "territory",
            "version",
        ):
            getattr(self, name).data = getattr(request, name)
        organisation = request.caller_organisation
        self.caller_organisation.data = (
            organisation.name_in(current_language()) if organisation else request.caller_organisation_text
        )
        self.caller_organisation_id.data = str(organisation.id) if organisation else ""
        self.residence.data = request.residence_postcode
        self.themes.data = request.theme_codes


def record_from_form(form: IntakeForm, *, organisation_id: int | None, postcode: str) -> IntakeRecord:
    return IntakeRecord(
        territory=form.territory.data,
        channel=form.channel.data,
        urgency=form.urgency.data,
        caller=CallerRecord(
            name=form.caller_name.data or "",
            function=form.caller_function.data or "",
            sector=form.caller_sector.data or "",
            organisation_id=organisation_id,
            organisation_text=form.caller_organisation.data or "",
            phone=form.caller_phone.data or "",
            email=form.caller_email.data or "",
            language=form.caller_language.data or "",
        ),
        age_band=form.age_band.data or "",
        gender=form.gender.data or "",
        languages=form.languages.data or [],
        residence_postcode=postcode,
        situation_flags=form.situation_flags.data or [],
        themes=form.themes.data or [],
        question=form.question.data or "",
        identity_confirmed=bool(form.confirm_identity.data),
        taken_by_recorder=form.leave_in_queue is not None and not form.leave_in_queue.data,
    )
