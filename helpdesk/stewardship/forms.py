"""The forms of proposals: a correction (every field prefilled with the value in force), a new organisation,
a refusal. The values are checked by ``helpdesk.stewardship.fields``, so the page and the API say the same."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory_import.models import Organisation
from helpdesk.forms import select_choices
from helpdesk.stewardship.fields import ADDRESS_PARTS, FIELDS, form_text, read_value

LINES_HELP = _l("One a line.")

STATUS_CHOICES = select_choices(
    [
        ("", _l("Open as usual")),
        ("temporarily_closed", _l("Temporarily closed")),
        ("full", _l("Full (no new people) until a date")),
        ("closed", _l("Closed for good")),
    ]
)


class ProposalForm(FlaskForm):
    phones = TextAreaField(_l("Phones"), description=LINES_HELP, validators=[Length(max=2000)])
    emails = TextAreaField(_l("E-mail addresses"), description=LINES_HELP, validators=[Length(max=2000)])
    websites = TextAreaField(_l("Websites"), description=LINES_HELP, validators=[Length(max=2000)])
    street_fr = StringField(_l("Street (French)"), validators=[Length(max=300)])
    street_nl = StringField(_l("Street (Dutch)"), validators=[Length(max=300)])
    number = StringField(_l("Number"), validators=[Length(max=30)])
    box = StringField(_l("Box"), validators=[Length(max=30)])
    postcode = StringField(_l("Postcode"), validators=[Length(max=10)])
    opening_hours_fr = TextAreaField(_l("Opening hours (French)"), validators=[Length(max=5000)])
    opening_hours_nl = TextAreaField(_l("Opening hours (Dutch)"), validators=[Length(max=5000)])
    languages = StringField(
        _l("Languages spoken"),
        description=_l("Codes or names, e.g. “fr, nl, ar”."),
        validators=[Length(max=500)],
    )
    categories = TextAreaField(
        _l("Categories"),
        description=_l("Category codes of the directory, one a line (e.g. “ssm”)."),
        validators=[Length(max=2000)],
    )
    publics = TextAreaField(
        _l("Publics"),
        description=_l("One a line; French | Dutch (e.g. “jeunes | jongeren”)."),
        validators=[Length(max=4000)],
    )
    description_fr = TextAreaField(_l("Description (French)"), validators=[Length(max=5000)])
    description_nl = TextAreaField(_l("Description (Dutch)"), validators=[Length(max=5000)])
    status = SelectField(_l("State"), choices=STATUS_CHOICES, default="")
    until = DateField(
        _l("Until"), validators=[Optional()], description=_l("For “full” (required) or a temporary closure.")
    )
    note = TextAreaField(
        _l("Note for the coordinators"),
        description=_l("How you know it (a call, a visit, their website…). About the organisation only."),
        validators=[Length(max=2000)],
    )
    confirm_identity = BooleanField(_l("I checked: this text identifies nobody"))

    def fill_from(self, org: Organisation) -> None:
        """Every field shows the value in force (a GET)."""
        for field in FIELDS:
            value = read_value(org, field)
            if field == "address":
                for part in ADDRESS_PARTS:
                    self[part].data = value.get(part, "")
            else:
                self[field].data = form_text(field, value)

    def changes(self) -> dict[str, Any]:
        """The values typed, field by field, as ``propose_changes`` takes them."""
        values: dict[str, Any] = {}
        for field in FIELDS:
            if field == "address":
                values["address"] = {part: self[part].data or "" for part in ADDRESS_PARTS}
            else:
                values[field] = self[field].data or ""
        return values


class NewOrganisationForm(ProposalForm):
    name_fr = StringField(_l("Name in French"), validators=[Length(max=400)])
    name_nl = StringField(_l("Name in Dutch"), validators=[Length(max=400)])
    distinct = BooleanField(_l("None of these is the organisation I propose"))

    def changes(self) -> dict[str, Any]:
        values = super().changes()
        values["name_fr"], values["name_nl"] = self.name_fr.data or "", self.name_nl.data or ""
        return values


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for refusing"), validators=[DataRequired(), Length(max=2000)])


class DecisionForm(FlaskForm):
    """Only the CSRF token (accept; keep or drop an overlay)."""


class ExportForm(FlaskForm):
    """The export back to the directory, on the coordinators' queue (the values are checked by the view, so
    that a wrong one gets the page's own message)."""

    since = StringField(_l("Accepted since"), validators=[Length(max=20)])
    format = SelectField(
        _l("Format"),
        choices=select_choices(
            [("csv", _l("CSV (one line per field changed)")), ("json", _l("JSON (Bruxelles Social)"))]
        ),
    )
    include_exported = BooleanField(_l("Include the proposals exported already"))
