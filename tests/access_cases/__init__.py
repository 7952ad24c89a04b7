"""The access matrix, one module per area: each defines ``CASES`` and may define ``build(app, world)``.

``tests/test_access_matrix.py`` runs every case for every user of ``USERS`` and fails when a route of the
app has no case. Expectations: ``ok`` (allowed), ``login`` (sent to sign in / 401), ``hidden`` (404),
``forbidden`` (403).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from directory_import.territory import TERRITORIES

AREA_MODULES = ("core", "directory", "requests", "reports", "admin", "api", "verification")

User = tuple[str, str] | None  # (role, territory); None is the anonymous visitor

USERS: list[User] = (
    [("operator", t) for t in TERRITORIES]
    + [("coordinator", "sud"), ("coordinator", "nord"), ("coordinator", "region"), ("admin", "region")]
    + [None]
)


@dataclass
class World:
    """Data the routes are exercised against (ids of requests, organisations...), built per test."""

    ids: dict[str, Any] = field(default_factory=dict)


Expect = Callable[[User], str]


def signed_in(user: User) -> str:
    return "login" if user is None else "ok"


def anyone(user: User) -> str:
    return "ok"


def admin_only(user: User) -> str:
    if user is None:
        return "login"
    return "ok" if user[0] == "admin" else "forbidden"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str = "GET"
    url: str | Callable[[World], str] = ""
    data: dict | Callable[[World], dict] | None = None
    expect: Expect = signed_in
    json: bool = False
    headers: dict | None = None
    label: str = ""  # to tell apart several cases of one endpoint


def all_cases() -> list[Case]:
    cases = []
    for name in AREA_MODULES:
        cases.extend(getattr(importlib.import_module(f"tests.access_cases.{name}"), "CASES", []))
    return cases


def builders() -> list[Callable]:
    found = []
    for name in AREA_MODULES:
        build = getattr(importlib.import_module(f"tests.access_cases.{name}"), "build", None)
        if build is not None:
            found.append(build)
    return found
