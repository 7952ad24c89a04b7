"""Local overlays: the helpdesk's accepted values over the source's, kept through every sync.

An overlay is written into the organisation's columns at once (pages, API and the search index read the
values in force there) and remembers what the source said (``source_value``, and the content hash the
organisation had then). After each import ``reapply_overlays`` looks at every overlay in force: where the sync
wrote the source's value over it, the overlay goes back on top; where the export now brings the overlay's
own value, the overlay retires itself; where the export brings another new value, the overlay stays in force
and is flagged for a coordinator to settle (keep it, or drop it for the source's value). Operations flush,
never commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from directory_import.models import LOCAL_SOURCE, Organisation, utcnow
from helpdesk.audit import record_audit
from helpdesk.stewardship.fields import read_value, write_value
from helpdesk.stewardship.models import Overlay

STATUS = "status"
IN_FORCE = ("active", "review")


def _note(overlay: Overlay, event: str, **extra: Any) -> None:
    overlay.history = [*(overlay.history or []), {"at": utcnow().isoformat(), "event": event, **extra}]


def _read(org: Organisation, field: str) -> Any:
    if field == STATUS:
        return {"archived": bool(org.archived)}
    return read_value(org, field)


def _write(org: Organisation, field: str, value: Any) -> None:
    if field == STATUS:
        closed = (value or {}).get("status") == "closed" or (value or {}).get("archived") is True
        if closed and not org.archived:
            org.archived, org.archived_at = True, utcnow()
        elif not closed and org.archived and org.merged_into_id is None:
            org.archived, org.archived_at = False, None
        return
    write_value(org, field, value)


def overlays_in_force(session: Session, organisation_id: int) -> list[Overlay]:
    return list(
        session.scalars(
            select(Overlay)
            .where(Overlay.organisation_id == organisation_id, Overlay.state.in_(IN_FORCE))
            .order_by(Overlay.id)
        )
    )


def overlay_history(session: Session, organisation_id: int) -> list[Overlay]:
    """Every overlay the organisation had, retired ones included, newest first."""
    return list(
        session.scalars(
            select(Overlay).where(Overlay.organisation_id == organisation_id).order_by(Overlay.id.desc())
        )
    )


def _in_force(session: Session, organisation_id: int, field: str) -> Overlay | None:
    return session.scalar(
        select(Overlay).where(
            Overlay.organisation_id == organisation_id, Overlay.field == field, Overlay.state.in_(IN_FORCE)
        )
    )


def _retire(overlay: Overlay, event: str, **extra: Any) -> None:
    overlay.state = "retired"
    overlay.retired_at = utcnow()
    _note(overlay, event, **extra)


def apply_overlay(
    session: Session, org: Organisation, field: str, value: Any, *, proposal_id: int | None = None
) -> Overlay | None:
    """Put ``value`` in force for ``field`` of ``org`` (replacing the overlay in force on that field, if
    any). On a local organisation, or when the value is the source's own, the column changes and no overlay
    is kept (a closure or "full until" is always kept: the directory has no column for it). Returns the overlay (None then). Flushes."""
    previous = _in_force(session, org.id, field)
    source_value = previous.source_value if previous is not None else _read(org, field)
    if previous is not None:
        _retire(previous, "replaced", proposal=proposal_id)
    _write(org, field, value)
    org.updated_at = utcnow()
    if field != STATUS and (org.source == LOCAL_SOURCE or value == source_value):
        session.flush()
        return None
    overlay = Overlay(
        organisation_id=org.id,
        field=field,
        value=value,
        source_value=source_value,
        source_hash=org.content_hash,
        proposal_id=proposal_id,
        state="active",
        since=utcnow(),
        history=[],
    )
    _note(overlay, "applied", proposal=proposal_id)
    session.add(overlay)
    session.flush()
    return overlay


def _status_again(overlay: Overlay, org: Organisation) -> bool:
    """A permanent closure the sync undid (it restores what its export still lists) is put back."""
    closed = (overlay.value or {}).get("status") == "closed"
    if closed and not org.archived:
        _write(org, STATUS, overlay.value)
        overlay.source_hash = org.content_hash
        _note(overlay, "reapplied")
        return True
    return False


def reapply_overlays(session: Session, organisation_ids: set[int] | None = None) -> list[int]:
    """After a sync: put each overlay in force back on top of what the source wrote, retire those whose
    value the source now brings, flag those whose field the source changed to another value. Returns the ids
    of the organisations whose columns changed (to reindex). Flushes."""
    query = (
        select(Overlay)
        .where(Overlay.state.in_(IN_FORCE))
        .options(joinedload(Overlay.organisation))
        .order_by(Overlay.id)
    )
    if organisation_ids is not None:
        query = query.where(Overlay.organisation_id.in_(organisation_ids))
    changed: set[int] = set()
    for overlay in session.scalars(query).unique():
        org = overlay.organisation
        if org.merged_into_id is not None:
            continue
        if overlay.field == STATUS:
            if _status_again(overlay, org):
                changed.add(org.id)
            continue
        current = read_value(org, overlay.field)
        rewritten = org.content_hash != overlay.source_hash
        if current == overlay.value:
            if rewritten:  # the export now says what the helpdesk said: the overlay has done its work
                _retire(overlay, "retired", reason="source_agrees")
                _audit(session, "overlay.retire", overlay, None)
            continue
        if current == overlay.source_value:
            _note(overlay, "reapplied")
        else:  # the source moved to another value: the helpdesk's stays in force until a person decides
            _note(overlay, "flagged", previous_source_value=overlay.source_value, source_value=current)
            overlay.source_value = current
            overlay.state = "review"
            _audit(session, "overlay.flag", overlay, None)
        overlay.source_hash = org.content_hash
        _write(org, overlay.field, overlay.value)
        org.updated_at = utcnow()
        changed.add(org.id)
    session.flush()
    return sorted(changed)


def _audit(session: Session, action: str, overlay: Overlay, user_id: int | None) -> None:
    record_audit(
        session,
        action,
        user_id=user_id,
        object_type="organisation",
        object_id=overlay.organisation_id,
        details={"overlay": overlay.id, "field": overlay.field},
    )


def keep_overlay(session: Session, overlay: Overlay, user_id: int) -> None:
    """A coordinator keeps the helpdesk's value over the source's new one. Flushes."""
    overlay.state = "active"
    _note(overlay, "kept", by=user_id)
    _audit(session, "overlay.keep", overlay, user_id)
    session.flush()


def drop_overlay(session: Session, overlay: Overlay, user_id: int) -> None:
    """End an overlay: the source's value is in force again. Flushes."""
    org = overlay.organisation
    _write(org, overlay.field, overlay.source_value)
    org.updated_at = utcnow()
    _retire(overlay, "dropped", by=user_id)
    _audit(session, "overlay.drop", overlay, user_id)
    session.flush()


