"""A professional's help request and its life: themes, leads, unmet needs, callbacks, transfers, timeline.

No name, birth date or national number of the beneficiary is ever stored: only the situation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_import.models import Base, Organisation, utcnow
from helpdesk.vocabularies import Channel, LeadOutcome, Status, TransferKind, Urgency


class Theme(Base):
    """A theme of the bilingual list an admin can edit (seeded with the sector's)."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label_en: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200))
    label_nl: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def label(self, locale: str) -> str:
        return {"fr": self.label_fr, "nl": self.label_nl}.get(locale, self.label_en)

    def __repr__(self) -> str:
        return f"<Theme {self.code}>"


class HelpRequest(Base):
    """One request from an asking professional, held by one territory at a time."""

    __tablename__ = "help_requests"
    __table_args__ = (
        Index("ix_help_requests_territory_status", "territory", "status"),
        Index("ix_help_requests_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    territory: Mapped[str] = mapped_column(String(20))  # who holds it now
    received_territory: Mapped[str] = mapped_column(String(20))  # who received it first
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20), default=Channel.PHONE.value)
    urgency: Mapped[str] = mapped_column(String(20), default=Urgency.NORMAL.value)
    status: Mapped[str] = mapped_column(String(20), default=Status.NEW.value)

    # The asking professional.
    caller_name: Mapped[str] = mapped_column(String(200), default="")
    caller_function: Mapped[str] = mapped_column(String(200), default="")
    caller_sector: Mapped[str] = mapped_column(String(100), default="")
    caller_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    caller_organisation_text: Mapped[str] = mapped_column(String(300), default="")
    caller_phone: Mapped[str] = mapped_column(String(50), default="")
    caller_email: Mapped[str] = mapped_column(String(254), default="")
    # The language the professional is written to in (fr, nl, en); "" on requests older than mail.
    caller_language: Mapped[str] = mapped_column(String(5), default="", server_default="")

    # The situation, without identity.
    age_band: Mapped[str] = mapped_column(String(20), default="")
    gender: Mapped[str] = mapped_column(String(20), default="")
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    residence_postcode: Mapped[str] = mapped_column(String(10), default="")
    residence_basin: Mapped[str] = mapped_column(String(20), default="")
    situation_flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    question: Mapped[str] = mapped_column(Text, default="")

    # Closing the loop with the asking professional.
    feedback_given: Mapped[bool | None] = mapped_column(Boolean)
    feedback_at: Mapped[datetime | None]
    feedback_channel: Mapped[str] = mapped_column(String(20), default="")
    feedback_text: Mapped[str] = mapped_column(Text, default="")
    feedback_missing_reason: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_answer_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    themes: Mapped[list[RequestTheme]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestTheme.theme_code"
    )
    leads: Mapped[list[Lead]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Lead.id"
    )
    unmet_needs: Mapped[list[UnmetNeed]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="UnmetNeed.id"
    )
    callbacks: Mapped[list[Callback]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Callback.due_at"
    )
    transfers: Mapped[list[Transfer]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Transfer.id"
    )
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestEvent.id"
    )
    caller_organisation: Mapped[Organisation | None] = relationship()

    @property
    def theme_codes(self) -> list[str]:
        return [t.theme_code for t in self.themes]

    def __repr__(self) -> str:
        return f"<HelpRequest {self.reference} {self.status}@{self.territory}>"


class RequestTheme(Base):
    __tablename__ = "request_themes"
    __table_args__ = (UniqueConstraint("request_id", "theme_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    theme_code: Mapped[str] = mapped_column(String(40), index=True)

    request: Mapped[HelpRequest] = relationship(back_populates="themes")

    def __repr__(self) -> str:
        return f"<RequestTheme {self.request_id} {self.theme_code}>"


class Lead(Base):
    """An organisation proposed for a request, with its own outcome."""

    __tablename__ = "leads"
    # The suggestions read the outcomes of a few dozen organisations' leads from this index alone.
    __table_args__ = (
        Index("ix_leads_organisation_history", "organisation_id", "updated_at", "outcome", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(20), default=LeadOutcome.PROPOSED.value)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    request: Mapped[HelpRequest] = relationship(back_populates="leads")
    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Lead {self.id} request={self.request_id} org={self.organisation_id} {self.outcome}>"


class UnmetNeed(Base):
    """A need for which no adequate answer exists, and why: the material of advocacy."""

    __tablename__ = "unmet_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    theme_code: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[HelpRequest] = relationship(back_populates="unmet_needs")

    def __repr__(self) -> str:
        return f"<UnmetNeed {self.reason}/{self.theme_code} request={self.request_id}>"


class Callback(Base):
    """A call back due at a date and time."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]  # done, or cancelled: off every to-do list either way
    cancelled_at: Mapped[datetime | None]  # cancelled rather than done (a transfer that does not carry it)

    request: Mapped[HelpRequest] = relationship(back_populates="callbacks")

    def __repr__(self) -> str:
        return f"<Callback {self.id} request={self.request_id} due={self.due_at}>"


class Transfer(Base):
    """A hand-over from one territory to another (``kind='transfer'``), or a share for advice (``'share'``)."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=TransferKind.TRANSFER.value)
    from_territory: Mapped[str] = mapped_column(String(20), index=True)
    to_territory: Mapped[str] = mapped_column(String(20), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[HelpRequest] = relationship(back_populates="transfers")

    def __repr__(self) -> str:
        return f"<Transfer {self.kind} {self.from_territory}->{self.to_territory} request={self.request_id}>"


class RequestEvent(Base):
    """One line of a request's timeline: who changed what, when. ``changes`` holds field names and values."""

    __tablename__ = "request_events"
    # The report looks up the requests that were ever reopened (helpdesk.reports.queries).
    __table_args__ = (Index("ix_request_events_kind_request", "kind", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    request: Mapped[HelpRequest] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<RequestEvent {self.kind} request={self.request_id}>"


class ReferenceCounter(Base):
    """The last number given per territory and year, so references are readable and never reused."""

    __tablename__ = "reference_counters"
    __table_args__ = (UniqueConstraint("territory", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<ReferenceCounter {self.territory} {self.year}={self.last_number}>"
