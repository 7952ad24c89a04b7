"""Helpers shared by the forms of every area."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]
