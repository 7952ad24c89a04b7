"""Operations on the search synonyms an admin adds to those shipped with the product (flush, never commit)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpdesk.directory.models import SearchSynonym
from helpdesk.directory.search import validate_synonym_line


class SynonymError(ValueError):
    """The group is not usable (fewer than two different words or phrases)."""


def add_synonym_group(session: Session, terms: str, *, author: str) -> SearchSynonym:
    """Store a group such as "CAW, centre d'action sociale globale"; searches use it at once."""
    terms = " ".join(terms.split())
    if not validate_synonym_line(terms):
        raise SynonymError("needs_two_terms")
    group = SearchSynonym(terms=terms, created_by=author)
    session.add(group)
    session.flush()
    return group


def delete_synonym_group(session: Session, group: SearchSynonym) -> None:
    session.delete(group)
    session.flush()
