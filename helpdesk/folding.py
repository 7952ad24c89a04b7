"""Accent- and case-insensitive matching in SQL, the same on SQLite and PostgreSQL.

``folded(column)`` is a SQL expression of the column without accents, in lower case; ``fold_text`` does the
same to a Python string, so ``folded(Organisation.name_fr).like(f"%{fold_text(word)}%")`` finds "Santé" for
"sante" and "SANTE". Used where the search index cannot be (the plain-SQL fallback during a rebuild).

The folding is one character for one character (``é`` -> ``e``, ``Ç`` -> ``c``, ``’`` -> ``'``), which
PostgreSQL's ``translate()`` can do without the ``unaccent`` extension; SQLite gets the Python function,
registered on each connection by ``helpdesk.db.make_engine``.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SQLITE_FUNCTION = "helpdesk_fold"


def _table() -> tuple[str, str]:
    """Latin letters with diacritics (Latin-1 and Latin Extended-A/B) mapped to their base letter."""
    source, target = ["\u2019", "\u2018", "\u02bc"], ["'", "'", "'"]  # typographic apostrophes
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base.isalpha():
            source.append(char)
            target.append(base.lower())
    return "".join(source), "".join(target)


FOLD_FROM, FOLD_TO = _table()
_TRANSLATION = str.maketrans(FOLD_FROM, FOLD_TO)


def fold_text(value: str | None) -> str:
    """``value`` without accents, in lower case: what ``folded()`` gives in SQL."""
    return (value or "").translate(_TRANSLATION).lower()


class folded(FunctionElement):  # noqa: N801 - reads as a SQL function
    """``folded(column)``: the column's text without accents, in lower case."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded_sqlite(element, compiler, **kw):
    return compiler.process(getattr(func, SQLITE_FUNCTION)(*element.clauses.clauses), **kw)


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    (column,) = element.clauses.clauses
    return compiler.process(func.lower(func.translate(column, FOLD_FROM, FOLD_TO)), **kw)


def like_pattern(word: str) -> str:
    """``%word%`` for LIKE with ``escape="\\\\"``: what the user typed is matched literally."""
    escaped = fold_text(word).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
