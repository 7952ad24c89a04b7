"""Each operator's to-do list and the territory's queue; the queries are in ``helpdesk.followup.lists``."""

from __future__ import annotations

from dataclasses import asdict

from flask import render_template, request
from flask_login import current_user, login_required

from directory_import.models import utcnow
from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.db import get_session
from helpdesk.followup import lists
from helpdesk.followup.pages.common import LABELS, require_request_worker
from helpdesk.followup.themes import theme_labels
from helpdesk.i18n import current_language, local_zone


@login_required
def todo():
    require_request_worker()
    db = get_session()
    todo = lists.todo_list(db, current_user, now=utcnow(), zone=local_zone())
    return render_template(
        "followup/todo.html",
        groups=todo.groups,
        waiting=todo.waiting,
        labels=LABELS,
        themes=theme_labels(db, current_language()),
    )


@login_required
def queue():
    """The territory's queue (new or unassigned), and a filtered list of every request one may read."""
    require_request_worker()
    db = get_session()
    filters = lists.RequestFilters(
        status=request.args.get("status", ""),
        theme=request.args.get("theme", ""),
        territory=request.args.get("territory", ""),
        q=request.args.get("q", "").strip(),
    )
    return render_template(
        "followup/queue.html",
        in_queue=lists.territory_queue(db, current_user),
        requests=lists.readable_requests(db, current_user, filters),
        passed_on=lists.passed_on_requests(db, current_user),
        labels=LABELS,
        themes=theme_labels(db, current_language()),
        filters=asdict(filters),
        territories=TERRITORIES,
        can_review_corrections=access.can_review_corrections(current_user),
        now=utcnow(),
    )
