"""What a report counts: the requests a territory holds now (or all of them), in a span of time.

A territory's report covers the requests that territory holds now (``HelpRequest.territory``); the
territories' reports partition the report for "all". These conditions are shared by every query of the
reports, so they read the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import and_, func, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from helpdesk.followup.models import HelpRequest
from helpdesk.reports.periods import Span

ALL = "all"


def in_span(column, span: Span) -> ColumnElement[bool]:
    """``column`` within ``span`` (a month or a period): from its first instant, before its end."""
    return and_(column >= span.start, column < span.end)


def in_scope(territory: str) -> ColumnElement[bool]:
    """The requests of ``territory`` (a territory code or ``ALL``)."""
    return true() if territory == ALL else HelpRequest.territory == territory


def days_between(session: Session, later, earlier):
    """``later - earlier`` in days, as a float, in the dialect's own arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0
