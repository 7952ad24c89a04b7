"""Marking an organisation verified, reading its last verification, and the list of organisations to verify
(see ``helpdesk.verification.reasons``). Operations flush, never commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from directory_import.models import Organisation, utcnow
from helpdesk.audit import record_audit
from helpdesk.auth.models import User
from helpdesk.identity import check_texts
from helpdesk.verification.models import NOTE_MAX_CHARS, OrganisationVerification
from helpdesk.verification.reasons import REASONS, ReasonContext, VerificationReason


class VerificationError(ValueError):
    """The verification is refused; the code says why (``archived``, ``note_too_long``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def verify_organisation(
    session: Session,
    user: User,
    organisation: Organisation,
    *,
    note: str = "",
    identity_confirmed: bool = False,
    via: str = "web",
) -> OrganisationVerification:
    """Record that ``user`` confirmed ``organisation``'s details now, audited as ``organisation.verify``.
    An archived organisation is refused; the note goes through the identity guard (``IdentityFound``)."""
    if organisation.archived:
        raise VerificationError("archived")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise VerificationError("note_too_long")
    check_texts({"note": note}, confirmed=identity_confirmed)
    verification = OrganisationVerification(
        organisation_id=organisation.id, verified_by_id=user.id, verified_at=utcnow(), note=note
    )
    session.add(verification)
    session.flush()
    record_audit(
        session,
        "organisation.verify",
        user_id=user.id,
        object_type="organisation",
        object_id=organisation.id,
        details={"verification": verification.id, "via": via},
    )
    return verification


def last_verification(session: Session, organisation_id: int) -> OrganisationVerification | None:
    """The latest verification of the organisation (its "last verified by the helpdesk"), or None."""
    return session.scalars(
        select(OrganisationVerification)
        .where(OrganisationVerification.organisation_id == organisation_id)
        .order_by(OrganisationVerification.verified_at.desc(), OrganisationVerification.id.desc())
        .limit(1)
    ).first()


def verifier_name(verification: OrganisationVerification | None) -> str:
    """Who verified, as pages and the API name them ("" when nobody, or the account is gone)."""
    user = verification.verified_by if verification is not None else None
    return (user.name or user.email) if user is not None else ""


# ---------------------------------------------------------------- the list to verify


@dataclass(frozen=True)
class ToVerifyHit:
    """One organisation of the list, with its last verification and the codes of the reasons that hold."""

    organisation: Organisation
    last_verified_at: datetime | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ToVerifyReport:
    """One page of the list, and the counts per basin of the whole scope (``counts[basin][code]``, with
    ``"total"``: organisations with at least one reason), whatever the filters."""

    counts: dict[str, dict[str, int]]
    hits: list[ToVerifyHit]
    total: int  # organisations matching the filters
    page: int
    pages: int


def _conditions(
    last_verified: ColumnElement, windows: Mapping[str, int], now: datetime
) -> dict[str, ColumnElement[bool]]:
    return {
        r.code: r.condition(ReasonContext(now, last_verified, windows.get(r.setting, 0) if r.setting else 0))
        for r in REASONS
    }


def _last_verified_subquery():
    return (
        select(
            OrganisationVerification.organisation_id.label("organisation_id"),
            func.max(OrganisationVerification.verified_at).label("verified_at"),
        )
        .group_by(OrganisationVerification.organisation_id)
        .subquery("last_verification")
    )


def _scoped(stmt: Select, basins: Sequence[str]) -> Select:
    return stmt.where(Organisation.archived.is_(False), Organisation.basin.in_(list(basins)))


def to_verify(
    session: Session,
    *,
    basins: Sequence[str],
    windows: Mapping[str, int],
    now: datetime | None = None,
    reason: VerificationReason | None = None,
    basin: str = "",
    page: int = 1,
    page_size: int = 50,
) -> ToVerifyReport:
    """The organisations of ``basins`` (not archived) for which a reason holds, oldest verification first,
    one page of ``page_size``, filtered by ``reason`` and ``basin`` when given. ``windows``: each reason's
    setting (``VERIFICATION_MAX_AGE_DAYS``...) to its number of days."""
    now = now or utcnow()
    last = _last_verified_subquery()
    conditions = _conditions(last.c.verified_at, windows, now)
    any_reason = or_(*conditions.values())
    joined = select().select_from(Organisation).outerjoin(last, last.c.organisation_id == Organisation.id)

    counted = _scoped(
        joined.add_columns(
            Organisation.basin,
            func.count(Organisation.id),
            *[func.sum(case((cond, 1), else_=0)) for cond in conditions.values()],
        ).where(any_reason),
        basins,
    ).group_by(Organisation.basin)
    counts: dict[str, dict[str, int]] = {b: {"total": 0, **{code: 0 for code in conditions}} for b in basins}
    for row in session.execute(counted):
        counts[row[0]] = {
            "total": int(row[1]),
            **{code: int(n or 0) for code, n in zip(conditions, row[2:], strict=True)},
        }

    wanted = conditions[reason.code] if reason is not None else any_reason
    listed = _scoped(joined.where(wanted), basins)
    if basin:
        listed = listed.where(Organisation.basin == basin)
    total = session.scalar(listed.add_columns(func.count(Organisation.id))) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = session.execute(
        listed.add_columns(
            Organisation, last.c.verified_at, *[c.label(f"r_{code}") for code, c in conditions.items()]
        )
        .order_by(last.c.verified_at.is_not(None), last.c.verified_at, Organisation.name_fr, Organisation.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    hits = [
        ToVerifyHit(
            organisation=row[0],
            last_verified_at=row[1],
            reasons=tuple(code for code, held in zip(conditions, row[2:], strict=True) if held),
        )
        for row in rows
    ]
    return ToVerifyReport(counts=counts, hits=hits, total=total, page=page, pages=pages)
