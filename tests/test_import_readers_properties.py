"""Property-based tests of every export reader (hypothesis): whatever the file holds, the import gets records
or per-row errors, or a clear ``SourceError`` for a file it cannot read at all; never another exception.

Files: any bytes; CSV and JSON built from the real field names with missing and unknown columns, wrong
cell counts, quotes, separators and newlines inside cells, huge fields, in UTF-8, UTF-8 with BOM or
Windows-1252, CRLF or LF, cut at a random byte; HSDS packages (zip) with random tables. Every record is
also normalised: values fit their database columns and hold no NUL (PostgreSQL would refuse them).
2,000 examples in all by default, the same ones every run under ``make test`` (the "ci" Hypothesis profile);
``make fuzz`` draws many more at random (``HELPDESK_READER_EXAMPLES`` scales them).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String

from directory_import.models import Organisation
from directory_import.normalize import normalize_record
from directory_import.readers import FORMATS, OrganisationRecord, RejectedRecord, SourceError, read_source
from directory_import.readers.fields import ALIASES
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="no database involved: run once, in the SQLite run")

TOTAL = int(os.environ.get("HELPDESK_READER_EXAMPLES", "500"))  # make fuzz runs many more, at random
SHARE = {"bytes": 0.15, "csv": 0.25, "json": 0.25, "hsds": 0.15, "socialbrussels": 0.2}


def examples(kind: str):
    return settings(
        max_examples=max(1, int(TOTAL * SHARE[kind])),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


try:
    from directory_import.normalize import RejectedRow
except ImportError:  # pragma: no cover - where the import keeps it
    from directory_import.sync import RejectedRow  # type: ignore[no-redef]

COLUMN_LIMITS = {
    column.name: column.type.length
    for column in Organisation.__table__.columns
    if isinstance(column.type, String) and column.type.length
}
KNOWN_NAMES = sorted(
    {alias for aliases in ALIASES.values() for alias in aliases}
    | {"nameFr", "nameNl", "postalCode", "address.postalCode", "Name FR", "E-mail"}
)
SHORT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "1000",
            "1210",
            "02/218.45.67",
            "a@b.example",
            "www.x.example",
            "fr|nl",
            "é",
            "\x00",
            "\ufeff",
            "\r\n",
            '"',
            '""',
            ";",
            ",",
            "|",
            "\\",
            "null",
            "-1",
            "1e400",
            "€ œ ’",
        ]
    ),
)
HUGE = st.builds(lambda char, count: char * count, st.characters(), st.integers(500, 100_000))
# One value in ten is huge: enough to meet them often, cheap enough for 10,000 examples.
TEXT = st.one_of(*[SHORT] * 9, HUGE)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])


def _read_with(tmp: Path, data: bytes, fmt: str, name: str = "export") -> None:
    path = tmp / name
    path.write_bytes(data)
    _check(path, fmt)


def _check(path: Path, fmt: str) -> None:
    """The property: items are records or rejected rows; records normalise or are rejected per row."""
    try:
        items = read_source(path, fmt)
        for item in items:
            assert isinstance(item, (OrganisationRecord, RejectedRecord)), type(item)
            if isinstance(item, RejectedRecord):
                assert item.reason and item.line >= 0
                continue
            try:
                values, _warnings = normalize_record(item)
            except RejectedRow:
                continue
            for name, value in values.items():
                if isinstance(value, str):
                    assert "\x00" not in value, name
                    if name in COLUMN_LIMITS:
                        assert len(value) <= COLUMN_LIMITS[name], (name, len(value))
            json.dumps(values, default=str)  # the JSON columns can store them
    except SourceError as error:
        assert str(error)  # a whole-file refusal says why


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory(prefix="reader-props-") as folder:
        yield Path(folder)


@pytest.mark.slow
@examples("bytes")
@given(data=st.binary(max_size=3000), fmt=st.sampled_from(FORMATS))
def test_readers_any_bytes_give_records_rejected_rows_or_a_source_error(scratch, data, fmt):
    _read_with(scratch, data, fmt)


@st.composite
def csv_exports(draw) -> bytes:
    names = draw(st.lists(st.one_of(st.sampled_from(KNOWN_NAMES), st.text(max_size=12)), max_size=12))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    rows = draw(st.lists(st.lists(TEXT, max_size=len(names) + 2), max_size=6))

    def cell(value: str) -> str:
        if draw(st.booleans()) or any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(cell(n) for n in names)] + [delimiter.join(cell(v) for v in row) for row in rows]
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    data = text.encode(draw(ENCODINGS), errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]  # cut short, as a failed download
    return data


@pytest.mark.slow
@examples("csv")
@given(data=csv_exports(), fmt=st.sampled_from(["auto", "csv"]))
def test_readers_csv_with_any_columns_encodings_and_cells_never_crash(scratch, data, fmt):
    _read_with(scratch, data, fmt, "export.csv")


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=4,
)


@st.composite
def json_exports(draw) -> bytes:
    organisation = st.dictionaries(
        st.one_of(st.sampled_from(KNOWN_NAMES + ["address", "categories"]), st.text(max_size=10)),
        JSON_VALUE,
        max_size=10,
    )
    organisations = draw(st.lists(st.one_of(organisation, JSON_VALUE), max_size=5))
    document = draw(
        st.sampled_from(
            [
                lambda orgs: {"exportDate": "2026-11-01", "organisations": orgs},
                lambda orgs: orgs,
                lambda orgs: {"data": orgs},
                lambda orgs: {"organisations": {"not": "a list"}},
            ]
        )
    )(organisations)
    text = json.dumps(document, ensure_ascii=draw(st.booleans()), allow_nan=True)
    data = text.encode(draw(ENCODINGS), errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@pytest.mark.slow
@examples("json")
@given(data=json_exports(), fmt=st.sampled_from(["auto", "json"]))
def test_readers_json_with_any_structure_encodings_and_values_never_crash(scratch, data, fmt):
    _read_with(scratch, data, fmt, "export.json")


HSDS_TABLES = [
    "organizations",
    "services",
    "locations",
    "physical_addresses",
    "addresses",
    "phones",
    "languages",
    "schedules",
]
HSDS_COLUMNS = [
    "id",
    "name",
    "alternate_name",
    "description",
    "email",
    "url",
    "organization_id",
    "location_id",
    "address_1",
    "city",
    "postal_code",
    "number",
    "language",
    "service_id",
    "weekday",
    "opens_at",
]


@st.composite
def hsds_packages(draw) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        if draw(st.booleans()):
            package.writestr(
                "datapackage.json",
                draw(
                    st.one_of(
                        st.just('{"name": "hsds-test", "language": "nl"}'),
                        st.text(max_size=50),
                        JSON_VALUE.map(lambda v: json.dumps(v, allow_nan=True)),
                    )
                ),
            )
        for table in draw(st.lists(st.sampled_from(HSDS_TABLES), unique=True, max_size=5)):
            columns = draw(
                st.lists(st.one_of(st.sampled_from(HSDS_COLUMNS), st.text(max_size=8)), max_size=6)
            )
            rows = draw(
                st.lists(
                    st.lists(
                        st.one_of(st.sampled_from(["1", "2", "o1", "l1"]), TEXT), max_size=len(columns) + 1
                    ),
                    max_size=4,
                )
            )
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows(rows)
            package.writestr(f"{table}.csv", out.getvalue().encode(draw(ENCODINGS), errors="replace"))
    return buffer.getvalue()


@pytest.mark.slow
@examples("hsds")
@given(data=hsds_packages(), fmt=st.sampled_from(["auto", "hsds"]))
def test_readers_hsds_packages_with_any_tables_never_crash(scratch, data, fmt):
    _read_with(scratch, data, fmt, "package.zip")


SOCIALBRUSSELS_NAMES = [
    "id",
    "nameOfficialFr",
    "nameOfficialNl",
    "nameAlternativeFr",
    "nameFormerNl",
    "nameServiceFr",
    "legalStatus",
    "pmRp",
    "descriptionFr",
    "activitiesFr",
    "activitiesNl",
    "accessFr",
    "permanencyFr",
    "publicNl",
    "remarkFr",
    "langStatus",
    "isInterpreting",
    "lastUpdate",
    "telFr",
    "faxNl",
    "emailFr",
    "websiteOfficialFr",
    "address",
    "categoriesObject",
    "categories",
    "sectorsObjects",
    "actionZones",
    "ID",
    "NAMEOFFICIALFR",
]
SOCIALBRUSSELS_ADDRESS_NAMES = [
    "x",
    "y",
    "lat",
    "lon",
    "streetFr",
    "streetNl",
    "number",
    "numberBuilding",
    "postalBox",
    "zipCode",
    "municipalityFr",
    "postalCodeFr",
]


@st.composite
def socialbrussels_exports(draw) -> bytes:
    address = st.dictionaries(
        st.one_of(st.sampled_from(SOCIALBRUSSELS_ADDRESS_NAMES), st.text(max_size=6)), JSON_VALUE, max_size=6
    )
    value = st.one_of(
        JSON_VALUE,
        address,
        st.lists(
            st.dictionaries(st.sampled_from(["id", "labelFr", "labelNl", "label"]), JSON_VALUE, max_size=3),
            max_size=3,
        ),
    )
    organisation = st.dictionaries(
        st.one_of(st.sampled_from(SOCIALBRUSSELS_NAMES), st.text(max_size=10)), value, max_size=12
    )
    organisations = draw(st.lists(st.one_of(organisation, JSON_VALUE), max_size=5))
    document = draw(
        st.sampled_from(
            [
                lambda orgs: orgs,
                lambda orgs: {"total": len(orgs), "results": orgs},
                lambda orgs: orgs[0] if orgs else {},
                lambda orgs: {"organisation": orgs[0] if orgs else None},
            ]
        )
    )(organisations)
    text = json.dumps(document, ensure_ascii=draw(st.booleans()), allow_nan=True)
    data = text.encode(draw(ENCODINGS), errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@examples("socialbrussels")
@given(data=socialbrussels_exports(), fmt=st.sampled_from(["auto", "socialbrussels"]))
def test_readers_socialbrussels_records_of_any_shape_never_crash(scratch, data, fmt):
    _read_with(scratch, data, fmt, "records.json")


def test_readers_properties_cover_every_format():
    assert set(FORMATS) == {"auto", "json", "csv", "hsds", "socialbrussels"}, (
        "a new reader needs its property test here"
    )
