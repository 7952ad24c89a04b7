"""Open Referral HSDS (Human Services Data Specification) packages: a folder or a zip.

A package holds ``datapackage.json`` and one CSV per table: ``organizations.csv`` (required),
``services.csv``, ``locations.csv``, ``physical_addresses.csv`` (HSDS 2) or ``addresses.csv`` (HSDS 3),
``phones.csv``, ``languages.csv``, ``schedules.csv``. One record per organisation; its first location gives
the address; services become categories. HSDS has one language per package: names and descriptions go
to the Dutch fields when ``datapackage.json`` says ``"language": "nl"``, to the French fields when it names
another language; when it says nothing, the package's own words decide (Dutch when its names and
descriptions read clearly as Dutch, French otherwise). Members are streamed, never read whole, within
``ReadLimits`` (uncompressed size and compression ratio checked before reading and while reading); the related
tables are held in memory (HSDS packages are directory-sized, not bulk exports); ``line`` is the line in
``organizations.csv``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from directory_import.readers.base import (
    CategoryRecord,
    OrganisationRecord,
    Progress,
    ReaderItem,
    ReadLimits,
    RejectedRecord,
    SourceError,
    params,
    raw_json,
    text,
)
from directory_import.readers.csv_reader import bounded_lines, detect_delimiter, detect_encoding, oversized

TABLES = (
    "organizations",
    "services",
    "locations",
    "physical_addresses",
    "addresses",
    "phones",
    "languages",
    "schedules",
)
Row = dict[str, str]


_RATIO_FLOOR = 1024 * 1024  # smaller members may compress as well as they like
_DATAPACKAGE_MAX = 1024 * 1024
_CHUNK = 1 << 20
# What a broken or unusual zip member raises while it is read (bad CRC, truncated, unknown compression, encrypted).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


class _Bounded(io.RawIOBase):
    """A member's bytes, refused with ``SourceError`` past ``limit`` (zip headers can lie about sizes)."""

    def __init__(self, handle: BinaryIO, name: str, limit: int):
        self._handle, self._name, self._limit = handle, name, limit
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._handle.read(len(buffer))
        except _ZIP_ERRORS as error:
            raise SourceError(
                f"{self._name} cannot be read: {error}",
                "member_unreadable",
                name=self._name,
                detail=str(error),
            ) from None
        self.bytes_read += len(data)
        if self.bytes_read > self._limit:
            raise SourceError(
                f"{self._name} is larger than the limit of {self._limit} bytes once uncompressed",
                "zip_too_large",
                name=self._name,
                limit=self._limit,
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()


class _Package:
    """The files of a package, from a folder or a zip, looked up by base name and streamed, never read whole.

    Before anything is read, the sizes the zip's directory declares are checked against ``limits`` (the
    tables together, and each table's compression ratio); while reading, no member may give more than it
    declared nor more than the limit.
    """

    def __init__(self, path: Path, limits: ReadLimits | None = None):
        self.path = path
        self.limits = limits or ReadLimits()
        self._zip: zipfile.ZipFile | None = None
        self._sizes: dict[str, int] = {}
        if path.is_dir():
            self._names = {p.name.lower(): p for p in path.rglob("*") if p.is_file()}
            self._sizes = {name: p.stat().st_size for name, p in self._names.items()}
        else:
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                raise SourceError(
                    f"not a readable zip file: {error}", "zip_unreadable", detail=str(error)
                ) from None
            infos = {
                Path(info.filename).name.lower(): info for info in self._zip.infolist() if not info.is_dir()
            }
            self._names = {name: info.filename for name, info in infos.items()}
            self._sizes = {name: info.file_size for name, info in infos.items()}
            for name, info in infos.items():
                if name.removesuffix(".csv") in TABLES or name == "datapackage.json":
                    self._check_ratio(name, info)
        self._check_total()

    def _check_ratio(self, name: str, info: zipfile.ZipInfo) -> None:
        limit = self.limits.max_compression_ratio
        if info.file_size >= _RATIO_FLOOR and info.file_size > limit * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise SourceError(
                f"{name} is compressed {ratio} times (more than {limit}): this looks like a zip bomb, "
                "not an export",
                "zip_ratio",
                name=name,
                ratio=ratio,
                limit=limit,
            )

    def _check_total(self) -> None:
        tables = [
            name for name in self._sizes if name.removesuffix(".csv") in TABLES or name == "datapackage.json"
        ]
        total = sum(self._sizes[name] for name in tables)
        if total > self.limits.max_uncompressed_bytes:
            name = max(tables, key=lambda n: self._sizes[n])
            raise SourceError(
                f"uncompressed, the tables of this package are larger than the limit of "
                f"{self.limits.max_uncompressed_bytes} bytes ({name}: {self._sizes[name]} bytes)",
                "zip_too_large",
                name=name,
                limit=self.limits.max_uncompressed_bytes,
            )

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def open(self, name: str) -> BinaryIO | None:
        """The member's bytes as a stream (None when the package has no such file)."""
        found = self._names.get(name.lower())
        if found is None:
            return None
        limit = min(self._sizes[name.lower()], self.limits.max_uncompressed_bytes)
        try:
            handle = self._zip.open(found) if self._zip is not None else Path(found).open("rb")
        except (*_ZIP_ERRORS, KeyError) as error:
            raise SourceError(
                f"{name} cannot be read: {error}", "member_unreadable", name=name, detail=str(error)
            ) from None
        return io.BufferedReader(_Bounded(handle, name, limit), _CHUNK)

    def read_small(self, name: str, limit: int) -> bytes | None:
        """A small member whole (``datapackage.json``), refused past ``limit`` bytes."""
        stream = self.open(name)
        if stream is None:
            return None
        with stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise SourceError(
                f"{name} is larger than the limit of {limit} bytes", "zip_too_large", name=name, limit=limit
            )
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text(package: _Package, name: str) -> TextIO | None:
    """A member as text: UTF-8 (with or without BOM) when all of it is, else Windows-1252; streamed."""
    probe = package.open(name)
    if probe is None:
        return None
    with probe:
        encoding = detect_encoding(probe, rewind=False)
    stream = package.open(name)
    return io.TextIOWrapper(
        stream, encoding=encoding, errors="strict" if encoding == "utf-8-sig" else "replace", newline=""
    )


def _rows(package: _Package, table: str) -> Iterator[tuple[int, Row, RejectedRecord | None]]:
    """(line, row, None) of a table, streamed; the header is line 1. A row too large or with the wrong number
    of cells comes as (line, {}, why)."""
    stream = _text(package, f"{table}.csv")
    if stream is None:
        return
    limits = package.limits
    with stream:
        lines = bounded_lines(stream, limits.max_record_bytes)
        first_line = ""
        for first_line in lines:
            if first_line.strip():
                break
        if not first_line.strip():
            return
        delimiter = detect_delimiter(first_line)
        reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)
        try:
            header = [name.strip().lower() for name in next(reader)]
            line = 2
            for cells in reader:
                start, line = line, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    yield (
                        start,
                        {},
                        RejectedRecord(
                            start,
                            f"this row has {len(cells)} cells where the header has {len(header)} columns",
                            "cell_count",
                            params(cells=len(cells), columns=len(header)),
                        ),
                    )
                    continue
                too_large = oversized(cells, header, limits)
                if too_large is not None:
                    yield start, {}, RejectedRecord(start, *too_large)
                    continue
                yield start, dict(zip(header, cells, strict=True)), None
        except csv.Error as error:
            raise SourceError(
                f"{table}.csv cannot be read: {error}",
                "member_unreadable",
                name=f"{table}.csv",
                detail=str(error),
            ) from None


