"""The audit trail: who read or changed what, and refusals. Never holds free text about a beneficiary."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from directory_import.models import Base, utcnow

logger = logging.getLogger(__name__)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. request.view, request.update, login.failed
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(60), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id} by {self.user_id}>"


def record_audit(
    session: Session,
    action: str,
    *,
    user_id: int | None,
    object_type: str = "",
    object_id: object = "",
    details: dict[str, Any] | None = None,
    remote_addr: str = "",
) -> AuditEvent:
    """Add one audit row (flushed with the caller's transaction). ``details`` must hold no free text."""
    event = AuditEvent(
        action=action,
        user_id=user_id,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        details=details or {},
        remote_addr=remote_addr,
    )
    session.add(event)
    logger.info("audit %s %s:%s user=%s", action, object_type, object_id, user_id)
    return event
