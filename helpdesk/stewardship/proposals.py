"""Operations on proposals: an operator proposes changes of an organisation (or its closure, or a new
organisation), a coordinator accepts them (edited or not) or refuses them with a reason, and the proposer is
told. Accepting puts the values in force at once (``overlays.apply_overlay``); a new organisation becomes a
local one. Each operation flushes and audits, never commits; the caller reindexes the ids it returns.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory_import import territory
from directory_import.dedupe import resembling
from directory_import.models import LOCAL_SOURCE, Organisation, utcnow
from helpdesk.audit import record_audit
from helpdesk.auth.models import User
from helpdesk.identity import check_texts
from helpdesk.notify.models import Notification
from helpdesk.notify.operations import preferences_of
from helpdesk.stewardship.fields import (
    FIELDS,
    NAME_FIELDS,
    NEW_FIELDS,
    OTHER,
    FieldsInvalid,
    clean_changes,
    read_value,
    same_value,
    write_value,
)
from helpdesk.stewardship.models import STATUSES, Proposal, ProposalChange
from helpdesk.stewardship.overlays import STATUS, apply_overlay


class ProposalError(ValueError):
    """A proposal that cannot be made or decided: ``code`` is ``archived`` (the organisation left the
    directory), ``decided`` (someone decided it already) or ``reason`` (a refusal needs one)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _check_status(status: str, until: date | None) -> dict[str, str]:
    if status and status not in STATUSES:
        return {"status": _("Unknown state.")}
    if status == "full" and until is None:
        return {"until": _("Say until when it is full.")}
    if until is not None and not status:
        return {"until": _("A date goes with a closure or “full until”.")}
    if until is not None and until < date.today():
        return {"until": _("This date is past.")}
    return {}


def _changes_rows(values: dict[str, Any], current: Organisation | None) -> list[ProposalChange]:
    return [
        ProposalChange(
            field=field,
            directory_value=read_value(current, field) if current is not None else None,
            proposed_value=value,
        )
        for field, value in values.items()
    ]


def propose_changes(
    session: Session,
    user: User,
    org: Organisation,
    changes: dict[str, Any],
    *,
    status: str = "",
    until: date | None = None,
    note: str = "",
    identity_confirmed: bool = False,
) -> Proposal:
    """A proposal of ``changes`` (field: value as typed or sent; only fields whose value differs from the
    directory's are kept) and/or of a ``status`` (``temporarily_closed``, ``full`` until ``until``, ``closed``)
    for ``org``. Raises ``ProposalError("archived")`` for an archived organisation, ``FieldsInvalid`` naming
    each field refused, ``IdentityFound`` when the note names someone (the identity guard of notes). Flushes."""
    if org.archived:
        raise ProposalError("archived")
    check_texts({"note": note}, confirmed=identity_confirmed)
    errors = _check_status(status, until)
    try:
        cleaned = clean_changes(session, changes, FIELDS)
    except FieldsInvalid as invalid:
        errors = {**invalid.fields, **errors}
        cleaned = {}
    if errors:
        raise FieldsInvalid(errors)
    cleaned = {
        field: value
        for field, value in cleaned.items()
        if not same_value(field, read_value(org, field), value)
    }
    if not cleaned and not status:
        raise FieldsInvalid({"changes": _("Change at least one value, or propose a closure.")})
    proposal = Proposal(
        kind="change",
        organisation_id=org.id,
        status=status,
        status_until=until,
        note=note.strip()[:2000],
        proposer_id=user.id,
        territory=user.territory,
        basin=org.basin,
        duplicates_seen=[],
    )
    proposal.changes = _changes_rows(cleaned, org)
    session.add(proposal)
    session.flush()
    record_audit(
        session,
        "proposal.create",
        user_id=user.id,
        object_type="organisation",
        object_id=org.id,
        details={"proposal": proposal.id, "fields": sorted(cleaned), "status": status},
    )
    return proposal


