"""What the identity guard tells the user, in their language, naming the field: on a form (the text's field,
and the box to tick when the text may be confirmed) or in an API answer."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from helpdesk.identity import REFUSED_KINDS
from helpdesk.vocabularies import IdentityKind


def _codes(kinds: list[str] | str) -> list[str]:
    return [code for code in (kinds.split(",") if isinstance(kinds, str) else kinds) if code]


def identity_what(kinds: list[str] | str) -> str:
    """``"national_number,phone"`` as "a national register number, a phone number" in the user's language."""
    return ", ".join(IdentityKind.label_of(code) for code in _codes(kinds))


def identity_messages(field: str, kinds: list[str] | str, *, api: bool = False) -> tuple[str, str]:
    """The messages about one field: (what is refused, what is to confirm); either may be empty."""
    codes = _codes(kinds)
    refused = [code for code in codes if code in REFUSED_KINDS]
    suspected = [code for code in codes if code not in REFUSED_KINDS]
    refusal = warning = ""
    if refused:
        refusal = _(
            "“%(field)s” contains %(what)s: this identifies a person and cannot be recorded. Remove it.",
            field=field,
            what=identity_what(refused),
        )
    if suspected and api:
        warning = _(
            "“%(field)s” seems to contain %(what)s: remove anything that identifies the beneficiary, or send "
            '"identity_confirmed": true.',
            field=field,
            what=identity_what(suspected),
        )
    elif suspected:
        warning = _(
            "“%(field)s” seems to contain %(what)s: remove anything that identifies the beneficiary, or tick "
            "the box to confirm that it does not.",
            field=field,
            what=identity_what(suspected),
        )
    return refusal, warning


def put_identity_errors(
    form, fields: Mapping[str, str | list[str]], aliases: Mapping[str, str] | None = None
) -> list[str]:
    """Each flagged text's messages on ``form``: a refusal on the text's field, a warning on the box to tick
    (``confirm_identity``). Returns the messages that found no place on the form, to flash."""
    left: list[str] = []
    confirm = getattr(form, "confirm_identity", None) if form is not None else None
    for name, kinds in fields.items():
        target = getattr(form, (aliases or {}).get(name, name), None) if form is not None else None
        label = str(target.label.text) if target is not None and hasattr(target, "label") else _("Note")
        refusal, warning = identity_messages(label, kinds)
        for message, place in ((refusal, target), (warning, confirm)):
            if not message:
                continue
            if place is not None:
                place.errors = [*place.errors, message]
            else:
                left.append(message)
    return left


def api_identity_answer(
    fields: Mapping[str, list[str] | str], aliases: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """What the API answers (a 400) for texts that identify someone: the messages as one sentence, and each
    field's code: ``identity_refused`` (refused whatever), ``identity_suspected`` (send
    ``"identity_confirmed": true`` to keep it)."""
    codes: dict[str, str] = {}
    messages: list[str] = []
    for name, kinds in fields.items():
        name = (aliases or {}).get(name, name)
        refusal, warning = identity_messages(name, kinds, api=True)
        codes[name] = "identity_refused" if refusal else "identity_suspected"
        messages += [m for m in (refusal, warning) if m]
    return " ".join(messages), codes
