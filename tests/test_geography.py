"""Brussels centres and distances: the data file covers every commune and postcode, distances need no
network, and an organisation without coordinates stands at its postcode's centre."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from directory_import import geography
from directory_import.geography import Point, haversine_km, organisation_point, postcode_centre
from directory_import.territory import COMMUNES, EDGES, LOCALITIES


@dataclass
class Place:
    latitude: float | None
    longitude: float | None
    postcode: str


def test_geography_file_names_its_source():
    header = [
        line for line in geography.CENTRES_FILE.read_text(encoding="utf-8").splitlines() if line[:1] == "#"
    ]
    assert any("Source" in line for line in header) and any("WGS84" in line for line in header)


def test_geography_has_a_centre_for_every_commune_and_postcode():
    assert geography.missing_centres() == []
    assert len([k for k in geography.centres() if k[0] == "commune"]) == len(COMMUNES) == 19


@pytest.mark.parametrize("key", sorted(geography.centres()), ids=lambda k: f"{k[0]}-{k[1]}")
def test_geography_centres_lie_in_the_region(key):
    point = geography.centres()[key]
    assert 50.76 < point.latitude < 50.92 and 4.24 < point.longitude < 4.49


@pytest.mark.parametrize("postcode", sorted(LOCALITIES))
def test_geography_a_postcode_centre_is_near_its_commune_centre(postcode):
    commune = geography.commune_centre(LOCALITIES[postcode].commune.code)
    assert haversine_km(postcode_centre(postcode), commune) < 8  # Haren is 7 km from the City's centre


@pytest.mark.parametrize(("a", "b"), sorted(set(EDGES)))
def test_geography_bordering_localities_are_a_few_kilometres_apart(a, b):
    assert haversine_km(postcode_centre(a), postcode_centre(b)) < 7


def test_geography_haversine_is_the_great_circle_distance():
    grand_place, one_degree_north = Point(50.8467, 4.3525), Point(51.8467, 4.3525)
    assert haversine_km(grand_place, grand_place) == 0
    assert haversine_km(grand_place, one_degree_north) == pytest.approx(111.19, abs=0.05)
    # Saint-Gilles to Schaerbeek: about 4.5 km as the crow flies.
    assert haversine_km(postcode_centre("1060"), postcode_centre("1030")) == pytest.approx(4.6, abs=0.6)


def test_geography_postcode_centre_reads_postcodes_as_written():
    assert postcode_centre("B-1060") == postcode_centre(1060) == postcode_centre("1060")
    assert postcode_centre("1120") != postcode_centre("1000")  # Neder-Over-Heembeek has its own
    assert postcode_centre("4000") is None and postcode_centre("") is None


def test_geography_organisation_point_prefers_its_own_coordinates():
    located = organisation_point(Place(50.83, 4.35, "1060"))
    assert (located.point, located.exact) == (Point(50.83, 4.35), True)


def test_geography_organisation_without_coordinates_stands_at_its_postcode_centre():
    located = organisation_point(Place(None, None, "1030"))
    assert (located.point, located.exact) == (postcode_centre("1030"), False)
    assert organisation_point(Place(None, None, "9000")) is None
