"""Leads (the organisations proposed to the asking professional, and what came of them) and unmet needs
(what nobody could offer, and why)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from directory_import.models import Organisation
from helpdesk.auth.models import User
from helpdesk.followup.changes import (
    RequestError,
    audit,
    guard_identity,
    record_event,
    require_open,
    start_work,
    touch,
)
from helpdesk.followup.models import HelpRequest, Lead, UnmetNeed
from helpdesk.followup.themes import all_themes
from helpdesk.forms import parse_id
from helpdesk.vocabularies import LeadOutcome, UnmetReason


def add_lead(
    session: Session,
    user: User,
    request: HelpRequest,
    organisation_id: int,
    *,
    outcome: str = LeadOutcome.PROPOSED.value,
    note: str = "",
    identity_confirmed: bool = False,
) -> Lead:
    require_open(request)
    guard_identity({"note": note}, identity_confirmed)
    if not LeadOutcome.has(outcome):
        raise RequestError("invalid", {"outcome": "invalid"})
    organisation = session.get(Organisation, organisation_id) if parse_id(organisation_id) else None
    if organisation is None:
        raise RequestError("invalid", {"organisation_id": "invalid"})
    if any(lead.organisation_id == organisation_id for lead in request.leads):
        raise RequestError("invalid", {"organisation_id": "duplicate"})
    touch(request, None)
    start_work(request, user)
    lead = Lead(organisation=organisation, outcome=outcome, note=note.strip(), created_by_id=user.id)
    request.leads.append(lead)
    session.flush()
    record_event(
        session,
        request,
        user,
        "lead_added",
        lead=lead.id,
        organisation=organisation.id,
        organisation_name=organisation.name_in("fr"),  # a record, in the directory's first language
        outcome=outcome,
        note=lead.note,
    )
    audit(session, user, "request.lead_add", request, lead=lead.id, organisation=organisation.id)
    session.flush()
    return lead


def update_lead(
    session: Session,
    user: User,
    request: HelpRequest,
    lead: Lead,
    *,
    outcome: str,
    note: str | None = None,
    identity_confirmed: bool = False,
) -> None:
    require_open(request)
    guard_identity({"note": note or ""}, identity_confirmed)
    if lead.request_id != request.id:
        raise RequestError("invalid", {"lead": "invalid"})
    if not LeadOutcome.has(outcome):
        raise RequestError("invalid", {"outcome": "invalid"})
    changes: dict[str, Any] = {}
    if outcome != lead.outcome:
        changes["outcome"] = [lead.outcome, outcome]
        lead.outcome = outcome
    if note is not None and note.strip() != lead.note:
        lead.note = note.strip()
        changes["note"] = lead.note
    if changes:
        touch(request, None)
        record_event(
            session,
            request,
            user,
            "lead_updated",
            lead=lead.id,
            organisation=lead.organisation_id,
            organisation_name=lead.organisation.name_in("fr"),
            **changes,
        )
        audit(session, user, "request.lead_update", request, lead=lead.id, fields=sorted(changes))
    session.flush()


def add_unmet_need(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    reason: str,
    theme_code: str = "",
    note: str = "",
    identity_confirmed: bool = False,
) -> UnmetNeed:
    require_open(request)
    guard_identity({"note": note}, identity_confirmed)
    errors = {}
    if not UnmetReason.has(reason):
        errors["reason"] = "invalid"
    if theme_code and theme_code not in {t.code for t in all_themes(session)}:
        errors["theme"] = "invalid"
    if errors:
        raise RequestError("invalid", errors)
    touch(request, None)
    start_work(request, user)
    need = UnmetNeed(reason=reason, theme_code=theme_code, note=note.strip(), created_by_id=user.id)
    request.unmet_needs.append(need)
    session.flush()
    record_event(
        session,
        request,
        user,
        "unmet_need_added",
        unmet_need=need.id,
        reason=reason,
        theme=theme_code,
        note=need.note,
    )
    audit(session, user, "request.unmet_need_add", request, reason=reason, theme=theme_code)
    session.flush()
    return need
