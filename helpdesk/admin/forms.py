"""Forms of the administration pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from directory_import.territory import TERRITORIES
from helpdesk.auth.models import ROLES
from helpdesk.forms import select_choices
from helpdesk.i18n import LANGUAGE_NAMES
from helpdesk.vocabularies.roles import ROLE_LABELS
from helpdesk.vocabularies.territories import TERRITORY_LABELS

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _territory_choices():
    return select_choices((code, TERRITORY_LABELS[code]) for code in TERRITORIES)


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=select_choices((r, ROLE_LABELS[r]) for r in ROLES))
    territory = SelectField(_l("Territory"), choices=_territory_choices())
    locale = SelectField(
        _l("Preferred language"),
        choices=select_choices([("", _l("As the browser says")), *LANGUAGE_NAMES.items()]),
    )
    active = BooleanField(
        _l("Active"),
        default=True,
        description=_l("An inactive account cannot sign in; its sessions end at once."),
    )


class NewUserForm(UserForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter a valid e-mail address.")),
        ],
    )


class PasswordResetForm(FlaskForm):
    """A button: the password stops working and its owner gets a link to choose a new one."""


class TokenRevokeForm(FlaskForm):
    """A button that revokes one API token of the account."""


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class SynonymForm(FlaskForm):
    terms = StringField(
        _l("Words that mean the same"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l(
            "Separated by commas, in French and Dutch, e.g. CAW, centre d'action sociale globale."
        ),
    )


class DeleteForm(FlaskForm):
    pass


class ThemeForm(FlaskForm):
    label_fr = StringField(_l("Label in French"), validators=[DataRequired(), Length(max=200)])
    label_nl = StringField(_l("Label in Dutch"), validators=[DataRequired(), Length(max=200)])
    label_en = StringField(_l("Label in English"), validators=[DataRequired(), Length(max=200)])
    position = IntegerField(_l("Position in the list"), validators=[Optional(), NumberRange(min=0, max=999)])
    active = BooleanField(_l("Offered at intake"), default=True)


class NewThemeForm(ThemeForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Lowercase letters, digits and underscores.")),
        ],
        description=_l("Used by the API and the reports; it cannot change later."),
    )
