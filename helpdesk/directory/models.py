"""Operators' knowledge of the directory: dated notes on organisations, some flagged as corrections.

These tables are local: a directory sync never writes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_import.models import Base, Organisation, utcnow


class OrganisationNote(Base):
    __tablename__ = "organisation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    territory: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text)
    is_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    # open -> exported -> done; only meaningful for corrections.
    correction_status: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<OrganisationNote {self.id} org={self.organisation_id}>"


class SearchSynonym(Base):
    """A group of words that mean the same for the directory search, added by an admin
    ("CAW, centre d'action sociale globale"); it adds to the list shipped with the product."""

    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchSynonym {self.id} {self.terms[:40]!r}>"
