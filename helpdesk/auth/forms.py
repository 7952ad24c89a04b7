"""Forms of the sign-in and account pages, and the messages of account errors."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from helpdesk.auth.password_policy import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

PASSWORD_HINT = _l(
    "At least %(n)s characters. A few unrelated words strung together make a strong password that is easy to "
    "remember. Common or leaked passwords, and passwords containing your e-mail name, are refused.",
    n=MIN_PASSWORD_LENGTH,
)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class SetPasswordForm(FlaskForm):
    """Choosing a password through a one-time link. The rules are checked by the operation."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordChangeForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class RevokeForm(FlaskForm):
    """A button that revokes an API token (only the CSRF token)."""
