"""Finding organisations from the helpdesk's pages (lead search, the caller's organisation autocomplete).

This is the seam between the helpdesk and the search index: callers use ``find_organisations`` and never
import ``search_index`` themselves.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory_import.models import Organisation


def find_organisations(session: Session, text: str, *, limit: int = 10) -> list[Organisation]:
    """Active organisations whose name contains ``text`` (FR or NL), best-known names first.

    Plain SQL matching; the search index work replaces it with the ranked, typo-tolerant index search.
    """
    words = [w for w in text.split() if w][:5]
    if not words:
        return []
    stmt = select(Organisation).where(Organisation.archived.is_(False))
    for word in words:
        pattern = f"%{word}%"
        stmt = stmt.where(or_(Organisation.name_fr.ilike(pattern), Organisation.name_nl.ilike(pattern),
                              Organisation.acronym.ilike(pattern)))
    return list(session.scalars(stmt.order_by(Organisation.name_fr).limit(limit)))
