"""The shape every vocabulary shares: a ``StrEnum`` whose members carry their lazy label.

A member is its code (``Channel.PHONE == "phone"``, stored as is in the database and sent as is by the API)
and knows its label in the reader's language (``Channel.PHONE.label``, a lazy string translated when shown).
"""

from __future__ import annotations

import enum
from typing import Any, Self, cast

from flask_babel.speaklater import LazyString


class Vocabulary(enum.StrEnum):
    """A closed list of codes with their labels. Declare members as ``CODE = "code", _l("Label")``."""

    _value_: str
    label: LazyString

    def __new__(cls, code: str, label: LazyString) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """Every code, in the declared order."""
        return tuple(member.value for member in cls)

    @classmethod
    def has(cls, code: Any) -> bool:
        """Whether ``code`` is one of the vocabulary's codes."""
        return isinstance(code, str) and code in cls._value2member_map_

    @classmethod
    def member(cls, code: Any) -> Self | None:
        """The member of ``code``, or None when it is not one of the codes."""
        return cast(Self, cls._value2member_map_[code]) if cls.has(code) else None

    @classmethod
    def labels(cls) -> dict[str, LazyString]:
        """Code to lazy label, in the declared order (for templates and ``select`` choices)."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, code: str, default: str | None = None) -> str:
        """The label of ``code`` in the reader's language; an unknown code gives ``default``, else itself."""
        member = cls.member(code)
        if member is not None:
            return str(member.label)
        return code if default is None else default
