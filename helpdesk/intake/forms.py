"""The intake form: one page, keyboard only, filled in while the caller talks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.followup.labels import (
    AGE_BAND_LABELS,
    CHANNEL_LABELS,
    GENDER_LABELS,
    LANGUAGE_LABELS,
    SECTOR_LABELS,
    SITUATION_FLAG_LABELS,
    URGENCY_LABELS,
)
from helpdesk.forms import select_choices


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes: reachable with Tab, ticked with Space."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _blank(label: object) -> list[tuple[str, object]]:
    return [("", label)]


class IntakeForm(FlaskForm):
    channel = SelectField(_l("Channel"), render_kw={"autofocus": True})
    territory = SelectField(_l("Receiving territory"))
    urgency = SelectField(_l("Urgency"))

    caller_name = StringField(
        _l("Name of the professional"), validators=[Length(max=200)], render_kw={"autocomplete": "off"}
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

    def fill_choices(self, territories: list[tuple[str, object]], themes: list[tuple[str, str]]) -> None:
        self.channel.choices = select_choices(CHANNEL_LABELS.items())
        self.territory.choices = select_choices(territories)
        self.urgency.choices = select_choices(URGENCY_LABELS.items())
        self.caller_sector.choices = select_choices(_blank(_l("(not said)")) + list(SECTOR_LABELS.items()))
        self.age_band.choices = select_choices(_blank(_l("(not said)")) + list(AGE_BAND_LABELS.items()))
        self.gender.choices = select_choices(_blank(_l("(not said)")) + list(GENDER_LABELS.items()))
        self.languages.choices = select_choices(LANGUAGE_LABELS.items())
        self.situation_flags.choices = select_choices(SITUATION_FLAG_LABELS.items())
        self.themes.choices = select_choices(themes)


class EditRequestForm(IntakeForm):
    """The intake form to correct a request, with the version the user saw (no lost update)."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])

    def fill_from(self, request) -> None:
        for name in (
            "channel",
            "urgency",
            "caller_name",
            "caller_function",
            "caller_sector",
            "caller_phone",
            "caller_email",
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
            (organisation.name_fr or organisation.name_nl)
            if organisation
            else request.caller_organisation_text
        )
        self.caller_organisation_id.data = str(organisation.id) if organisation else ""
        self.residence.data = request.residence_postcode
        self.themes.data = request.theme_codes
