"""Why an organisation is on the coordinators' list to verify: a small registry of reasons.

Each reason is a SQL condition on ``Organisation`` (and the time of its last verification by the helpdesk), so
the list, its filters, its counts per basin and its pages are all computed by the database. A reason is
cleared by a verification made after what raised it (a pending proposal made before the last verification no
longer counts: the operator who verified saw it; a closure's date passed before it neither). To add one,
append a ``VerificationReason`` to ``REASONS``: the page, its filter, the counts and the documentation's
table follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ColumnElement, String, and_, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from directory_import.models import Organisation
from helpdesk.followup.models import Lead
from helpdesk.stewardship.models import Overlay, Proposal
from helpdesk.stewardship.overlays import IN_FORCE, STATUS
from helpdesk.vocabularies import LeadOutcome


class utc_day(FunctionElement[str]):
    """The UTC calendar day (``YYYY-MM-DD``) of a ``UTCDateTime`` column, as text, to compare with the
    source's dates (kept as ISO text)."""

    type = String()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps UTC instants as "YYYY-MM-DD HH:MM:SS.ffffff" (UTCDateTime converts them on the way in).
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@dataclass(frozen=True)
class ReasonContext:
    """What a reason's condition is built from: the moment of the list, the column holding the organisation's
    last verification (NULL when never verified) and the reason's window in days (its setting's value)."""

    now: datetime
    last_verified: ColumnElement
    days: int

    @property
    def since(self) -> datetime:
        return self.now - timedelta(days=self.days)


@dataclass(frozen=True)
class VerificationReason:
    code: str
    label: LazyString  # a column heading and a filter's option
    explanation: LazyString  # one sentence with %(days)s, shown under the counts
    setting: str  # the configuration key of its window in days ("" when it has none)
    condition: Callable[[ReasonContext], ColumnElement[bool]]


def _stale(ctx: ReasonContext) -> ColumnElement[bool]:
    return or_(ctx.last_verified.is_(None), ctx.last_verified < ctx.since)


def _unreachable(ctx: ReasonContext) -> ColumnElement[bool]:
    # A lead's outcome is the last change of the lead (``updated_at``): the moment it was answered.
    return exists(
        select(Lead.id).where(
            Lead.organisation_id == Organisation.id,
            Lead.outcome == LeadOutcome.UNREACHABLE.value,
            Lead.updated_at >= ctx.since,
            or_(ctx.last_verified.is_(None), Lead.updated_at > ctx.last_verified),
        )
    )


def _source_changed(ctx: ReasonContext) -> ColumnElement[bool]:
    # The source's date is ISO text ("2023-03-14", or with a time after it); any other text never matches.
    day = func.substr(Organisation.source_updated_at, 1, 10)
    return and_(
        day >= ctx.since.date().isoformat(),
        day <= ctx.now.date().isoformat(),
        or_(ctx.last_verified.is_(None), utc_day(ctx.last_verified) < day),
    )


def _proposal_pending(ctx: ReasonContext) -> ColumnElement[bool]:
    return exists(
        select(Proposal.id).where(
            Proposal.organisation_id == Organisation.id,
            Proposal.state == "pending",
            or_(ctx.last_verified.is_(None), Proposal.created_at > ctx.last_verified),
        )
    )


def _closure_past_date(ctx: ReasonContext) -> ColumnElement[bool]:
    # An accepted temporary closure or "full until" in force whose date (ISO text in the overlay's JSON) is
    # past: is it open again? A verification after that date clears it.
    until = Overlay.value["until"].as_string()
    return exists(
        select(Overlay.id).where(
            Overlay.organisation_id == Organisation.id,
            Overlay.field == STATUS,
            Overlay.state.in_(IN_FORCE),
            Overlay.value["status"].as_string().in_(("temporarily_closed", "full")),
            until < ctx.now.date().isoformat(),
            or_(ctx.last_verified.is_(None), utc_day(ctx.last_verified) <= until),
        )
    )


REASONS: tuple[VerificationReason, ...] = (
    VerificationReason(
        "stale",
        _l("Not verified for a long time"),
        _l("Never verified by the helpdesk, or last verified more than %(days)s days ago."),
        "VERIFICATION_MAX_AGE_DAYS",
        _stale,
    ),
    VerificationReason(
        "unreachable",
        _l("Unreachable"),
        _l(
            "A lead to it was answered “unreachable” in the last %(days)s days, and nobody verified it since."
        ),
        "VERIFICATION_UNREACHABLE_DAYS",
        _unreachable,
    ),
    VerificationReason(
        "source_changed",
        _l("Changed in the source"),
        _l("The source updated it in the last %(days)s days, and nobody verified it since."),
        "VERIFICATION_SOURCE_CHANGED_DAYS",
        _source_changed,
    ),
    VerificationReason(
        "proposal_pending",
        _l("Proposal pending"),
        _l("A proposal on it waits for a coordinator's decision, made since it was last verified."),
        "",
        _proposal_pending,
    ),
    VerificationReason(
        "closure_past_date",
        _l("Closure past its date"),
        _l("An accepted temporary closure or “full until” has passed its date: is it open again?"),
        "",
        _closure_past_date,
    ),
)


def reason(code: str) -> VerificationReason | None:
    """The reason of ``code``, or None when there is none."""
    return next((r for r in REASONS if r.code == code), None)
