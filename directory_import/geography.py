"""Where things are in Brussels, without asking any service: the centres of the 19 communes and of the
postcodes (``data/brussels_centres.csv``, its source named in its header), great-circle distances, and
the point an organisation stands for (its own coordinates, else its postcode's centre).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from directory_import.territory import COMMUNES, LOCALITIES, locality_for_postcode, normalize_postcode

CENTRES_FILE = Path(__file__).resolve().parent / "data" / "brussels_centres.csv"
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


@dataclass(frozen=True)
class Point:
    """A place in WGS84 decimal degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class Located:
    """The point an organisation stands for, and whether it is its own (``exact``) or its postcode's centre."""

    point: Point
    exact: bool


class HasPlace(Protocol):
    latitude: float | None
    longitude: float | None
    postcode: str


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between two points, in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1)
def centres() -> dict[tuple[str, str], Point]:
    """Every centre of the data file, keyed by (``commune``, code) and (``postcode``, postcode)."""
    found: dict[tuple[str, str], Point] = {}
    with CENTRES_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            found[(row["kind"], row["code"])] = Point(float(row["latitude"]), float(row["longitude"]))
    return found


def commune_centre(commune_code: str) -> Point | None:
    """The centre of a commune (a ``territory.COMMUNES`` code), None when unknown."""
    return centres().get(("commune", commune_code))


def postcode_centre(postcode: object) -> Point | None:
    """The centre of a Brussels postcode (``'1060'``, ``'B-1060'``), else of its commune; None outside
    Brussels or when the postcode is unknown."""
    code = normalize_postcode(postcode)
    if not code:
        return None
    point = centres().get(("postcode", code))
    if point is not None:
        return point
    locality = locality_for_postcode(code)
    return commune_centre(locality.commune.code) if locality is not None else None


def organisation_point(organisation: HasPlace) -> Located | None:
    """Where an organisation is: its own coordinates when it has them, else its postcode's centre
    (``exact`` False), else None."""
    if organisation.latitude is not None and organisation.longitude is not None:
        return Located(Point(organisation.latitude, organisation.longitude), True)
    centre = postcode_centre(organisation.postcode)
    return Located(centre, False) if centre is not None else None


def missing_centres() -> list[str]:
    """The communes and Brussels postcodes of ``territory`` the data file has no centre for (none, as a test
    checks)."""
    known = centres()
    missing = [f"commune {c}" for c in COMMUNES if ("commune", c) not in known]
    missing += [f"postcode {p}" for p in LOCALITIES if ("postcode", p) not in known]
    return missing
