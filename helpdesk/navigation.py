"""The main navigation: one list, filtered by what the user may do and by the routes that exist."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from directory_import.models import utcnow
from helpdesk import access
from helpdesk.db import get_session
from helpdesk.followup import lists
from helpdesk.i18n import local_zone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object
    allowed: Callable[[object], bool]
    description: object = ""
    count: Callable[[object], int | None] | None = None  # a cheap count shown next to the label


def _signed_in(user) -> bool:
    return user.is_authenticated


def _works_on_requests(user) -> bool:
    return user.is_authenticated and bool(access.intake_territories(user))


def _directory(user) -> bool:
    return access.can_read_directory(
        user if user.is_authenticated else None, current_app.config["DIRECTORY_PUBLIC"]
    )


def _counts(user) -> tuple[int | None, int | None]:
    """Callbacks overdue or due today, and requests in the territory's queue: two COUNT queries a page."""
    if "nav_counts" not in g:
        db = get_session()
        try:
            g.nav_counts = (
                lists.todo_count(db, user, now=utcnow(), zone=local_zone()),
                lists.queue_count(db, user),
            )
        except SQLAlchemyError:  # a page already failing on the database still renders, without counts
            logger.warning("navigation counts unavailable", exc_info=True)
            g.nav_counts = (None, None)
    return g.nav_counts


def _unread(user) -> int | None:
    """Unread notifications: one COUNT query a page."""
    if "nav_unread" not in g:
        from helpdesk.notify.operations import unread_count

        try:
            g.nav_unread = unread_count(get_session(), user)
        except SQLAlchemyError:
            logger.warning("notification count unavailable", exc_info=True)
            g.nav_unread = None
    return g.nav_unread or None


NAV: tuple[NavEntry, ...] = (
    NavEntry("main.home", _l("Home"), _signed_in),
    NavEntry(
        "notify.index",
        _l("Notifications"),
        _signed_in,
        _l("Transfers, callbacks due, requests waiting too long."),
        _unread,
    ),
    NavEntry(
        "followup.todo",
        _l("My to-do list"),
        _works_on_requests,
        _l("Callbacks due and requests waiting."),
        lambda u: _counts(u)[0],
    ),
    NavEntry(
        "followup.queue",
        _l("Requests"),
        _works_on_requests,
        _l("The territory's requests and queue."),
        lambda u: _counts(u)[1],
    ),
    NavEntry("intake.new", _l("New request"), _works_on_requests, _l("Record a professional's request.")),
    NavEntry(
        "directory.search", _l("Directory"), _directory, _l("Search the social-health actors of Brussels.")
    ),
    NavEntry(
        "reports.monthly",
        _l("Reports"),
        lambda u: u.is_authenticated and bool(access.report_territories(u)),
        _l("The monthly activity report."),
    ),
    NavEntry(
        "admin.index",
        _l("Administration"),
        lambda u: u.is_authenticated and (access.can_manage_users(u) or access.can_manage_directory(u)),
        _l("Accounts, directory imports, duplicates, themes."),
    ),
)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    url: str
    label: object
    description: object
    active: bool
    count: int | None = None


def nav_items() -> list[NavItem]:
    endpoints = current_app.view_functions
    items = []
    for entry in NAV:
        if entry.endpoint in endpoints and entry.allowed(current_user):
            items.append(
                NavItem(
                    entry.endpoint,
                    url_for(entry.endpoint),
                    entry.label,
                    entry.description,
                    request.endpoint == entry.endpoint,
                    entry.count(current_user) if entry.count is not None else None,
                )
            )
    return items
