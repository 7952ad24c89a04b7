"""The needs thesaurus in the database, and the count of request-page searches that found nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from directory_import.models import Base, utcnow


class Need(Base):
    """One need of the thesaurus: its French and Dutch phrases (one a line, the first is the label), an
    English label, and the categories, publics and themes that answer it (``{code: weight}``).

    Shipped entries (``shipped``) are refreshed from the repository's file on each seed until an admin edits
    them (``edited``); an admin's deletion of a shipped entry keeps a tombstone (``deleted``) so that a
    re-seed does not bring it back."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label_en: Mapped[str] = mapped_column(String(200), default="")
    phrases_fr: Mapped[str] = mapped_column(Text, default="")
    phrases_nl: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[dict[str, Any]] = mapped_column(default=dict)
    publics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    themes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    terms: Mapped[str] = mapped_column(Text, default="")
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Need {self.code}>"


class UnansweredSearch(Base):
    """A request-page lead search that found nothing, counted once per request, theme and day, without its
    text (the text may describe the person)."""

    __tablename__ = "unanswered_searches"
    __table_args__ = (UniqueConstraint("request_id", "theme_code", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    territory: Mapped[str] = mapped_column(String(20), default="")
    theme_code: Mapped[str] = mapped_column(String(40), default="")
    day: Mapped[date]
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<UnansweredSearch request={self.request_id} theme={self.theme_code or '-'} {self.day}>"
