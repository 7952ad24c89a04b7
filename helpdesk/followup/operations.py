"""Operations on a help request's life. Each takes a session and the acting user, records the change in the
request's timeline (``RequestEvent``) and in the audit trail (no free text there), flushes, never commits.

Raised errors carry a code and the fields at fault (``RequestError``); views and the API turn them into
messages in the user's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from directory_import.models import Organisation, utcnow
from directory_import.territory import TERRITORIES, basin_for_postcode, normalize_postcode
from directory_import.territory import transfer_targets as territory_transfer_targets
from helpdesk.audit import record_audit
from helpdesk.auth.models import User
from helpdesk.followup.identity import IdentityFound, check_texts
from helpdesk.followup.models import (
    Callback,
    Channel,
    HelpRequest,
    Lead,
    LeadOutcome,
    ReferenceCounter,
    RequestEvent,
    RequestTheme,
    Status,
    Transfer,
    UnmetNeed,
    UnmetReason,
    Urgency,
)
from helpdesk.followup.themes import all_themes
from helpdesk.forms import in_calendar, parse_id

logger = logging.getLogger(__name__)

REFERENCE_PREFIXES = {
    "nord": "NORD",
    "nord-est": "NE",
    "centre-ouest": "CO",
    "sud": "SUD",
    "sud-est": "SE",
    "region": "REG",
}
AGE_BANDS = ("0-11", "12-17", "18-24", "25-44", "45-64", "65-79", "80+")
GENDERS = ("woman", "man", "other")
SITUATION_FLAGS = (
    "no_fixed_address",
    "no_health_insurance",
    "no_legal_residence",
    "isolated",
    "disability",
    "language_barrier",
    "children",
    "income_support",
)
FEEDBACK_CHANNELS = ("phone", "email", "walk_in", "video", "other")
# Keys of RequestEvent.changes that may hold free text: blanked by anonymisation.
TEXT_KEYS = ("note", "question", "feedback", "missing_reason")


class RequestError(Exception):
    """A change that cannot be made; ``code`` names it, ``fields`` maps field names to error codes."""

    def __init__(self, code: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code, self.fields = code, fields or {}


class VersionConflict(RequestError):
    """Somebody else changed the request since the form was shown."""

    def __init__(self) -> None:
        super().__init__("version_conflict")


@dataclass
class CallerRecord:
    name: str = ""
    function: str = ""
    sector: str = ""
    organisation_id: int | None = None
    organisation_text: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class IntakeRecord:
    """What an operator types at intake (or a tool sends to the API)."""

    territory: str
    channel: str = Channel.PHONE.value
    caller: CallerRecord = field(default_factory=CallerRecord)
    age_band: str = ""
    gender: str = ""
    languages: list[str] = field(default_factory=list)
    residence_postcode: str = ""
    situation_flags: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    question: str = ""
    urgency: str = Urgency.NORMAL.value
    identity_confirmed: bool = False


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _event(session: Session, request: HelpRequest, user: User | None, kind: str, **changes: Any) -> None:
    session.add(RequestEvent(request=request, user_id=user.id if user else None, kind=kind, changes=changes))


def _audit(session: Session, user: User | None, action: str, request: HelpRequest, **details: Any) -> None:
    record_audit(
        session,
        action,
        user_id=user.id if user else None,
        object_type="help_request",
        object_id=request.id,
        details=details,
    )


def guard_identity(texts: dict[str, str], confirmed: bool) -> None:
    """Free text others read must not identify the beneficiary (``helpdesk.followup.identity``).

    A national register or BIS number or a date of birth raises ``identity_refused``, confirmed or not; a
    warning (a name, a personal e-mail or phone...) raises ``identity_suspected`` until the operator confirms.
    ``fields`` maps each field at fault to its kinds, comma-separated."""
    try:
        check_texts(texts, confirmed=confirmed)
    except IdentityFound as found:
        fields = {name: ",".join(kinds) for name, kinds in found.fields.items()}
        raise RequestError("identity_refused" if found.refused else "identity_suspected", fields) from None


def _touch(request: HelpRequest, expected_version: int | None) -> None:
    """Check the version the user saw, and bump it: a concurrent writer gets a conflict, not a lost update."""
    if expected_version is not None and expected_version != request.version:
        raise VersionConflict()
    request.updated_at = utcnow()


def next_reference(session: Session, territory: str, year: int) -> str:
    """The next readable reference (``SUD-2026-00042``) of ``territory`` for ``year``.

    One row per territory and year, incremented by a single UPDATE ... RETURNING: the row lock (PostgreSQL)
    or the write lock taken at BEGIN IMMEDIATE (SQLite) serialises concurrent intakes, so no number repeats.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(ReferenceCounter)
        .values(territory=territory, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["territory", "year"])
    )
    number = session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.territory == territory, ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    ).scalar_one()
    return f"{REFERENCE_PREFIXES.get(territory, territory.upper())}-{year}-{number:05d}"


