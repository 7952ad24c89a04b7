"""The operator's day on the home page: the blocks it shows, built from the lists of
``helpdesk.followup.lists`` so the home page and the lists never disagree about scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.auth.models import User
from helpdesk.followup import lists
from helpdesk.followup.models import Callback, HelpRequest
from helpdesk.i18n import local_zone


@dataclass
class OperatorDay:
    overdue: list[tuple[Callback, HelpRequest]] = field(default_factory=list)
    today: list[tuple[Callback, HelpRequest]] = field(default_factory=list)
    queue: list[HelpRequest] = field(default_factory=list)  # new or unassigned, not handed to us
    handed: list[HelpRequest] = field(default_factory=list)
    news: list[HelpRequest] = field(default_factory=list)
    queue_total: int = 0


BLOCK_ROWS = 10  # each block shows its first rows; its link opens the whole list


def operator_day(session: Session, user: User) -> OperatorDay:
    todo = lists.todo_list(session, user, now=utcnow(), zone=local_zone())
    handed = lists.handed_to_us(session, user)
    handed_ids = {r.id for r in handed}
    queue = [r for r in lists.territory_queue(session, user) if r.id not in handed_ids]
    return OperatorDay(
        overdue=todo.groups["overdue"],
        today=todo.groups["today"],
        queue=queue[:BLOCK_ROWS],
        handed=handed[:BLOCK_ROWS],
        news=lists.with_news(session, user, todo.waiting)[:BLOCK_ROWS],
        queue_total=len(queue),
    )
