import pytest

from directory_import import territory


@pytest.mark.parametrize(
    ("postcode", "basin"),
    [
        ("1090", "nord"),
        ("1081", "nord"),
        ("1082", "nord"),
        ("1083", "nord"),
        ("1020", "nord"),
        ("1120", "nord"),
        ("1030", "nord-est"),
        ("1140", "nord-est"),
        ("1210", "nord-est"),
        ("1130", "nord-est"),
        ("1070", "centre-ouest"),
        ("1080", "centre-ouest"),
        ("1000", "centre-ouest"),
        ("1050", "sud"),
        ("1060", "sud"),
        ("1190", "sud"),
        ("1180", "sud"),
        ("1170", "sud"),
        ("1040", "sud-est"),
        ("1160", "sud-est"),
        ("1200", "sud-est"),
        ("1150", "sud-est"),
    ],
)
def test_territory_postcode_maps_to_basin(postcode, basin):
    assert territory.basin_for_postcode(postcode) == basin


@pytest.mark.parametrize("value", ["7000", "9999", "", None, "abc", "10", "B-8000"])
def test_territory_unknown_postcode_is_outside_not_an_error(value):
    assert territory.basin_for_postcode(value) == "outside"
    assert territory.locality_for_postcode(value) is None


@pytest.mark.parametrize("value", ["B-1060", " 1060 ", 1060, "1060 Saint-Gilles", "b1060"])
def test_territory_postcode_written_loosely_is_understood(value):
    assert territory.normalize_postcode(value) == "1060"


def test_territory_city_of_brussels_is_split_across_basins():
    sections = {p: territory.LOCALITIES[p] for p in ("1000", "1020", "1120", "1130")}
    assert {loc.commune.code for loc in sections.values()} == {"bruxelles"}
    assert {loc.basin for loc in sections.values()} == {"centre-ouest", "nord", "nord-est"}
    assert territory.LOCALITIES["1020"].name_nl == "Laken"


def test_territory_has_nineteen_communes_with_both_names():
    assert len(territory.COMMUNES) == 19
    assert territory.COMMUNES["ixelles"].name_nl == "Elsene"
    assert {loc.commune.code for loc in territory.LOCALITIES.values()} == set(territory.COMMUNES)


def test_territory_edge_communes_make_basins_neighbours():
    assert "sud" in territory.neighbours("sud-est")
    assert "sud-est" in territory.neighbours("sud")
    assert territory.transfer_targets("sud")[0] == "region"
    assert set(territory.transfer_targets("region")) == set(territory.BASINS)