def clean_new_organisation(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of a new organisation, cleaned; ``FieldsInvalid`` when one is wrong or no name is given."""
    cleaned = clean_changes(session, values, NEW_FIELDS)
    if not any(cleaned.get(name) for name in NAME_FIELDS):
        raise FieldsInvalid({"name_fr": _("Give the organisation's name (in French or in Dutch).")})
    return {field: value for field, value in cleaned.items() if value not in ("", [], None)}


def likely_duplicates(session: Session, cleaned: dict[str, Any]) -> list[tuple[Organisation, float]]:
    """Organisations of the directory that may be the new one (the duplicate detection of the admin's
    duplicates page, run against the proposal), best first, with their score."""
    address = cleaned.get("address") or {}
    found = resembling(
        session,
        tuple(str(cleaned.get(name, "")) for name in NAME_FIELDS),
        str(address.get("postcode", "")),
        tuple(cleaned.get("phones") or ()),
    )
    orgs = {
        o.id: o
        for o in session.scalars(select(Organisation).where(Organisation.id.in_([r.id for r in found])))
    }
    return [(orgs[r.id], r.score) for r in found if r.id in orgs]


def propose_organisation(
    session: Session,
    user: User,
    values: dict[str, Any],
    *,
    note: str = "",
    duplicates_seen: list[int] | None = None,
    identity_confirmed: bool = False,
) -> Proposal:
    """A proposal of an organisation the directory lacks (its fields as ``propose_changes`` takes them, a
    name required). ``duplicates_seen``: the likely duplicates the proposer was shown and set aside."""
    check_texts({"note": note}, confirmed=identity_confirmed)
    cleaned = clean_new_organisation(session, values)
    postcode = str((cleaned.get("address") or {}).get("postcode", ""))
    proposal = Proposal(
        kind="new",
        note=note.strip()[:2000],
        proposer_id=user.id,
        territory=user.territory,
        basin=territory.basin_for_postcode(postcode) if postcode else territory.OUTSIDE,
        duplicates_seen=list(duplicates_seen or []),
    )
    proposal.changes = _changes_rows(cleaned, None)
    session.add(proposal)
    session.flush()
    record_audit(
        session,
        "proposal.create",
        user_id=user.id,
        object_type="proposal",
        object_id=proposal.id,
        details={"kind": "new", "fields": sorted(cleaned), "duplicates_seen": proposal.duplicates_seen},
    )
    return proposal


def _edited(session: Session, proposal: Proposal, edits: dict[str, Any] | None) -> dict[str, Any]:
    if not edits:
        return {}
    allowed = tuple(change.field for change in proposal.changes if change.field != OTHER)
    return clean_changes(session, edits, allowed)


def _local_organisation(session: Session, proposal: Proposal, values: dict[str, Any]) -> Organisation:
    org = Organisation(source=LOCAL_SOURCE, source_id=f"helpdesk-{proposal.id}", content_hash="")
    for field, value in values.items():
        write_value(org, field, value)
    session.add(org)
    session.flush()
    return org


def accept_proposal(
    session: Session, user: User, proposal: Proposal, edits: dict[str, Any] | None = None
) -> list[int]:
    """Accept ``proposal``, with ``edits`` (field: value) replacing proposed values first: the values are in
    force at once (overlays; for a new organisation, a local organisation). Returns the organisation ids to
    reindex. ``ProposalError`` (``decided``, ``archived``), ``FieldsInvalid``. Flushes."""
    if proposal.state != "pending":
        raise ProposalError("decided")
    edited = _edited(session, proposal, edits)
    for change in proposal.changes:
        change.accepted_value = edited.get(change.field, change.proposed_value)
    if proposal.kind == "new":
        values = {c.field: c.accepted_value for c in proposal.changes if c.field in NEW_FIELDS}
        org = _local_organisation(session, proposal, values)
        proposal.organisation_id = org.id
        proposal.basin = org.basin
    else:
        existing = proposal.organisation
        if existing is None or existing.archived:
            raise ProposalError("archived")
        org = existing
        for change in proposal.changes:
            if change.field in FIELDS:
                apply_overlay(session, org, change.field, change.accepted_value, proposal_id=proposal.id)
        if proposal.status:
            until = proposal.status_until.isoformat() if proposal.status_until else None
            apply_overlay(
                session, org, STATUS, {"status": proposal.status, "until": until}, proposal_id=proposal.id
            )
    _decided(
        session, user, proposal, "accepted", organisation=org.id, edited=sorted(edited), kind=proposal.kind
    )
    return [org.id]


def _decided(session: Session, user: User, proposal: Proposal, state: str, **details: Any) -> None:
    proposal.state = state
    proposal.decided_at = utcnow()
    proposal.decided_by_id = user.id
    session.flush()
    action = "proposal.accept" if state == "accepted" else "proposal.refuse"
    record_audit(
        session, action, user_id=user.id, object_type="proposal", object_id=proposal.id, details=details
    )
    notify_proposer(session, proposal)


def refuse_proposal(session: Session, user: User, proposal: Proposal, reason: str) -> None:
    """Refuse ``proposal``; the reason is shown to the proposer. ``ProposalError`` (``decided``,
    ``reason``). Flushes."""
    if proposal.state != "pending":
        raise ProposalError("decided")
    reason = reason.strip()
    if not reason:
        raise ProposalError("reason")
    proposal.refusal_reason = reason[:2000]
    _decided(session, user, proposal, "refused", organisation=proposal.organisation_id)


def notify_proposer(session: Session, proposal: Proposal) -> Notification | None:
    """Tell the proposer the outcome, in the application and by mail as their choice for ``proposal``
    notifications says (none when they decided it themselves or turned it off)."""
    proposer_id = proposal.proposer_id
    if proposer_id is None or proposer_id == proposal.decided_by_id:
        return None
    mode = preferences_of(session, proposer_id).get("proposal", "off")
    if mode == "off":
        return None
    notification = Notification(
        key=f"{proposer_id}:proposal:{proposal.id}",
        kind="proposal",
        detail=proposal.state,
        user_id=proposer_id,
        proposal_id=proposal.id,
        territory=proposal.basin,
        mail_state="pending" if mode == "immediate" else "digest",
        created_at=utcnow(),
    )
    session.add(notification)
    session.flush()
    return notification


# Reading -------------------------------------------------------------------------------------------------


def _listing():
    return select(Proposal).options(selectinload(Proposal.changes), selectinload(Proposal.organisation))


def proposals_to_review(
    session: Session, basins: tuple[str, ...] | None, state: str = "pending", limit: int = 200
) -> list[Proposal]:
    """Proposals in ``state`` for the coordinators of ``basins`` (None: all), oldest pending first."""
    query = _listing().where(Proposal.state == state)
    if basins is not None:
        query = query.where(Proposal.basin.in_(basins))
    order = Proposal.created_at if state == "pending" else Proposal.decided_at.desc()
    return list(session.scalars(query.order_by(order, Proposal.id).limit(limit)))


def proposals_of(session: Session, user: User, limit: int = 200) -> list[Proposal]:
    return list(
        session.scalars(
            _listing()
            .where(Proposal.proposer_id == user.id)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(limit)
        )
    )


def pending_on(session: Session, organisation_id: int) -> list[Proposal]:
    return list(
        session.scalars(
            _listing()
            .where(Proposal.organisation_id == organisation_id, Proposal.state == "pending")
            .order_by(Proposal.created_at)
        )
    )


def accepted_between(session: Session, start, end) -> list[Proposal]:
    """Proposals accepted in ``[start, end)``, oldest first: what an export back to the directory carries."""
    return list(
        session.scalars(
            _listing()
            .where(Proposal.state == "accepted", Proposal.decided_at >= start, Proposal.decided_at < end)
            .order_by(Proposal.decided_at, Proposal.id)
        )
    )
