"""The territory of Brussels: 19 communes, their postcodes, and the 5 basins of help and care plus the region.

Postcode -> locality (a commune, or a section of the City of Brussels) -> basin. Unknown or non-Brussels
postcodes are "outside Brussels", never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NORD = "nord"
NORD_EST = "nord-est"
CENTRE_OUEST = "centre-ouest"
SUD = "sud"
SUD_EST = "sud-est"
REGION = "region"
OUTSIDE = "outside"

BASINS: tuple[str, ...] = (NORD, NORD_EST, CENTRE_OUEST, SUD, SUD_EST)
TERRITORIES: tuple[str, ...] = BASINS + (REGION,)


@dataclass(frozen=True)
class Territory:
    code: str
    name_fr: str
    name_nl: str
    name_en: str

    def name(self, locale: str) -> str:
        return {"fr": self.name_fr, "nl": self.name_nl}.get(locale, self.name_en)


TERRITORY_NAMES: dict[str, Territory] = {
    t.code: t
    for t in (
        Territory(NORD, "Bassin Nord", "Zorgregio Noord", "North basin"),
        Territory(NORD_EST, "Bassin Nord-Est", "Zorgregio Noordoost", "North-East basin"),
        Territory(CENTRE_OUEST, "Bassin Centre-Ouest", "Zorgregio Centrum-West", "Centre-West basin"),
        Territory(SUD, "Bassin Sud", "Zorgregio Zuid", "South basin"),
        Territory(SUD_EST, "Bassin Sud-Est", "Zorgregio Zuidoost", "South-East basin"),
        Territory(REGION, "Niveau régional", "Gewestelijk niveau", "Regional level"),
        Territory(OUTSIDE, "Hors Bruxelles", "Buiten Brussel", "Outside Brussels"),
    )
}


@dataclass(frozen=True)
class Commune:
    """One of the 19 communes."""

    code: str  # a stable slug
    name_fr: str
    name_nl: str

    def name(self, locale: str) -> str:
        return self.name_nl if locale == "nl" else self.name_fr


@dataclass(frozen=True)
class Locality:
    """What a postcode designates: a commune or, for the City of Brussels, one of its sections."""

    postcode: str
    commune: Commune
    name_fr: str
    name_nl: str
    basin: str

    def name(self, locale: str) -> str:
        return self.name_nl if locale == "nl" else self.name_fr


_C = Commune
COMMUNES: dict[str, Commune] = {
    c.code: c
    for c in (
        _C("anderlecht", "Anderlecht", "Anderlecht"),
        _C("auderghem", "Auderghem", "Oudergem"),
        _C("berchem-sainte-agathe", "Berchem-Sainte-Agathe", "Sint-Agatha-Berchem"),
        _C("bruxelles", "Bruxelles", "Brussel"),
        _C("etterbeek", "Etterbeek", "Etterbeek"),
        _C("evere", "Evere", "Evere"),
        _C("forest", "Forest", "Vorst"),
        _C("ganshoren", "Ganshoren", "Ganshoren"),
        _C("ixelles", "Ixelles", "Elsene"),
        _C("jette", "Jette", "Jette"),
        _C("koekelberg", "Koekelberg", "Koekelberg"),
        _C("molenbeek-saint-jean", "Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek"),
        _C("saint-gilles", "Saint-Gilles", "Sint-Gillis"),
        _C("saint-josse-ten-noode", "Saint-Josse-ten-Noode", "Sint-Joost-ten-Node"),
        _C("schaerbeek", "Schaerbeek", "Schaarbeek"),
        _C("uccle", "Uccle", "Ukkel"),
        _C("watermael-boitsfort", "Watermael-Boitsfort", "Watermaal-Bosvoorde"),
        _C("woluwe-saint-lambert", "Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe"),
        _C("woluwe-saint-pierre", "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe"),
    )
}


def _locality(postcode: str, commune: str, basin: str, name_fr: str = "", name_nl: str = "") -> Locality:
    c = COMMUNES[commune]
    return Locality(postcode, c, name_fr or c.name_fr, name_nl or c.name_nl, basin)


LOCALITIES: dict[str, Locality] = {
    loc.postcode: loc
    for loc in (
        # Nord
        _locality("1090", "jette", NORD),
        _locality("1081", "koekelberg", NORD),
        _locality("1082", "berchem-sainte-agathe", NORD),
        _locality("1083", "ganshoren", NORD),
        _locality("1020", "bruxelles", NORD, "Laeken", "Laken"),
        _locality("1120", "bruxelles", NORD, "Neder-Over-Heembeek", "Neder-Over-Heembeek"),
        # Nord-Est
        _locality("1030", "schaerbeek", NORD_EST),
        _locality("1140", "evere", NORD_EST),
        _locality("1210", "saint-josse-ten-noode", NORD_EST),
        _locality("1130", "bruxelles", NORD_EST, "Haren", "Haren"),
        # Centre-Ouest
        _locality("1070", "anderlecht", CENTRE_OUEST),
        _locality("1080", "molenbeek-saint-jean", CENTRE_OUEST),
        _locality("1000", "bruxelles", CENTRE_OUEST, "Bruxelles (centre)", "Brussel (centrum)"),
        # Sud
        _locality("1050", "ixelles", SUD),
        _locality("1060", "saint-gilles", SUD),
        _locality("1190", "forest", SUD),
        _locality("1180", "uccle", SUD),
        _locality("1170", "watermael-boitsfort", SUD),
        # Sud-Est
        _locality("1040", "etterbeek", SUD_EST),
        _locality("1160", "auderghem", SUD_EST),
        _locality("1200", "woluwe-saint-lambert", SUD_EST),
        _locality("1150", "woluwe-saint-pierre", SUD_EST),
    )
}

# Communes at a basin's edge, by postcode; basins that share such an edge are neighbours for transfers.
EDGES: tuple[tuple[str, str], ...] = (
    ("1040", "1050"),
    ("1160", "1170"),
    ("1040", "1030"),
    ("1200", "1140"),
    ("1040", "1000"),
    ("1050", "1000"),
    ("1060", "1000"),
    ("1190", "1070"),
    ("1000", "1210"),
    ("1000", "1020"),
    ("1080", "1081"),
    ("1080", "1082"),
    ("1020", "1030"),
    ("1120", "1130"),
    ("1120", "1140"),
    ("1050", "1040"),
    ("1170", "1160"),
    ("1150", "1160"),
)


def _basin_neighbours() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {b: set() for b in BASINS}
    for a, b in EDGES:
        ba, bb = LOCALITIES[a].basin, LOCALITIES[b].basin
        if ba != bb:
            found[ba].add(bb)
            found[bb].add(ba)
    return {b: frozenset(n) for b, n in found.items()}


BASIN_NEIGHBOURS: dict[str, frozenset[str]] = _basin_neighbours()

_POSTCODE_RE = re.compile(r"(?:B\s*-?\s*)?(\d{4})\b", re.IGNORECASE)


def normalize_postcode(value: object) -> str:
    """The 4-digit Belgian postcode found in ``value`` (``'B-1060'``, ``' 1060 '``, ``1060``), else ``''``."""
    if value is None:
        return ""
    match = _POSTCODE_RE.search(str(value).strip())
    return match.group(1) if match else ""


def locality_for_postcode(postcode: object) -> Locality | None:
    """The Brussels locality of a postcode, or None when it is unknown or outside Brussels."""
    return LOCALITIES.get(normalize_postcode(postcode))


def basin_for_postcode(postcode: object) -> str:
    """The basin code of a postcode, ``'outside'`` when it is not a Brussels postcode."""
    loc = locality_for_postcode(postcode)
    return loc.basin if loc else OUTSIDE


def neighbours(territory: str) -> frozenset[str]:
    """Basins that border ``territory`` (empty for the region)."""
    return BASIN_NEIGHBOURS.get(territory, frozenset())


def transfer_targets(territory: str) -> tuple[str, ...]:
    """Where a request held by ``territory`` may be handed: the region, a basin, or a neighbouring basin."""
    if territory == REGION:
        return BASINS
    return (REGION,) + tuple(sorted(neighbours(territory)))


# Words of a zone that covers the whole region (or more): every commune is served.
_WHOLE_REGION = re.compile(
    r"r[ée]gion|gewest|bruxelles[- ]capitale|brussel[- ]hoofdstad|hoofdstedelijk|19 communes|19 gemeenten|"
    r"belgique|belgi[eë]|national|wallonie|flandre|vlaanderen|f[ée]d[ée]ration|communaut[ée]|gemeenschap|"
    r"toute la r|heel brussel|tout bruxelles|international",
    re.IGNORECASE,
)


def _folded(value: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value.lower())
    return " ".join(
        re.sub(r"[^a-z0-9]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).split()
    )


def _commune_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for commune in COMMUNES.values():
        for name in {commune.name_fr, commune.name_nl, commune.code}:
            patterns.append((re.compile(rf"\b{re.escape(_folded(name))}\b"), commune.code))
    for loc in LOCALITIES.values():  # sections of the City: Laeken, Haren, Neder-Over-Heembeek
        patterns.append((re.compile(rf"\b{re.escape(_folded(loc.name_fr))}\b"), loc.commune.code))
        patterns.append((re.compile(rf"\b{re.escape(_folded(loc.name_nl))}\b"), loc.commune.code))
    # Longest names first, so "Woluwe-Saint-Lambert" is read before a shorter name inside it.
    return sorted(patterns, key=lambda item: -len(item[0].pattern))


_COMMUNE_PATTERNS = _commune_patterns()


def communes_named(text: object) -> tuple[str, ...]:
    """The codes of the communes a zone's label names: a commune (French or Dutch), a postcode, a section
    of the City (Laeken), several of them ("Schaerbeek, Evere"), or the whole region ("Région de
    Bruxelles-Capitale", "Belgique": all 19). Empty when it names none."""
    value = str(text or "").strip()
    if not value:
        return ()
    if _WHOLE_REGION.search(value):
        return tuple(sorted(COMMUNES))
    found: set[str] = set()
    for postcode in re.findall(r"\b1\d{3}\b", value):
        loc = LOCALITIES.get(postcode)
        if loc is not None:
            found.add(loc.commune.code)
    folded = _folded(value)
    for pattern, code in _COMMUNE_PATTERNS:
        if pattern.search(folded):
            found.add(code)
            folded = pattern.sub(" ", folded)
    return tuple(sorted(found))
