"""The fields of a request a correction may change that a timeline names (the asking professional's)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class RequestField(Vocabulary):
    CALLER_NAME = "caller_name", _l("Name of the professional")
    CALLER_FUNCTION = "caller_function", _l("Function or profession")
    CALLER_ORGANISATION_TEXT = "caller_organisation_text", _l("Organisation")
    CALLER_PHONE = "caller_phone", _l("Phone to call back")
    CALLER_EMAIL = "caller_email", _l("E-mail to call back")
