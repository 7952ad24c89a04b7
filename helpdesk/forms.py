"""Helpers shared by the forms of every area."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from helpdesk.vocabularies import Vocabulary

# The largest id an integer column holds (PostgreSQL's ``integer``); SQLite takes more, the bound keeps both
# databases answering alike, and a larger number is no id (rather than an OverflowError, a 500).
MAX_ID = 2**31 - 1
# Years a date typed in a form or sent to the API may have: year 1 or 9999 overflows once moved to UTC.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def vocabulary_choices(members: Iterable[Vocabulary], blank: object | None = None) -> list[SelectChoice]:
    """A vocabulary's codes and labels as choices (``vocabulary_choices(Channel)``), after an empty choice
    labelled ``blank`` when given."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(member.value, member.label) for member in members]


def parse_id(raw: object) -> int | None:
    """A database id from a form, a query string or JSON, or None: ASCII digits only (``"²"`` passes
    ``str.isdigit`` but not ``int``), from 1 to ``MAX_ID``."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_ID))):
            return None
        raw = int(raw)
    return raw if isinstance(raw, int) and 1 <= raw <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a number past ``MAX_ID`` matches no route (404), instead of reaching the
    database."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def in_calendar(moment) -> bool:
    """Whether a date or datetime lies within ``FIRST_YEAR``..``LAST_YEAR``."""
    return moment is None or FIRST_YEAR <= moment.year <= LAST_YEAR


class InCalendar:
    """Validator of a date field: refuse ``0001-01-01`` and ``9999-12-31`` with a message, not a 500 later."""

    def __call__(self, form, field) -> None:
        if not in_calendar(field.data):
            raise ValidationError(
                _l("Choose a date from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
            )