def _check_choices(record: IntakeRecord, session: Session) -> dict[str, str]:
    errors: dict[str, str] = {}
    if record.territory not in TERRITORIES:
        errors["territory"] = "invalid"
    if record.channel not in {c.value for c in Channel}:
        errors["channel"] = "invalid"
    if record.urgency not in {u.value for u in Urgency}:
        errors["urgency"] = "invalid"
    if record.age_band and record.age_band not in AGE_BANDS:
        errors["age_band"] = "invalid"
    if record.gender and record.gender not in GENDERS:
        errors["gender"] = "invalid"
    if any(f not in SITUATION_FLAGS for f in record.situation_flags):
        errors["situation_flags"] = "invalid"
    codes = {t.code for t in all_themes(session) if t.active}
    if any(code not in codes for code in record.themes):
        errors["themes"] = "invalid"
    if not record.question.strip():
        errors["question"] = "required"
    if not (
        record.caller.name.strip() or record.caller.organisation_text.strip() or record.caller.organisation_id
    ):
        errors["caller"] = "required"
    if (
        record.caller.organisation_id is not None
        and (
            parse_id(record.caller.organisation_id) is None
            or session.get(Organisation, record.caller.organisation_id) is None
        )
    ):
        errors["caller_organisation"] = "invalid"
    if record.residence_postcode and not normalize_postcode(record.residence_postcode):
        errors["residence_postcode"] = "invalid"
    return errors


def create_request(
    session: Session, user: User, record: IntakeRecord, *, now: datetime | None = None
) -> HelpRequest:
    """Record a new request held by ``record.territory``; raises ``RequestError`` with the fields at fault.

    Free text that identifies the beneficiary raises ``identity_refused`` or ``identity_suspected`` (unless
    confirmed): see ``guard_identity``.
    """
    errors = _check_choices(record, session)
    if errors:
        raise RequestError("invalid", errors)
    guard_identity({"question": record.question}, record.identity_confirmed)
    now = now or utcnow()
    postcode = normalize_postcode(record.residence_postcode)
    caller = record.caller
    request = HelpRequest(
        reference=next_reference(session, record.territory, now.year),
        territory=record.territory,
        received_territory=record.territory,
        created_by_id=user.id,
        channel=record.channel,
        urgency=record.urgency,
        status=Status.NEW.value,
        caller_name=caller.name.strip(),
        caller_function=caller.function.strip(),
        caller_sector=caller.sector.strip(),
        caller_organisation_id=caller.organisation_id,
        caller_organisation_text=caller.organisation_text.strip(),
        caller_phone=caller.phone.strip(),
        caller_email=caller.email.strip(),
        age_band=record.age_band,
        gender=record.gender,
        languages=sorted(set(record.languages)),
        residence_postcode=postcode,
        residence_basin=basin_for_postcode(postcode) if postcode else "",
        situation_flags=sorted(set(record.situation_flags)),
        question=record.question.strip(),
        created_at=now,
        updated_at=now,
    )
    request.themes = [RequestTheme(theme_code=code) for code in dict.fromkeys(record.themes)]
    session.add(request)
    session.flush()
    _event(
        session,
        request,
        user,
        "created",
        territory=request.territory,
        status=request.status,
        themes=request.theme_codes,
        urgency=request.urgency,
        identity_confirmed=record.identity_confirmed,
    )
    _audit(session, user, "request.create", request, territory=request.territory)
    session.flush()
    return request


# Fields an edit may change, and whether their values are free text or contact details (then the timeline
# names the field; a free-text value is kept under a TEXT_KEYS key so anonymisation blanks it).
EDITABLE_FIELDS = {
    "channel": "code",
    "urgency": "code",
    "age_band": "code",
    "gender": "code",
    "languages": "code",
    "residence_postcode": "code",
    "situation_flags": "code",
    "caller_sector": "code",
    "caller_organisation_id": "code",
    "caller_function": "text",
    "caller_name": "contact",
    "caller_organisation_text": "contact",
    "caller_phone": "contact",
    "caller_email": "contact",
    "question": "text",
}


