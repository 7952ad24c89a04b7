"""The stewardship tables: proposals (a correction of an organisation, a closure, a new organisation), their
changes field by field, and the overlays that accepted changes leave on an organisation.

Kept apart from the directory's own columns' history: an overlay holds the helpdesk's value and what the
source said, so a sync can re-apply it, retire it when the source agrees, or flag it when the source moved.
An export of what was accepted in a period is a query on ``Proposal.decided_at`` and ``ProposalChange``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_import.models import Base, Organisation, utcnow

PROPOSAL_KINDS = ("change", "new")
PROPOSAL_STATES = ("pending", "accepted", "refused")
# What a proposal may say of an organisation's state besides its fields.
STATUSES = ("temporarily_closed", "full", "closed")
OVERLAY_STATES = ("active", "review", "retired")


class Proposal(Base):
    """One operator's proposal: changes of an organisation's fields and/or its state (``change``), or an
    organisation the directory lacks (``new``: ``organisation_id`` is the local organisation once accepted)."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_state_created_at", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="change")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(30), default="")  # "" or one of STATUSES
    status_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    # The organisations shown as likely duplicates of a new one, which the proposer declared distinct.
    duplicates_seen: Mapped[list[Any]] = mapped_column(JSON, default=list)
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    territory: Mapped[str] = mapped_column(String(20), default="")  # the proposer's
    basin: Mapped[str] = mapped_column(String(20), default="")  # the organisation's, for basin coordinators
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    exported_at: Mapped[datetime | None]  # when an export back to the directory carried it
    legacy_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation_notes.id", ondelete="SET NULL")
    )  # the correction note it was migrated from

    organisation: Mapped[Organisation | None] = relationship()
    changes: Mapped[list[ProposalChange]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalChange.id"
    )

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.kind} {self.state} org={self.organisation_id}>"


class ProposalChange(Base):
    """One field of a proposal: the value the directory held when it was made, the value proposed and,
    once accepted, the value accepted (a coordinator may edit it first)."""

    __tablename__ = "proposal_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    directory_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    proposed_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    accepted_value: Mapped[Any] = mapped_column(JSON, nullable=True)

    proposal: Mapped[Proposal] = relationship(back_populates="changes")

    def __repr__(self) -> str:
        return f"<ProposalChange {self.id} {self.field}>"


class Overlay(Base):
    """The helpdesk's value of one field of one organisation, in force over the source's (``source_value``,
    read when ``source_hash`` was the organisation's content hash). ``history`` lists what happened to it:
    ``[{"at": iso, "event": "applied|reapplied|flagged|kept|retired|dropped|moved", ...}]``."""

    __tablename__ = "organisation_overlays"
    __table_args__ = (Index("ix_organisation_overlays_organisation_id_state", "organisation_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    source_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(20), default="active", index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    since: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Overlay {self.id} org={self.organisation_id} {self.field} {self.state}>"
