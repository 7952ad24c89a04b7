"""Text bound for a spreadsheet (CSV, XLSX exports): a cell a spreadsheet would run as a formula is defused."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text a spreadsheet would take for a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text
