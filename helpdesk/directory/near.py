"""The "near" sort of the directory: a place (a Brussels postcode or commune, typed in its own field or
recognised in the search words) and every organisation's distance from it, from its own coordinates or,
without them, its postcode's centre (``directory_import.geography``). No network call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from directory_import.geography import (
    Point,
    commune_centre,
    haversine_km,
    organisation_point,
    postcode_centre,
)
from directory_import.territory import COMMUNES, LOCALITIES, communes_named
from helpdesk.orientation.profiles import active_directory

_POSTCODE = re.compile(r"\b(1\d{3})\b")


@dataclass(frozen=True)
class Place:
    """Where the distances are measured from: ``kind`` is ``postcode`` or ``commune``."""

    kind: str
    code: str
    point: Point

    def label(self, locale: str) -> str:
        if self.kind == "postcode":
            return f"{self.code} {LOCALITIES[self.code].name(locale)}"
        return COMMUNES[self.code].name(locale)


def place_of(text: str) -> Place | None:
    """The Brussels postcode (``1070``) or the one commune (``Anderlecht``, ``Ukkel``) ``text`` names, with
    its centre; None when it names none, several, or only the whole region."""
    for postcode in _POSTCODE.findall(text or ""):
        centre = postcode_centre(postcode) if postcode in LOCALITIES else None
        if centre is not None:
            return Place("postcode", postcode, centre)
    communes = communes_named(text or "")
    if len(communes) == 1:
        centre = commune_centre(communes[0])
        if centre is not None:
            return Place("commune", communes[0], centre)
    return None


def distance_order(app: Flask, session: Session, place: Place) -> Callable[[int], float]:
    """The sort key of the "near" sort: an organisation's id -> its distance in km from ``place``
    (infinite when it is nowhere known, so it comes last)."""
    profiles = active_directory(app, session).profiles
    found: dict[int, float] = {}

    def key(organisation_id: int) -> float:
        distance = found.get(organisation_id)
        if distance is None:
            profile = profiles.get(organisation_id)
            located = profile.located if profile is not None else None
            distance = haversine_km(place.point, located.point) if located is not None else math.inf
            found[organisation_id] = distance
        return distance

    return key


def distance_from(place: Place | None, organisation) -> tuple[float, bool] | None:
    """(km, exact) from ``place`` to one organisation; ``exact`` False when measured to its postcode's
    centre; None without a place or a point."""
    if place is None:
        return None
    located = organisation_point(organisation)
    if located is None:
        return None
    return haversine_km(place.point, located.point), located.exact