def _grouped(package: _Package, table: str, *keys: str) -> list[dict[str, list[Row]]]:
    """The rows of a related table by each of ``keys`` (one pass over the table; rows without it left out)."""
    grouped: list[dict[str, list[Row]]] = [defaultdict(list) for _key in keys]
    for _line, row, rejected in _rows(package, table):
        if rejected is not None:
            continue
        for key, groups in zip(keys, grouped, strict=True):
            if row.get(key):
                groups[row[key].strip()].append(row)
    return grouped


# Short, frequent words of one language and not the other: enough to tell a Dutch package from a French one.
FRENCH_WORDS = frozenset("le la les des du et pour avec aux une est dans sur par au qui ou sont".split())
DUTCH_WORDS = frozenset("het een van voor met naar bij zijn wordt ook niet aan deze op of door".split())
_WORD = re.compile(r"[^\W\d_]+")


def _datapackage(package: _Package) -> object:
    data = package.read_small("datapackage.json", _DATAPACKAGE_MAX)
    if data is None:
        return None
    try:
        return json.loads(_decode(data))
    except (ValueError, RecursionError):
        raise SourceError("datapackage.json is not valid JSON", "hsds_datapackage") from None


def _package_language(package: _Package) -> str:
    meta = _datapackage(package)
    declared = meta.get("language") or meta.get("languages") if isinstance(meta, dict) else None
    if isinstance(declared, list):
        declared = declared[0] if declared else None
    language = text(declared).lower()[:2]
    if language:
        return "nl" if language == "nl" else "fr"
    return guess_language(package)


def guess_language(package: _Package, sample: int = 500) -> str:
    """ "nl" when the names and descriptions of the first ``sample`` organisations read clearly as Dutch."""
    french = dutch = 0
    for count, (_line, row, _rejected) in enumerate(_rows(package, "organizations")):
        if count >= sample:
            break
        for field_name in ("name", "alternate_name", "description"):
            for word in _WORD.findall(text(row.get(field_name)).lower()):
                french += word in FRENCH_WORDS
                dutch += word in DUTCH_WORDS
    return "nl" if dutch >= 3 and dutch > 2 * french else "fr"


