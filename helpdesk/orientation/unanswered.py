"""Request-page lead searches that found nothing, counted by theme for the monthly report (flush, never commit).

The text of the search is never kept (it may describe the person): one row per request, theme and day says
"a search on this request found nothing that day"; the report counts them by theme.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.followup.models import HelpRequest
from helpdesk.orientation.models import UnansweredSearch


def record_unanswered_search(session: Session, req: HelpRequest, *, at: datetime | None = None) -> int:
    """Count a search of ``req``'s page that found nothing, once per theme of the request (or once without
    a theme) and day. Returns how many rows were added (0 when already counted today)."""
    now = at or utcnow()
    day = now.date()
    themes = sorted({t.theme_code for t in req.themes}) or [""]
    counted = set(
        session.scalars(
            select(UnansweredSearch.theme_code).where(
                UnansweredSearch.request_id == req.id, UnansweredSearch.day == day
            )
        )
    )
    added = 0
    for theme in themes:
        if theme in counted:
            continue
        try:
            with session.begin_nested():  # another page of the same request may count it at the same time
                session.add(
                    UnansweredSearch(
                        request_id=req.id, territory=req.territory, theme_code=theme, day=day, at=now
                    )
                )
            added += 1
        except IntegrityError:
            pass
    return added


def unanswered_by_theme(
    session: Session, start: datetime, end: datetime, territories: Iterable[str] | None = None
) -> dict[str, int]:
    """Searches that found nothing between ``start`` and ``end`` (by request, theme and day), by theme code
    ("" for requests without a theme); ``territories`` narrows to the requests held there when counted."""
    stmt = (
        select(UnansweredSearch.theme_code, func.count(UnansweredSearch.id))
        .where(UnansweredSearch.at >= start, UnansweredSearch.at < end)
        .group_by(UnansweredSearch.theme_code)
    )
    if territories is not None:
        stmt = stmt.where(UnansweredSearch.territory.in_(list(territories)))
    return {theme: int(count) for theme, count in session.execute(stmt)}
