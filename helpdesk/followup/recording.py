"""Recording a request and correcting it: what an operator types at intake (``IntakeRecord``), its readable
reference, the corrections, status, urgency and assignee, and the log of who read it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from directory_import.models import Organisation, utcnow
from directory_import.normalize import email_address
from directory_import.territory import LOCALITIES, TERRITORIES, basin_for_postcode, normalize_postcode
from helpdesk.auth.models import User
from helpdesk.followup.changes import RequestError, audit, guard_identity, record_event, require_open, touch
from helpdesk.followup.models import HelpRequest, ReferenceCounter, RequestTheme
from helpdesk.followup.orientation_mail import MAIL_LANGUAGES, default_caller_language
from helpdesk.followup.themes import all_themes
from helpdesk.forms import parse_id
from helpdesk.vocabularies import AgeBand, Channel, Gender, Language, Sector, SituationFlag, Status, Urgency

REFERENCE_PREFIXES = {
    "nord": "NORD",
    "nord-est": "NE",
    "centre-ouest": "CO",
    "sud": "SUD",
    "sud-est": "SE",
    "region": "REG",
}


@dataclass
class CallerRecord:
    name: str = ""
    function: str = ""
    sector: str = ""
    organisation_id: int | None = None
    organisation_text: str = ""
    phone: str = ""
    email: str = ""
    language: str = ""  # fr, nl or en: what the professional is written to in ("": the operator's)


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
    taken_by_recorder: bool = False  # the intake page's default: the operator who records it follows it


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("-", " ").replace("'", " ")


def _names_to_postcode() -> dict[str, str]:
    names: dict[str, str] = {}
    for postcode, loc in sorted(LOCALITIES.items()):  # lowest postcode first: 1000 for "Bruxelles"
        for name in (loc.name_fr, loc.name_nl, loc.commune.name_fr, loc.commune.name_nl):
            names.setdefault(_fold(name), postcode)
    return names


_NAMES = _names_to_postcode()


def resolve_residence(text: str) -> str | None:
    """The postcode of ``'1060'``, ``'Saint-Gilles'``, ``'sint-gillis'``; ``''`` if empty; None if unknown."""
    if not text or not text.strip():
        return ""
    postcode = normalize_postcode(text)
    if postcode:
        return postcode
    return _NAMES.get(_fold(text))


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
    if not Channel.has(record.channel):
        errors["channel"] = "invalid"
    if not Urgency.has(record.urgency):
        errors["urgency"] = "invalid"
    if record.caller.language and record.caller.language not in MAIL_LANGUAGES:
        errors["caller_language"] = "invalid"
    if record.age_band and not AgeBand.has(record.age_band):
        errors["age_band"] = "invalid"
    if record.gender and not Gender.has(record.gender):
        errors["gender"] = "invalid"
    if not all(SituationFlag.has(f) for f in record.situation_flags):
        errors["situation_flags"] = "invalid"
    if not all(Language.has(code) for code in record.languages):
        errors["languages"] = "invalid"
    if record.caller.sector.strip() and not Sector.has(record.caller.sector.strip()):
        errors["caller_sector"] = "invalid"
    if record.caller.email.strip() and email_address(record.caller.email) is None:
        errors["caller_email"] = "invalid"
    codes = {t.code for t in all_themes(session) if t.active}
    if any(code not in codes for code in record.themes):
        errors["themes"] = "invalid"
    if not record.question.strip():
        errors["question"] = "required"
    if not (
        record.caller.name.strip() or record.caller.organisation_text.strip() or record.caller.organisation_id
    ):
        errors["caller"] = "required"
    if record.caller.organisation_id is not None and (
        parse_id(record.caller.organisation_id) is None
        or session.get(Organisation, record.caller.organisation_id) is None
    ):
        errors["caller_organisation"] = "invalid"
    if record.residence_postcode and not normalize_postcode(record.residence_postcode):
        errors["residence_postcode"] = "invalid"
    return errors


def create_request(
    session: Session, user: User, record: IntakeRecord, *, now: datetime | None = None
) -> HelpRequest:
    """Record a new request held by ``record.territory``; raises ``RequestError`` with the fields at fault.

    With ``record.taken_by_recorder`` the recording user takes it at once, as from the queue; else it waits there.
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
        caller_language=caller.language or default_caller_language(user),
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
    record_event(
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
    audit(session, user, "request.create", request, territory=request.territory)
    session.flush()
    if record.taken_by_recorder:
        update_request(session, user, request, expected_version=None, assign_to=user)
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
    "caller_language": "code",
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
    require_open(request)
    touch(request, expected_version)
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
        "caller_language": caller.language or request.caller_language,
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
        record_event(session, request, user, "edited", **changes)
        names = sorted(k for k in changes if k != "fields") + sorted(changes.get("fields", []))
        audit(session, user, "request.edit", request, fields=names)
    session.flush()
    return sorted(changes)


def record_view(session: Session, user: User, request: HelpRequest, *, via: str = "page") -> None:
    """Reading a request is logged too."""
    audit(session, user, "request.view", request, via=via)
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
    touch(request, expected_version)
    changes: dict[str, Any] = {}
    if status is not None and status != request.status:
        if not Status.has(status) or status == Status.CLOSED.value:
            raise RequestError("invalid", {"status": "invalid"})
        changes["status"] = [request.status, status]
        request.status = status
        if status == Status.ANSWERED.value and request.first_answer_at is None:
            request.first_answer_at = utcnow()
    if urgency is not None and urgency != request.urgency:
        if not Urgency.has(urgency):
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
        record_event(session, request, user, "updated", **changes)
        audit(session, user, "request.update", request, fields=sorted(changes))
    session.flush()
    return sorted(changes)
