"""Saturation: the organisations met with a waiting list, refused or full, or unreachable, and the share of a
directory category's (or an organisation's) leads that ended so. Its queries, its counts and its tables.

By organisation and theme (``saturation``, waiting list and refused); by directory category and, in the
internal version only, by organisation (``saturation_by_category``, ``saturation_by_organisation``): an
organisation with several categories counts in each, so the categories add up to no total, and a share is
hidden in public mode with any count it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_import.models import Organisation, name_in
from directory_import.vocabulary import CATEGORIES
from helpdesk.followup.models import HelpRequest, Lead, LeadOutcome, RequestTheme
from helpdesk.orientation.matching import category_codes
from helpdesk.reports import labels as L
from helpdesk.reports.model import Row, Table
from helpdesk.reports.periods import Span
from helpdesk.reports.scope import in_scope, in_span

if TYPE_CHECKING:  # the builder reads the figures, which hold these rows
    from helpdesk.reports.builder import Builder

SATURATION_ROWS = 15
SHARE_CODES = ("leads", "waiting_list", "refused", "unreachable")


@dataclass(frozen=True)
class SaturationRow:
    organisation_id: int
    name_fr: str
    name_nl: str
    theme: str
    waiting_list: int
    refused: int

    @property
    def total(self) -> int:
        return self.waiting_list + self.refused


SATURATED_OUTCOMES = (
    LeadOutcome.WAITING_LIST.value,
    LeadOutcome.REFUSED.value,
    LeadOutcome.UNREACHABLE.value,
)


@dataclass(frozen=True)
class OutcomeShare:
    """The period's leads to one directory category or one organisation: how many, and how many ended on a
    waiting list, refused or full, or unreachable (``SATURATED_OUTCOMES``, in that order)."""

    code: str  # a category code (``directory_import.vocabulary.CATEGORIES``) or an organisation id
    name_fr: str
    name_nl: str
    leads: int
    saturated: tuple[int, int, int]

    @property
    def share(self) -> float | None:
        return sum(self.saturated) / self.leads if self.leads else None


def saturation_rows(session: Session, month: Span, territory: str) -> list[SaturationRow]:
    """Organisations whose leads of the month ended on a waiting list or full, per theme of the request."""
    theme = func.coalesce(RequestTheme.theme_code, "").label("theme")
    stmt = (
        select(Organisation.id, Organisation.name_fr, Organisation.name_nl, theme, Lead.outcome, func.count())
        .select_from(Lead)
        .join(HelpRequest, Lead.request_id == HelpRequest.id)
        .join(Organisation, Lead.organisation_id == Organisation.id)
        .outerjoin(RequestTheme, RequestTheme.request_id == HelpRequest.id)
        .where(
            in_span(Lead.created_at, month),
            in_scope(territory),
            Lead.outcome.in_([LeadOutcome.WAITING_LIST.value, LeadOutcome.REFUSED.value]),
        )
        .group_by(Organisation.id, Organisation.name_fr, Organisation.name_nl, theme, Lead.outcome)
    )
    rows: dict[tuple, list[int]] = {}
    for org_id, name_fr, name_nl, theme_code, outcome, count in session.execute(stmt):
        counts = rows.setdefault((org_id, name_fr, name_nl, theme_code), [0, 0])
        counts[0 if outcome == LeadOutcome.WAITING_LIST.value else 1] += count
    result = [SaturationRow(k[0], k[1], k[2], k[3], v[0], v[1]) for k, v in rows.items()]
    result.sort(key=lambda r: (-r.total, r.name_fr or r.name_nl, r.theme))
    return result[:SATURATION_ROWS]


def outcome_shares(
    session: Session, month: Span, territory: str
) -> tuple[list[OutcomeShare], list[OutcomeShare]]:
    """The period's leads by organisation and outcome (one grouped query), then by directory category: an
    organisation with several categories counts in each, one without a known category under ""."""
    stmt = (
        select(Lead.organisation_id, Lead.outcome, func.count())
        .join(HelpRequest, Lead.request_id == HelpRequest.id)
        .where(in_span(Lead.created_at, month), in_scope(territory))
        .group_by(Lead.organisation_id, Lead.outcome)
    )
    per_org: dict[int, list[int]] = {}
    for org_id, outcome, count in session.execute(stmt):
        counts = per_org.setdefault(org_id, [0, 0, 0, 0])
        counts[0] += count
        if outcome in SATURATED_OUTCOMES:
            counts[1 + SATURATED_OUTCOMES.index(outcome)] += count
    if not per_org:
        return [], []
    organisations = session.execute(
        select(Organisation.id, Organisation.name_fr, Organisation.name_nl, Organisation.categories).where(
            Organisation.id.in_(list(per_org))
        )
    ).all()
    by_org: list[OutcomeShare] = []
    per_category: dict[str, list[int]] = {}
    for org_id, name_fr, name_nl, categories in organisations:
        counts = per_org[org_id]
        by_org.append(
            OutcomeShare(str(org_id), name_fr, name_nl, counts[0], (counts[1], counts[2], counts[3]))
        )
        for code in category_codes(categories) or {"": {}}:
            into = per_category.setdefault(code, [0, 0, 0, 0])
            for i, n in enumerate(counts):
                into[i] += n
    by_category = [
        OutcomeShare(code, *CATEGORIES.get(code, ("", "")), c[0], (c[1], c[2], c[3]))
        for code, c in per_category.items()
    ]
    by_category.sort(key=lambda r: (r.code == "", -r.leads, r.code))
    by_org.sort(key=lambda r: (-sum(r.saturated), -r.leads, r.name_fr or r.name_nl, r.code))
    return by_category, by_org[:SATURATION_ROWS]


# -- in the report ---------------------------------------------------------------------------------------
def count_saturation(b: Builder) -> None:
    for row in b.f.saturation:
        b.count(("saturation", row.organisation_id, row.theme, "waiting_list"), row.waiting_list)
        b.count(("saturation", row.organisation_id, row.theme, "refused"), row.refused)


def share_rows(b: Builder) -> list[tuple[str, list]]:
    """The category rows, then (internal version only) the organisation rows, with their key prefix."""
    rows: list[tuple[str, list]] = [("saturation_by_category", b.f.saturation_by_category)]
    if not b.public:
        rows.append(("saturation_by_organisation", b.f.saturation_by_organisation))
    return rows


def count_outcome_shares(b: Builder) -> None:
    """Leads and the saturated outcomes of each category (and organisation); the share is hidden with any
    count it rests on. Categories overlap (an organisation may have several), so they add up to no total."""
    for prefix, shares in share_rows(b):
        for r in shares:
            keys = [
                b.count((prefix, r.code, code), n)
                for code, n in zip(SHARE_CODES, (r.leads, *r.saturated), strict=True)
            ]
            b.measure((prefix, r.code, "share"), r.share, "ratio")
            b.measure_depends[(prefix, r.code, "share")] = keys


def saturation_table(b: Builder) -> Table:
    themes = b.themes
    return Table(
        "saturation",
        str(L.TITLES["saturation"]),
        [
            str(_l("Organisation")),
            str(_l("Theme")),
            str(LeadOutcome.WAITING_LIST.label),
            str(LeadOutcome.REFUSED.label),
        ],
        2,
        [
            Row(
                (str(r.organisation_id), r.theme),
                (name_in(b.locale, (r.name_fr, r.name_nl)), L.code_label(r.theme, themes)),
                [
                    b.value(("saturation", r.organisation_id, r.theme, "waiting_list")),
                    b.value(("saturation", r.organisation_id, r.theme, "refused")),
                ],
            )
            for r in b.f.saturation
        ],
        ("waiting_list", "refused"),
    )


def outcome_share_tables(b: Builder) -> list[Table]:
    outcome_columns = [
        str(_l("Leads")),
        str(LeadOutcome.WAITING_LIST.label),
        str(LeadOutcome.REFUSED.label),
        str(LeadOutcome.UNREACHABLE.label),
        str(_l("Share ended so")),
    ]
    tables = []
    for prefix, shares in share_rows(b):
        if prefix == "saturation_by_category":
            header = str(_l("Directory category"))

            def label(r):
                return name_in(b.locale, (r.name_fr, r.name_nl)) if r.code else str(_l("No known category"))
        else:
            header = str(_l("Organisation"))

            def label(r):
                return name_in(b.locale, (r.name_fr, r.name_nl))

        rows = [
            Row((r.code,), (label(r),), [b.value((prefix, r.code, code)) for code in (*SHARE_CODES, "share")])
            for r in shares
        ]
        tables.append(
            Table(prefix, str(L.TITLES[prefix]), [header] + outcome_columns, 1, rows, (*SHARE_CODES, "share"))
        )
    return tables
