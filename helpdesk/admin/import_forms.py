"""Forms of the directory administration pages: imports and duplicates."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, SelectField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from helpdesk.forms import select_choices


class ImportForm(FlaskForm):
    file = FileField(_l("Export file"),
                     description=_l("JSON or CSV export, or an Open Referral (HSDS) package as a zip."))
    url = URLField(_l("Or the address of the export"), validators=[Optional(), Length(max=1000)],
                   description=_l("An http or https address; the file is downloaded now."))
    format = SelectField(_l("Format"), default="auto", choices=select_choices([
        ("auto", _l("Recognise automatically")), ("json", "JSON"), ("csv", "CSV"),
        ("hsds", _l("Open Referral HSDS (zip)")),
    ]))

    def validate_url(self, field):
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        if has_file and field.data:
            raise ValidationError(_l("Give a file or an address, not both."))
        if not has_file and not field.data:
            raise ValidationError(_l("Choose a file or give the address of an export."))
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("The address must start with http:// or https://."))


class ConfirmImportForm(FlaskForm):
    """Only the CSRF token: confirming applies the dry run the person just read."""


class DuplicatePairForm(FlaskForm):
    first_id = IntegerField(validators=[DataRequired()])
    second_id = IntegerField(validators=[DataRequired()])


class MergeForm(DuplicatePairForm):
    keep = RadioField(_l("Keep"), default="first", choices=select_choices([
        ("first", _l("Keep the first")), ("second", _l("Keep the second"))]))


__all__ = ["ConfirmImportForm", "DuplicatePairForm", "ImportForm", "MergeForm"]