def edit_request(
    session: Session, user: User, request: HelpRequest, record: IntakeRecord, *, expected_version: int | None
) -> list[str]:
    """Correct what was recorded at intake (not the territory: that is a transfer); the changed fields."""
    _open(request)
    _touch(request, expected_version)
    record.territory = request.territory
    errors = _check_choices(record, session)
    if errors:
        raise RequestError("invalid", errors)
    question = record.question.strip()
    if question != request.question:
        guard_identity({"question": question}, record.identity_confirmed)
    postcode = normalize_postcode(record.residence_postcode)
    caller = record.caller
    new_values: dict[str, Any] = {
        "channel": record.channel,
        "urgency": record.urgency,
        "age_band": record.age_band,
        "gender": record.gender,
        "languages": sorted(set(record.languages)),
        "residence_postcode": postcode,
        "situation_flags": sorted(set(record.situation_flags)),
        "caller_sector": caller.sector.strip(),
        "caller_organisation_id": caller.organisation_id,
        "caller_function": caller.function.strip(),
        "caller_name": caller.name.strip(),
        "caller_organisation_text": caller.organisation_text.strip(),
        "caller_phone": caller.phone.strip(),
        "caller_email": caller.email.strip(),
        "question": question,
    }
    changes: dict[str, Any] = {}
    for name, value in new_values.items():
        old = getattr(request, name)
        if old == value:
            continue
        setattr(request, name, value)
        kind = EDITABLE_FIELDS[name]
        if kind == "code":
            changes[name] = [old, value]
        elif name == "question":
            changes["question"] = value
        else:
            changes.setdefault("fields", []).append(name)
    request.residence_basin = basin_for_postcode(postcode) if postcode else ""
    old_themes = request.theme_codes
    new_themes = list(dict.fromkeys(record.themes))
    if sorted(old_themes) != sorted(new_themes):
        request.themes = [t for t in request.themes if t.theme_code in new_themes] + [
            RequestTheme(theme_code=code) for code in new_themes if code not in old_themes
        ]
        changes["themes"] = [sorted(old_themes), sorted(new_themes)]
    if changes:
        _event(session, request, user, "edited", **changes)
        names = sorted(k for k in changes if k != "fields") + sorted(changes.get("fields", []))
        _audit(session, user, "request.edit", request, fields=names)
    session.flush()
    return sorted(changes)


def record_view(session: Session, user: User, request: HelpRequest, *, via: str = "page") -> None:
    """Reading a request is logged too."""
    _audit(session, user, "request.view", request, via=via)
    session.flush()


def update_request(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    expected_version: int | None,
    status: str | None = None,
    urgency: str | None = None,
    assign_to: User | None | bool = False,
) -> list[str]:
    """Change status, urgency or assignee (``assign_to=None`` unassigns, ``False`` leaves as is)."""
    if request.status == Status.CLOSED.value:
        raise RequestError("closed")
    _touch(request, expected_version)
    changes: dict[str, Any] = {}
    if status is not None and status != request.status:
        if status not in {s.value for s in Status} or status == Status.CLOSED.value:
            raise RequestError("invalid", {"status": "invalid"})
        changes["status"] = [request.status, status]
        request.status = status
        if status == Status.ANSWERED.value and request.first_answer_at is None:
            request.first_answer_at = utcnow()
    if urgency is not None and urgency != request.urgency:
        if urgency not in {u.value for u in Urgency}:
            raise RequestError("invalid", {"urgency": "invalid"})
        changes["urgency"] = [request.urgency, urgency]
        request.urgency = urgency
    if assign_to is not False:
        new_id = assign_to.id if assign_to is not None else None
        if new_id != request.assigned_to_id:
            changes["assigned_to"] = [request.assigned_to_id, new_id]
            request.assigned_to_id = new_id
            if new_id is not None and request.status == Status.NEW.value:
                changes["status"] = [request.status, Status.IN_PROGRESS.value]
                request.status = Status.IN_PROGRESS.value
    if changes:
        _event(session, request, user, "updated", **changes)
        _audit(session, user, "request.update", request, fields=sorted(changes))
    session.flush()
    return sorted(changes)


def _start_work(request: HelpRequest, user: User) -> None:
    """Working on a new request takes it: in progress, assigned to the operator when nobody has it."""
    if request.status == Status.NEW.value:
        request.status = Status.IN_PROGRESS.value
    if request.assigned_to_id is None:
        request.assigned_to_id = user.id


