"""The verification history: one row each time someone of the helpdesk confirmed an organisation's details.
The latest row is its "last verified by the helpdesk"; a sync never touches this table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_import.models import Base, Organisation, utcnow
from helpdesk.auth.models import User

NOTE_MAX_CHARS = 200


class OrganisationVerification(Base):
    """``verified_by_id`` called ``organisation_id`` at ``verified_at`` and its details were right."""

    __tablename__ = "organisation_verifications"
    # The last verification of every organisation is read from this index alone.
    __table_args__ = (
        Index("ix_organisation_verifications_organisation_id_verified_at", "organisation_id", "verified_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(NOTE_MAX_CHARS), default="")

    organisation: Mapped[Organisation] = relationship()
    verified_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"<OrganisationVerification {self.id} org={self.organisation_id} at={self.verified_at:%Y-%m-%d}>"
        )
