"""What the suggestions need to know of every active organisation, read once and kept per process.

A suggestion weighs every organisation of the directory, so reading them row by row each time would cost
more than the rest together. The profiles are built from one query and kept until the directory changes
(checked on each use by its row count and latest ``updated_at``: two aggregates on an indexed column).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_import.geography import Located, organisation_point
from directory_import.models import Organisation
from directory_import.normalize import fold
from directory_import.territory import COMMUNES, locality_for_postcode
from helpdesk.orientation.matching import category_codes, public_names

EXTENSION = "orientation_profiles"
QUESTIONS_KEPT = 500

# Words of a remark or of the opening hours that say a service is closed for now.
CLOSED_RE = re.compile(
    r"ferme(e)? temporairement|fermeture temporaire|temporairement ferme|tijdelijk gesloten|"
    r"temporarily closed|closed until|ferme jusqu|gesloten tot"
)


@dataclass(frozen=True)
class OrganisationProfile:
    """One active organisation as the suggestions see it."""

    id: int
    source_id: str
    name_fr: str
    name_nl: str
    postcode: str
    basin: str
    commune: str  # its commune's code ('' outside Brussels)
    categories: dict[str, dict[str, str]]  # vocabulary code -> its labels {"fr", "nl"}
    publics: frozenset[str]  # French labels of vocabulary.PUBLICS
    languages: frozenset[str]
    interpreting: bool | None
    located: Located | None
    served: frozenset[str]  # communes its action zones cover
    temporarily_closed: bool

    def name(self, locale: str) -> str:
        first, second = (self.name_nl, self.name_fr) if locale == "nl" else (self.name_fr, self.name_nl)
        return first or second or self.source_id

    @property
    def serves_whole_region(self) -> bool:
        return len(self.served) == len(COMMUNES)


COLUMNS = (
    Organisation.id,
    Organisation.source_id,
    Organisation.name_fr,
    Organisation.name_nl,
    Organisation.postcode,
    Organisation.basin,
    Organisation.categories,
    Organisation.publics,
    Organisation.target_public_fr,
    Organisation.target_public_nl,
    Organisation.languages,
    Organisation.interpreting,
    Organisation.latitude,
    Organisation.longitude,
    Organisation.served_communes,
    Organisation.remark_fr,
    Organisation.remark_nl,
    Organisation.opening_hours_fr,
)


class _Place:
    __slots__ = ("latitude", "longitude", "postcode")

    def __init__(self, latitude: float | None, longitude: float | None, postcode: str) -> None:
        self.latitude, self.longitude, self.postcode = latitude, longitude, postcode


def profile_of(row: Any) -> OrganisationProfile:
    """The profile of an ``Organisation`` (or of a row holding the ``COLUMNS``)."""
    locality = locality_for_postcode(row.postcode)
    closed_text = fold(" ".join(filter(None, [row.remark_fr, row.remark_nl, row.opening_hours_fr])))
    return OrganisationProfile(
        id=row.id,
        source_id=row.source_id,
        name_fr=row.name_fr or "",
        name_nl=row.name_nl or "",
        postcode=row.postcode or "",
        basin=row.basin or "",
        commune=locality.commune.code if locality is not None else "",
        categories=category_codes(row.categories or []),
        publics=public_names(row.publics or [], row.target_public_fr or "", row.target_public_nl or ""),
        languages=frozenset(str(code) for code in row.languages or []),
        interpreting=row.interpreting,
        located=organisation_point(_Place(row.latitude, row.longitude, row.postcode or "")),
        served=frozenset(c for c in (row.served_communes or "").split("|") if c in COMMUNES),
        temporarily_closed=bool(CLOSED_RE.search(closed_text)),
    )


@dataclass(frozen=True)
class Directory:
    """The active organisations' profiles, by id and by category (vocabulary code); and the search hits
    of the questions already asked of this state of the directory (a request page is shown again after
    each action on it: its question is searched once)."""

    profiles: dict[int, OrganisationProfile]
    by_category: dict[str, tuple[int, ...]]
    question_hits: OrderedDict[str, dict[int, float]] = field(default_factory=OrderedDict)

    def remembered(self, question: str, compute: Callable[[], dict[int, float]]) -> dict[int, float]:
        found = self.question_hits.get(question)
        if found is None:
            found = compute()
            self.question_hits[question] = found
            while len(self.question_hits) > QUESTIONS_KEPT:
                self.question_hits.popitem(last=False)
        return found

    def in_categories(self, codes: Iterable[str]) -> set[int]:
        return {i for code in codes for i in self.by_category.get(code, ())}


def directory_of(profiles: Iterable[OrganisationProfile]) -> Directory:
    by_id = {p.id: p for p in profiles}
    by_category: dict[str, list[int]] = {}
    for p in by_id.values():
        for code in p.categories:
            by_category.setdefault(code, []).append(p.id)
    return Directory(by_id, {code: tuple(ids) for code, ids in by_category.items()})


class _Cache:
    def __init__(self) -> None:
        self.key: tuple | None = None
        self.directory = Directory({}, {})
        self.lock = threading.Lock()


# Changes stamped a little before the latest one seen are read again: clocks of several machines differ.
CATCH_UP_MARGIN = timedelta(minutes=5)


def directory_key(session: Session) -> tuple[int | None, datetime | None]:
    """What changes whenever an organisation is added, changed or archived (organisations are never
    deleted): the highest id and the latest ``updated_at``. Two subqueries: each aggregate alone is read
    from its index's end (together they would scan the table)."""
    highest, latest = session.execute(
        select(
            select(func.max(Organisation.id)).scalar_subquery(),
            select(func.max(Organisation.updated_at)).scalar_subquery(),
        )
    ).one()
    return highest, latest


def _with_closures(session: Session, directory: Directory) -> Directory:
    """The closures and "full until" the helpdesk accepted (``helpdesk.stewardship``) count as closed."""
    from helpdesk.stewardship.overlays import closed_for_now

    closed = closed_for_now(session)
    if not any(org_id in directory.profiles for org_id in closed):
        return directory
    return directory_of(
        dataclasses.replace(p, temporarily_closed=True) if p.id in closed else p
        for p in directory.profiles.values()
    )


def active_directory(app: Flask, session: Session) -> Directory:
    """Every active organisation's profile. When the directory changed, only the organisations changed
    since the last look are read again (all of them the first time)."""
    cache: _Cache = app.extensions.setdefault(EXTENSION, _Cache())
    key = directory_key(session)
    if cache.key == key:
        return cache.directory
    previous = cache.key[1] if cache.key is not None else None
    if previous is None:
        rows = session.execute(select(*COLUMNS).where(Organisation.archived.is_(False)))
        directory = directory_of(profile_of(row) for row in rows)
    else:
        profiles = dict(cache.directory.profiles)
        changed = session.execute(
            select(*COLUMNS, Organisation.archived).where(
                Organisation.updated_at >= previous - CATCH_UP_MARGIN
            )
        )
        for row in changed:
            if row.archived:
                profiles.pop(row.id, None)
            else:
                profiles[row.id] = profile_of(row)
        directory = directory_of(profiles.values())
    directory = _with_closures(session, directory)
    with cache.lock:
        cache.key, cache.directory = key, directory
    return directory