def _open(request: HelpRequest) -> None:
    if request.status == Status.CLOSED.value:
        raise RequestError("closed")


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
    _open(request)
    guard_identity({"note": note}, identity_confirmed)
    if outcome not in {o.value for o in LeadOutcome}:
        raise RequestError("invalid", {"outcome": "invalid"})
    organisation = session.get(Organisation, organisation_id) if parse_id(organisation_id) else None
    if organisation is None:
        raise RequestError("invalid", {"organisation_id": "invalid"})
    if any(lead.organisation_id == organisation_id for lead in request.leads):
        raise RequestError("invalid", {"organisation_id": "duplicate"})
    _touch(request, None)
    _start_work(request, user)
    lead = Lead(organisation=organisation, outcome=outcome, note=note.strip(), created_by_id=user.id)
    request.leads.append(lead)
    session.flush()
    _event(
        session,
        request,
        user,
        "lead_added",
        lead=lead.id,
        organisation=organisation.id,
        organisation_name=organisation.name_fr or organisation.name_nl,
        outcome=outcome,
        note=lead.note,
    )
    _audit(session, user, "request.lead_add", request, lead=lead.id, organisation=organisation.id)
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
    _open(request)
    guard_identity({"note": note or ""}, identity_confirmed)
    if lead.request_id != request.id:
        raise RequestError("invalid", {"lead": "invalid"})
    if outcome not in {o.value for o in LeadOutcome}:
        raise RequestError("invalid", {"outcome": "invalid"})
    changes: dict[str, Any] = {}
    if outcome != lead.outcome:
        changes["outcome"] = [lead.outcome, outcome]
        lead.outcome = outcome
    if note is not None and note.strip() != lead.note:
        lead.note = note.strip()
        changes["note"] = lead.note
    if changes:
        _touch(request, None)
        _event(
            session,
            request,
            user,
            "lead_updated",
            lead=lead.id,
            organisation=lead.organisation_id,
            organisation_name=lead.organisation.name_fr or lead.organisation.name_nl,
            **changes,
        )
        _audit(session, user, "request.lead_update", request, lead=lead.id, fields=sorted(changes))
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
    _open(request)
    guard_identity({"note": note}, identity_confirmed)
    errors = {}
    if reason not in {r.value for r in UnmetReason}:
        errors["reason"] = "invalid"
    if theme_code and theme_code not in {t.code for t in all_themes(session)}:
        errors["theme"] = "invalid"
    if errors:
        raise RequestError("invalid", errors)
    _touch(request, None)
    _start_work(request, user)
    need = UnmetNeed(reason=reason, theme_code=theme_code, note=note.strip(), created_by_id=user.id)
    request.unmet_needs.append(need)
    session.flush()
    _event(
        session,
        request,
        user,
        "unmet_need_added",
        unmet_need=need.id,
        reason=reason,
        theme=theme_code,
        note=need.note,
    )
    _audit(session, user, "request.unmet_need_add", request, reason=reason, theme=theme_code)
    session.flush()
    return need


def add_callback(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    due_at: datetime,
    note: str = "",
    set_waiting: bool = True,
    identity_confirmed: bool = False,
) -> Callback:
    """Plan a call back; the request waits meanwhile (unless told otherwise)."""
    _open(request)
    guard_identity({"note": note}, identity_confirmed)
    if due_at.tzinfo is None or not in_calendar(due_at):
        raise RequestError("invalid", {"due_at": "invalid"})
    _touch(request, None)
    _start_work(request, user)
    callback = Callback(
        due_at=due_at.astimezone(timezone.utc),
        note=note.strip(),
        assigned_to_id=user.id,
        created_by_id=user.id,
    )
    request.callbacks.append(callback)
    changes: dict[str, Any] = {}
    if set_waiting and request.status != Status.WAITING.value:
        changes["status"] = [request.status, Status.WAITING.value]
        request.status = Status.WAITING.value
    session.flush()
    _event(
        session,
        request,
        user,
        "callback_added",
        callback=callback.id,
        due_at=callback.due_at.isoformat(),
        note=callback.note,
        **changes,
    )
    _audit(session, user, "request.callback_add", request, callback=callback.id)
    session.flush()
    return callback


