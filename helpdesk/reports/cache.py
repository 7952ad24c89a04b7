"""Computed report figures kept per (period, territory, data generation), so a page viewed again is not
counted again: a public report's suppression alone reads the figures of its whole family (a quarter and its
three months, for the six territories and all: 28 reports).

The data generation is read from the database on every use, in one query: for each table a report reads, its
row count and highest id, and what marks a change of a row in place (the requests' ``version``, which the
ORM raises on every update, the leads' and organisations' ``updated_at``, the callbacks' ``done_at``). Any
request recorded, changed or deleted, by this process or another, gives a new generation, so the cache never
answers with figures of older data: entries of older generations are never asked for again and fall out
(least recently used first). One cache per app (``init_app``), kept in memory by each process.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_import.models import Organisation
from helpdesk.followup.models import (
    Callback,
    HelpRequest,
    Lead,
    RequestEvent,
    RequestTheme,
    Transfer,
    UnmetNeed,
)
from helpdesk.orientation.models import UnansweredSearch
from helpdesk.reports.family import family_periods, family_suppression
from helpdesk.reports.periods import Month, Period
from helpdesk.reports.queries import MonthlyFigures, monthly_figures

EXTENSION = "report_cache"
MAX_ENTRIES = 512  # figures of one report are a few kilobytes: a few megabytes at most

# What a report reads, and the columns whose aggregates change when one of its rows changes in place.
WATCHED = (
    (HelpRequest, (func.sum(HelpRequest.version), func.max(HelpRequest.updated_at))),
    (RequestEvent, ()),
    (RequestTheme, ()),
    (Lead, (func.max(Lead.updated_at),)),
    (UnmetNeed, ()),
    (Callback, (func.count(Callback.done_at), func.max(Callback.done_at), func.max(Callback.due_at))),
    (Transfer, ()),
    (UnansweredSearch, ()),
    (Organisation, (func.max(Organisation.updated_at),)),
)


def data_generation(session: Session) -> tuple:
    """A value that changes whenever data a report reads changes (one query, aggregates only)."""
    marks = []
    for model, extra in WATCHED:
        for aggregate in (func.count(), func.max(model.id), *extra):
            marks.append(select(aggregate).select_from(model).scalar_subquery())
    return tuple(session.execute(select(*marks)).one())


class ReportCache:
    """Figures and family suppressions by key, least recently used out first. ``computed`` counts what was
    computed (a miss), ``served`` what was answered from the cache, by kind ("figures", "family")."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.computed: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.served[key[0]] += 1
                return self._entries[key]
        value = compute()  # outside the lock: two threads may both compute, and store the same value
        with self._lock:
            self.computed[key[0]] += 1
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def figures(
        self, session: Session, period: Month | Period, territory: str, generation: tuple
    ) -> MonthlyFigures:
        """``monthly_figures(session, period, territory)``, computed once per data generation."""
        period = period if isinstance(period, Period) else Period.of(period)
        key = ("figures", str(period), period.zone.key, territory, generation)
        return self._get(key, lambda: monthly_figures(session, period, territory))

    def family(self, session: Session, figures: MonthlyFigures, generation: tuple) -> dict:
        """The suppression of the public reports of ``figures``' family, from (and into) the cached figures."""
        period = figures.month
        key = ("family", tuple(str(p) for p in family_periods(period)), period.zone.key, generation)
        return self._get(
            key,
            lambda: family_suppression(
                session, figures, lambda p, t: self.figures(session, p, t, generation)
            ),
        )

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = ReportCache()


def report_cache() -> ReportCache:
    """The current app's cache (``init_app``, from ``create_app``)."""
    return current_app.extensions[EXTENSION]
