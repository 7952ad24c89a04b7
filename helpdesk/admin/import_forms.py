"""Forms of the directory administration pages: imports and duplicates."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, SelectField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from helpdesk.forms import MAX_ID, select_choices


class ImportForm(FlaskForm):
    file = FileField(
        _l("Export file"), description=_l("JSON or CSV export, or an Open Referral (HSDS) package as a zip.")
    )
    url = URLField(
        _l("Or the address of the export"),
        validators=[Optional(), Length(max=1000)],
        description=_l(
            "An http or https address (public, or listed by the server's administrator); "
            "the file is downloaded in the background."
        ),
    )
    format = SelectField(
        _l("Format"),
        default="auto",
        choices=select_choices(
            [
                ("auto", _l("Recognise automatically")),
                ("json", "JSON"),
                ("csv", "CSV"),
                ("hsds", _l("Open Referral HSDS (zip)")),
                ("socialbrussels", _l("social.brussels (API records)")),
            ]
        ),
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        url = (self.url.data or "").strip()
        if has_file and url:
            self.url.errors.append(_l("Give a file or an address, not both."))
        elif not has_file and not url:
            self.file.errors.append(_l("Choose a file or give the address of an export."))
        elif url and not url.lower().startswith(("http://", "https://")):
            self.url.errors.append(_l("The address must start with http:// or https://."))
        else:
            return valid
        return False


class ConfirmImportForm(FlaskForm):
    """Only the CSRF token: confirming applies the dry run the person just read."""


class DuplicatePairForm(FlaskForm):
    # An id past the integer columns is no organisation (and an OverflowError in the database).
    first_id = IntegerField(
        validators=[DataRequired(), NumberRange(1, MAX_ID, _l("This value is not valid."))]
    )
    second_id = IntegerField(
        validators=[DataRequired(), NumberRange(1, MAX_ID, _l("This value is not valid."))]
    )


class MergeForm(DuplicatePairForm):
    keep = RadioField(
        _l("Keep"),
        default="first",
        choices=select_choices([("first", _l("Keep the first")), ("second", _l("Keep the second"))]),
    )


__all__ = ["ConfirmImportForm", "DuplicatePairForm", "ImportForm", "MergeForm"]