def complete_callback(session: Session, user: User, request: HelpRequest, callback: Callback) -> None:
    if callback.request_id != request.id:
        raise RequestError("invalid", {"callback": "invalid"})
    if callback.done_at is not None:
        return
    _touch(request, None)
    callback.done_at = utcnow()
    changes: dict[str, Any] = {}
    if request.status == Status.WAITING.value and all(c.done_at for c in request.callbacks):
        changes["status"] = [request.status, Status.IN_PROGRESS.value]
        request.status = Status.IN_PROGRESS.value
    _event(session, request, user, "callback_done", callback=callback.id, **changes)
    _audit(session, user, "request.callback_done", request, callback=callback.id)
    session.flush()


def transfer_targets(request: HelpRequest) -> tuple[str, ...]:
    """Where the holder may hand the request: the region, back to a basin, or a neighbouring basin."""
    return territory_transfer_targets(request.territory)


def transfer_request(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    to: str,
    note: str,
    expected_version: int | None,
    identity_confirmed: bool = False,
) -> Transfer:
    """Hand the request to another territory: it lands unassigned in that territory's queue."""
    _open(request)
    _touch(request, expected_version)
    guard_identity({"note": note}, identity_confirmed)
    errors = {}
    if to not in transfer_targets(request):
        errors["to"] = "invalid"
    if not note.strip():
        errors["note"] = "required"
    if errors:
        raise RequestError("invalid", errors)
    transfer = Transfer(
        kind="transfer",
        from_territory=request.territory,
        to_territory=to,
        note=note.strip(),
        by_user_id=user.id,
    )
    request.transfers.append(transfer)
    previous = request.territory
    request.territory = to
    request.assigned_to_id = None
    status_change = {}
    if request.status != Status.NEW.value:
        status_change = {"status": [request.status, Status.NEW.value]}
        request.status = Status.NEW.value
    for callback in request.callbacks:  # the sender's callbacks do not follow the request
        if callback.done_at is None:
            callback.done_at = utcnow()
    session.flush()
    _event(
        session, request, user, "transferred", territory=[previous, to], note=transfer.note, **status_change
    )
    _audit(session, user, "request.transfer", request, from_territory=previous, to_territory=to)
    session.flush()
    return transfer


def share_request(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    to: str,
    note: str,
    identity_confirmed: bool = False,
) -> Transfer:
    """Ask another territory for advice without moving the request: it may read it from now on."""
    _open(request)
    guard_identity({"note": note}, identity_confirmed)
    errors = {}
    if to not in TERRITORIES or to == request.territory:
        errors["to"] = "invalid"
    if not note.strip():
        errors["note"] = "required"
    if errors:
        raise RequestError("invalid", errors)
    _touch(request, None)
    share = Transfer(
        kind="share", from_territory=request.territory, to_territory=to, note=note.strip(), by_user_id=user.id
    )
    request.transfers.append(share)
    session.flush()
    _event(session, request, user, "shared", to=to, note=share.note)
    _audit(session, user, "request.share", request, to_territory=to)
    session.flush()
    return share


def add_comment(
    session: Session, user: User, request: HelpRequest, *, note: str, identity_confirmed: bool = False
) -> None:
    """A note in the timeline (advice from a territory the request was shared with, or from its holder)."""
    guard_identity({"note": note}, identity_confirmed)
    if not note.strip():
        raise RequestError("invalid", {"note": "required"})
    _event(session, request, user, "comment", territory=user.territory, note=note.strip())
    _audit(session, user, "request.comment", request)
    session.flush()


@dataclass
class ClosingRecord:
    feedback_given: bool
    feedback_at: datetime | None = None
    feedback_channel: str = ""
    feedback_text: str = ""
    missing_reason: str = ""
    unmet_needs: list[tuple[str, str]] = field(default_factory=list)  # (reason, theme code)
    identity_confirmed: bool = False


