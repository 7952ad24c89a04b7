"""The messages of the error codes operations give, one map for the pages, the API and the CLI.

An operation says what is wrong with a code (``RequestError("invalid", {"urgency": "invalid"})``,
``AccountError("email_taken")``); whoever shows it takes the message from here, in the reader's language
(the CLI's: ``helpdesk.cli_language``), so a page, an API answer and a command say the same.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.auth.password_policy import MIN_PASSWORD_LENGTH
from helpdesk.vocabularies.base import Vocabulary


class FieldError(Vocabulary):
    """What is wrong with one field of a form, a JSON body or a query string."""

    REQUIRED = "required", _l("This field is required.")
    INVALID = "invalid", _l("This value is not valid.")
    DUPLICATE = "duplicate", _l("This organisation is already a lead.")
    TOO_LONG = "too_long", _l("Too long.")
    NOT_A_NUMBER = "not_a_number", _l("Must be a whole number.")
    OUT_OF_RANGE = "out_of_range", _l("Out of the accepted range.")
    UNKNOWN_PARAMETER = "unknown_parameter", _l("Unknown parameter.")


class RequestRefusal(Vocabulary):
    """Why a change to a request is refused as a whole."""

    CLOSED = "closed", _l("This request is closed.")
    NOT_CLOSED = "not_closed", _l("This request is not closed.")
    ANONYMISED = (
        "anonymised",
        _l("This request was anonymised after the retention period: record a new request."),
    )
    CONFLICT = "conflict", _l("Someone else changed this request in the meantime.")


class AccountProblem(Vocabulary):
    """Why an account or its password could not be saved (``AccountError``'s codes)."""

    INVALID_EMAIL = "invalid_email", _l("Enter a valid e-mail address.")
    EMAIL_TAKEN = "email_taken", _l("An account with this e-mail address exists already.")
    INVALID_ROLE = "invalid_role", _l("Unknown role.")
    INVALID_TERRITORY = "invalid_territory", _l("Unknown territory.")
    PASSWORD_TOO_SHORT = "password_too_short", _l("The password is too short: at least %(n)s characters.")
    PASSWORD_TOO_LONG = "password_too_long", _l("The password is too long.")
    PASSWORD_COMMON = (
        "password_common",
        _l("This password is too common or too easy to guess: attackers try it first."),
    )
    PASSWORD_CONTAINS_EMAIL = (
        "password_contains_email",
        _l("The password must not contain your e-mail address or its parts."),
    )
    PASSWORD_SAME_AS_BEFORE = (
        "password_same_as_before",
        _l("This is your current password: choose a new one."),
    )
    CANNOT_CONFIRM = "cannot_confirm", _l("You cannot confirm this account.")


def field_error_message(code: str) -> str:
    """The message of a field's error code; an unknown code reads as "not valid"."""
    return FieldError.label_of(code, str(FieldError.INVALID.label))


def account_error_message(code: str) -> str:
    """The message of an ``AccountError`` code; an unknown one says the account could not be saved."""
    problem = AccountProblem.member(code)
    if problem is None:
        return str(_l("The account could not be saved."))
    return str(problem.label) % {"n": MIN_PASSWORD_LENGTH}