def package_name(path: str | Path, limits: ReadLimits | None = None) -> str:
    """The ``name`` in ``datapackage.json`` (a default source key), '' when there is none or the package
    cannot be read (reading it then says why)."""
    try:
        package = _Package(Path(path), limits)
    except SourceError:
        return ""
    try:
        meta = _datapackage(package) or {}
        return (
            re.sub(r"[^a-z0-9-]+", "-", text(meta.get("name")).lower()).strip("-")[:100]
            if isinstance(meta, dict)
            else ""
        )
    except SourceError:
        return ""
    finally:
        package.close()


def read_hsds(
    path: str | Path, progress: Progress | None = None, limits: ReadLimits | None = None
) -> Iterator[ReaderItem]:
    """Yield one record or rejected row per row of ``organizations.csv``, joined with the other tables.

    ``organizations.csv`` is streamed; the related tables are held in memory, grouped. Raises ``SourceError``
    when the package is too large or too compressed for ``limits`` (checked before reading, and while
    reading since a zip's directory can lie), or cannot be read.
    """
    package = _Package(Path(path), limits)
    try:
        if not package.has("organizations.csv"):
            raise SourceError("no organizations.csv in this HSDS package", "hsds_no_organizations")
        language = _package_language(package)
        (services,) = _grouped(package, "services", "organization_id")
        (locations,) = _grouped(package, "locations", "organization_id")
        (addresses,) = _grouped(
            package,
            "physical_addresses" if package.has("physical_addresses.csv") else "addresses",
            "location_id",
        )
        phones_by_org, phones_by_location = _grouped(package, "phones", "organization_id", "location_id")
        (languages,) = _grouped(package, "languages", "location_id")
        (schedules,) = _grouped(package, "schedules", "location_id")
        for count, (line, row, rejected) in enumerate(_rows(package, "organizations"), start=1):
            if rejected is not None:
                yield rejected
                continue
            yield _record(
                line,
                row,
                language,
                services,
                locations,
                addresses,
                phones_by_org,
                phones_by_location,
                languages,
                schedules,
            )
            if progress is not None and count % 500 == 0:
                progress(count)
    finally:
        package.close()


def _record(
    line: int,
    org: Row,
    language: str,
    services,
    locations,
    addresses,
    phones_by_org,
    phones_by_location,
    languages,
    schedules,
) -> OrganisationRecord:
    org_id = text(org.get("id"))
    org_locations = locations.get(org_id, [])
    location = org_locations[0] if org_locations else {}
    location_id = text(location.get("id"))
    address = next(iter(addresses.get(location_id, [])), {})
    street = " ".join(filter(None, (text(address.get("address_1")), text(address.get("address_2")))))
    phones = [
        text(p.get("number")) for p in phones_by_org.get(org_id, []) + phones_by_location.get(location_id, [])
    ]
    org_services = services.get(org_id, [])
    categories = tuple(
        CategoryRecord(
            text(s.get("id")), *((text(s.get("name")), "") if language == "fr" else ("", text(s.get("name"))))
        )
        for s in org_services
        if text(s.get("name"))
    )
    emails = [text(org.get("email"))] + [text(s.get("email")) for s in org_services]
    websites = [text(org.get("website")) or text(org.get("url"))]
    hours = "; ".join(
        text(s.get("description")) for s in schedules.get(location_id, []) if text(s.get("description"))
    )
    codes = [text(item.get("code")) or text(item.get("name")) for item in languages.get(location_id, [])]
    name, description = text(org.get("name")), text(org.get("description"))
    raw = dict(org)
    raw["_locations"] = org_locations
    raw["_services"] = org_services
    return OrganisationRecord(
        line=line,
        source_id=org_id,
        name_fr=name if language == "fr" else "",
        name_nl=name if language == "nl" else "",
        acronym=text(org.get("alternate_name"))[:50] if len(text(org.get("alternate_name"))) <= 12 else "",
        legal_form=text(org.get("legal_status")),
        description_fr=description if language == "fr" else "",
        description_nl=description if language == "nl" else "",
        categories=categories,
        languages=tuple(filter(None, codes)),
        street_fr=street if language == "fr" else "",
        street_nl=street if language == "nl" else "",
        postcode=text(address.get("postal_code")),
        commune_fr=text(address.get("city")) if language == "fr" else "",
        commune_nl=text(address.get("city")) if language == "nl" else "",
        latitude=text(location.get("latitude")),
        longitude=text(location.get("longitude")),
        phones=tuple(filter(None, dict.fromkeys(phones))),
        emails=tuple(filter(None, dict.fromkeys(emails))),
        websites=tuple(filter(None, websites)),
        opening_hours_fr=hours if language == "fr" else "",
        opening_hours_nl=hours if language == "nl" else "",
        parent_source_id=text(org.get("parent_organization_id")),
        source_updated_at=text(org.get("last_modified")),
        raw=raw_json(raw),
    )