def carry_overlays(session: Session, keep: Organisation, drop: Organisation) -> int:
    """At a merge: the overlays in force on ``drop`` go to ``keep`` (put in force on its columns), unless
    ``keep`` has its own on that field; a permanent closure of ``drop`` stays behind. How many moved."""
    moved = 0
    for overlay in overlays_in_force(session, drop.id):
        closed = overlay.field == STATUS and (overlay.value or {}).get("status") == "closed"
        if closed or _in_force(session, keep.id, overlay.field) is not None:
            _retire(overlay, "retired", reason="merged", into=keep.id)
            continue
        overlay.source_value = _read(keep, overlay.field)
        overlay.source_hash = keep.content_hash
        overlay.organisation_id = keep.id
        overlay.organisation = keep
        _note(overlay, "moved", from_organisation=drop.id)
        _write(keep, overlay.field, overlay.value)
        moved += 1
    if moved:
        keep.updated_at = utcnow()
    session.flush()
    return moved


def review_overlays(session: Session, basins: tuple[str, ...] | None) -> list[Overlay]:
    """Overlays flagged after a sync, for the coordinators of ``basins`` (None: all)."""
    query = (
        select(Overlay)
        .join(Organisation, Organisation.id == Overlay.organisation_id)
        .where(Overlay.state == "review")
        .options(joinedload(Overlay.organisation))
        .order_by(Overlay.id)
    )
    if basins is not None:
        query = query.where(Organisation.basin.in_(basins))
    return list(session.scalars(query).unique())


def status_in_force(session: Session, organisation_id: int) -> dict[str, Any] | None:
    """The closure or "full until" in force on an organisation (``{"status", "until"}``), or None."""
    overlay = _in_force(session, organisation_id, STATUS)
    return dict(overlay.value or {}) if overlay is not None else None


def closed_for_now(session: Session, today: date | None = None) -> set[int]:
    """The organisations a closure or "full until" in force says closed today (the suggestions lower them as
    they do a record whose remarks say so)."""
    today = today or date.today()
    closed = set()
    rows = session.execute(
        select(Overlay.organisation_id, Overlay.value).where(
            Overlay.field == STATUS, Overlay.state.in_(IN_FORCE)
        )
    )
    for organisation_id, value in rows:
        value = value or {}
        until = value.get("until")
        if value.get("status") in ("temporarily_closed", "full") and (
            not until or until >= today.isoformat()
        ):
            closed.add(organisation_id)
    return closed
