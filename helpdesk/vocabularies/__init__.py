"""Every closed list of codes the helpdesk uses, defined once: one module per vocabulary, each a
``Vocabulary`` (a ``StrEnum`` whose members carry their lazy label).

Forms take their choices from here, operations and the API validate against it, the OpenAPI document lists
its codes, pages, reports (every format) and the CLI take its labels. ``tests/test_vocabularies.py`` checks
that every code has a French and a Dutch label.
"""

from __future__ import annotations

from helpdesk.vocabularies.account_events import AccountEvent
from helpdesk.vocabularies.age_bands import AgeBand
from helpdesk.vocabularies.base import Vocabulary
from helpdesk.vocabularies.channels import Channel
from helpdesk.vocabularies.events import EventKind
from helpdesk.vocabularies.genders import Gender
from helpdesk.vocabularies.identity_kinds import IdentityKind
from helpdesk.vocabularies.languages import Language
from helpdesk.vocabularies.lead_outcomes import LeadOutcome
from helpdesk.vocabularies.request_fields import RequestField
from helpdesk.vocabularies.roles import Role
from helpdesk.vocabularies.sectors import Sector
from helpdesk.vocabularies.situation_flags import SituationFlag
from helpdesk.vocabularies.statuses import OPEN_STATUSES, Status
from helpdesk.vocabularies.territories import Territory
from helpdesk.vocabularies.transfer_kinds import TransferKind
from helpdesk.vocabularies.unmet_reasons import UnmetReason
from helpdesk.vocabularies.urgencies import Urgency

ALL: tuple[type[Vocabulary], ...] = (
    AccountEvent,
    AgeBand,
    Channel,
    EventKind,
    Gender,
    IdentityKind,
    Language,
    LeadOutcome,
    RequestField,
    Role,
    Sector,
    SituationFlag,
    Status,
    Territory,
    TransferKind,
    UnmetReason,
    Urgency,
)

# What a request's pages call each vocabulary: ``labels.channel.get(code, code)`` in a template.
REQUEST_LABELS = {
    "channel": Channel.labels(),
    "status": Status.labels(),
    "urgency": Urgency.labels(),
    "outcome": LeadOutcome.labels(),
    "reason": UnmetReason.labels(),
    "age_band": AgeBand.labels(),
    "gender": Gender.labels(),
    "language": Language.labels(),
    "flag": SituationFlag.labels(),
    "sector": Sector.labels(),
    "event": EventKind.labels(),
    "territory": Territory.labels(),
    "field": RequestField.labels(),
    "transfer_kind": TransferKind.labels(),
}

__all__ = [
    "ALL",
    "OPEN_STATUSES",
    "REQUEST_LABELS",
    "AccountEvent",
    "AgeBand",
    "Channel",
    "EventKind",
    "Gender",
    "IdentityKind",
    "Language",
    "LeadOutcome",
    "RequestField",
    "Role",
    "Sector",
    "SituationFlag",
    "Status",
    "Territory",
    "TransferKind",
    "UnmetReason",
    "Urgency",
    "Vocabulary",
]
