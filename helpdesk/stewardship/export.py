"""The export back to the directory: the proposals accepted since a date, as the directory's maintainers
(Bruxelles Social) read them.

Two formats:

- **JSON**, in the very shape of the Bruxelles Social API (``/rest/organisation/<id>`` records, the shape
  ``directory_import.readers.socialbrussels`` reads): one record per organisation touched, with every value
  in force after the accepted changes (for a new local organisation, all its fields), wrapped in
  ``{"exportedAt", "since", "organisations": [...]}``. Each record also carries a ``helpdesk`` object (the
  proposal ids, the fields changed, when they were decided, when exported, a closure or "full until"), which
  the reader keeps in the raw record and otherwise ignores. Importing the file gives the helpdesk's values.
- **CSV** (``;``, UTF-8 with BOM, formulas neutralised): one line per organisation and field changed, with
  the directory's value when the proposal was made and the helpdesk's value in force, so a maintainer reads
  what to change field by field.

``collect`` reads, ``mark_exported`` sets ``Proposal.exported_at`` (a dry view does not call it).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from directory_import.models import LOCAL_SOURCE, Organisation, utcnow
from helpdesk.audit import record_audit
from helpdesk.csv_safety import neutralise
from helpdesk.stewardship.fields import NEW_FIELDS, OTHER, as_text, read_value
from helpdesk.stewardship.models import Proposal
from helpdesk.stewardship.overlays import STATUS, status_in_force
from helpdesk.stewardship.proposals import accepted_between

FORMATS = ("json", "csv")
CSV_COLUMNS = (
    "exported_at",
    "organisation_source",
    "organisation_id",
    "kind",
    "name_fr",
    "name_nl",
    "field",
    "directory_value",
    "helpdesk_value",
    "proposals",
    "decided_at",
)
# The Bruxelles Social keys of the organisation's columns (``readers.socialbrussels`` reads them back).
TEXT_KEYS = {
    "nameOfficialFr": "name_fr",
    "nameOfficialNl": "name_nl",
    "descriptionFr": "description_fr",
    "descriptionNl": "description_nl",
    "permanencyFr": "opening_hours_fr",
    "permanencyNl": "opening_hours_nl",
}
ADDRESS_KEYS = {
    "streetFr": "street_fr",
    "streetNl": "street_nl",
    "number": "number",
    "postalBox": "box",
    "zipCode": "postcode",
    "municipalityFr": "commune_fr",
    "municipalityNl": "commune_nl",
}


@dataclass
class ExportedOrganisation:
    """One organisation touched by accepted proposals of the period."""

    organisation: Organisation
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "new" if any(p.kind == "new" for p in self.proposals) else "change"

    @property
    def fields(self) -> list[str]:
        changed = [c.field for p in self.proposals for c in p.changes if c.field != OTHER]
        if any(p.status for p in self.proposals):
            changed.append(STATUS)
        return list(dict.fromkeys(changed))

    @property
    def decided_at(self) -> datetime | None:
        return max((p.decided_at for p in self.proposals if p.decided_at), default=None)

    def directory_value(self, name: str) -> Any:
        """What the directory held when the first proposal of the period on ``name`` was made."""
        for proposal in self.proposals:
            for change in proposal.changes:
                if change.field == name:
                    return change.directory_value
        return None


def since_start(since: date) -> datetime:
    return datetime(since.year, since.month, since.day, tzinfo=UTC)


def collect(session: Session, since: date, *, include_exported: bool = False) -> list[ExportedOrganisation]:
    """The organisations touched by proposals accepted since ``since`` (UTC), those already exported left
    out unless ``include_exported``; in the order of their first decision."""
    end = utcnow() + timedelta(seconds=1)
    touched: dict[int, ExportedOrganisation] = {}
    for proposal in accepted_between(session, since_start(since), end):
        if proposal.exported_at is not None and not include_exported:
            continue
        org = proposal.organisation
        if org is None:
            continue
        while org.merged_into_id is not None:  # a merge carried the overlays to the organisation kept
            kept = session.get(Organisation, org.merged_into_id)
            if kept is None:
                break
            org = kept
        touched.setdefault(org.id, ExportedOrganisation(org)).proposals.append(proposal)
    return list(touched.values())


def mark_exported(
    session: Session,
    rows: list[ExportedOrganisation],
    *,
    user_id: int | None,
    fmt: str,
    since: date,
    at: datetime,
) -> list[int]:
    """Set ``exported_at`` on every proposal of ``rows`` and audit the export (``proposal.export``). The ids
    marked. Flushes."""
    ids = [p.id for row in rows for p in row.proposals]
    for row in rows:
        for proposal in row.proposals:
            proposal.exported_at = at
    session.flush()
    record_audit(
        session,
        "proposal.export",
        user_id=user_id,
        object_type="proposal",
        object_id=None,
        details={"format": fmt, "since": since.isoformat(), "proposals": ids, "organisations": len(rows)},
    )
    return ids


# JSON, the Bruxelles Social shape -------------------------------------------------------------------------


def _record(row: ExportedOrganisation, exported_at: datetime, status: dict[str, Any] | None) -> dict:
    org = row.organisation
    decided = row.decided_at
    return {
        "id": org.source_id,
        **{name: getattr(org, column) or None for name, column in TEXT_KEYS.items()},
        "publicFr": "; ".join(p.get("fr", "") for p in org.publics or [] if p.get("fr")) or None,
        "publicNl": "; ".join(p.get("nl", "") for p in org.publics or [] if p.get("nl")) or None,
        "telFr": list(org.phones or []),
        "emailFr": list(org.emails or []),
        "websiteOfficialFr": list(org.websites or []),
        "languages": list(org.languages or []),
        "address": {name: getattr(org, column) or None for name, column in ADDRESS_KEYS.items()},
        "categoriesObject": [
            {"id": c.get("code", ""), "labelFr": c.get("label_fr", ""), "labelNl": c.get("label_nl", "")}
            for c in org.categories or []
            if isinstance(c, dict)
        ],
        "helpdesk": {
            "kind": row.kind,
            "local": org.source == LOCAL_SOURCE,
            "source": org.source,
            "proposals": [p.id for p in row.proposals],
            "fieldsChanged": row.fields,
            "decidedAt": decided.isoformat() if decided else None,
            "exportedAt": exported_at.isoformat(),
            "status": status,
        },
    }


def as_json(session: Session, rows: list[ExportedOrganisation], since: date, exported_at: datetime) -> bytes:
    records = [_record(row, exported_at, _status(session, row)) for row in rows]
    document = {"organisations": records, "since": since.isoformat(), "exportedAt": exported_at.isoformat()}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _status(session: Session, row: ExportedOrganisation) -> dict[str, Any] | None:
    status = status_in_force(session, row.organisation.id)
    if status is None and row.organisation.archived and STATUS in row.fields:
        return {"status": "closed", "until": None}
    return status


# CSV, one line per organisation and field ----------------------------------------------------------------


def _cell(value: Any) -> str:
    return neutralise(str(value or ""))


def _value_text(name: str, value: Any) -> str:
    if name == STATUS:
        if not value:
            return ""
        until = value.get("until")
        return f"{value.get('status', '')} {until}" if until else str(value.get("status", ""))
    if name == "categories" and isinstance(value, list):
        return " | ".join(
            f"{c.get('code', '')} ({c.get('label_fr', '')})" for c in value if isinstance(c, dict)
        )
    text = as_text(name, value, "fr")
    return "" if text == "—" else text


def as_csv(session: Session, rows: list[ExportedOrganisation], since: date, exported_at: datetime) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        org = row.organisation
        every = [f for f in NEW_FIELDS if read_value(org, f)] if row.kind == "new" else []
        for name in dict.fromkeys([*every, *row.fields]):
            new = _status(session, row) if name == STATUS else read_value(org, name)
            old = None if row.kind == "new" else row.directory_value(name)
            writer.writerow(
                [
                    _cell(exported_at.isoformat(timespec="seconds")),
                    _cell(org.source),
                    _cell(org.source_id),
                    _cell(row.kind),
                    _cell(org.name_fr),
                    _cell(org.name_nl),
                    _cell(name),
                    _cell(_value_text(name, old)),
                    _cell(_value_text(name, new)),
                    _cell(" ".join(str(p.id) for p in row.proposals)),
                    _cell(row.decided_at.date().isoformat() if row.decided_at else ""),
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render(
    session: Session, rows: list[ExportedOrganisation], fmt: str, since: date, exported_at: datetime
) -> bytes:
    return (as_json if fmt == "json" else as_csv)(session, rows, since, exported_at)


def export_proposals(
    session: Session,
    since: date,
    fmt: str,
    *,
    include_exported: bool = False,
    mark: bool = True,
    user_id: int | None = None,
) -> tuple[bytes, list[ExportedOrganisation]]:
    """The export of ``fmt`` (``json`` or ``csv``) of the proposals accepted since ``since``; unless
    ``mark`` is false (a dry view) the proposals carried are marked exported and the export audited.
    Flushes, never commits."""
    at = utcnow().replace(microsecond=0)
    rows = collect(session, since, include_exported=include_exported)
    body = render(session, rows, fmt, since, at)
    if mark:
        mark_exported(session, rows, user_id=user_id, fmt=fmt, since=since, at=at)
    return body, rows