def close_request(
    session: Session,
    user: User,
    request: HelpRequest,
    closing: ClosingRecord,
    *,
    expected_version: int | None,
) -> None:
    """Close the loop: the feedback given to the asking professional (when, how, what), or why none."""
    _open(request)
    _touch(request, expected_version)
    guard_identity(
        {"feedback": closing.feedback_text, "missing_reason": closing.missing_reason},
        closing.identity_confirmed,
    )
    errors: dict[str, str] = {}
    if closing.feedback_given:
        if not closing.feedback_text.strip():
            errors["feedback"] = "required"
        if closing.feedback_channel and closing.feedback_channel not in FEEDBACK_CHANNELS:
            errors["feedback_channel"] = "invalid"
    elif not closing.missing_reason.strip():
        errors["feedback"] = "required"
    codes = {t.code for t in all_themes(session)}
    reasons = {r.value for r in UnmetReason}
    for i, (reason, theme) in enumerate(closing.unmet_needs):
        if reason not in reasons:
            errors[f"unmet_needs.{i}.reason"] = "invalid"
        if theme and theme not in codes:
            errors[f"unmet_needs.{i}.theme"] = "invalid"
    if errors:
        raise RequestError("invalid", errors)
    for reason, theme in closing.unmet_needs:
        add_unmet_need(session, user, request, reason=reason, theme_code=theme)
    now = utcnow()
    request.feedback_given = closing.feedback_given
    request.feedback_at = (closing.feedback_at or now) if closing.feedback_given else None
    request.feedback_channel = closing.feedback_channel if closing.feedback_given else ""
    request.feedback_text = closing.feedback_text.strip() if closing.feedback_given else ""
    request.feedback_missing_reason = "" if closing.feedback_given else closing.missing_reason.strip()
    previous = request.status
    request.status = Status.CLOSED.value
    request.closed_at = now
    if request.first_answer_at is None and closing.feedback_given:
        request.first_answer_at = request.feedback_at
    for callback in request.callbacks:
        if callback.done_at is None:
            callback.done_at = now
    _event(
        session,
        request,
        user,
        "closed",
        status=[previous, Status.CLOSED.value],
        feedback_given=closing.feedback_given,
        feedback_channel=request.feedback_channel,
        feedback=request.feedback_text,
        missing_reason=request.feedback_missing_reason,
    )
    _audit(session, user, "request.close", request, feedback_given=closing.feedback_given)
    session.flush()


def reopen_request(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    reason: str,
    expected_version: int | None,
    identity_confirmed: bool = False,
) -> None:
    """Open a closed request again (the professional calls back: the lead fell through, things changed).

    The closing feedback moves to the timeline (the "closed" event keeps it) and is asked again at the next
    closing; callbacks, leads and unmet needs stay. A request anonymised after the retention period cannot
    be reopened: record a new one.
    """
    _touch(request, expected_version)  # first: a stale form means someone changed it, whatever the status
    if request.status != Status.CLOSED.value:
        raise RequestError("not_closed")
    if request.anonymised_at is not None:
        raise RequestError("anonymised")
    guard_identity({"reason": reason}, identity_confirmed)
    if not reason.strip():
        raise RequestError("invalid", {"reason": "required"})
    request.status = Status.IN_PROGRESS.value
    request.closed_at = None
    request.feedback_given = None
    request.feedback_at = None
    request.feedback_channel = ""
    request.feedback_text = ""
    request.feedback_missing_reason = ""
    _event(
        session,
        request,
        user,
        "reopened",
        status=[Status.CLOSED.value, Status.IN_PROGRESS.value],
        note=reason.strip(),
    )
    _audit(session, user, "request.reopen", request)
    session.flush()


def anonymise_closed_requests(
    session: Session, *, older_than_months: int, now: datetime | None = None
) -> int:
    """Blank free text and contact details of requests closed more than ``older_than_months`` ago.

    Kept: territory, dates, channel, status, themes, age band, gender, languages, postcode and basin, flags,
    the asking professional's function and sector, leads' organisations and
    outcomes, unmet needs' reasons and themes: everything the monthly statistics use. Returns how many.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=round(older_than_months * 30.44))
    stmt = select(HelpRequest).where(
        HelpRequest.status == Status.CLOSED.value,
        HelpRequest.closed_at < cutoff,
        HelpRequest.anonymised_at.is_(None),
    )
    count = 0
    for request in session.scalars(stmt):
        for name in (
            "caller_name",
            "caller_organisation_text",
            "caller_phone",
            "caller_email",
            "question",
            "feedback_text",
            "feedback_missing_reason",
        ):
            setattr(request, name, "")
        for item in (*request.leads, *request.unmet_needs, *request.callbacks, *request.transfers):
            item.note = ""
        for event in request.events:
            if any(key in event.changes for key in TEXT_KEYS):
                event.changes = {k: ("" if k in TEXT_KEYS else v) for k, v in event.changes.items()}
        request.anonymised_at = now
        record_audit(
            session, "request.anonymise", user_id=None, object_type="help_request", object_id=request.id
        )
        count += 1
    session.flush()
    return count
