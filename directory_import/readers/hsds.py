"""Open Referral HSDS (Human Services Data Specification) packages: a folder or a zip.

A package holds ``datapackage.json`` and one CSV per table: ``organizations.csv`` (required),
``services.csv``, ``locations.csv``, ``physical_addresses.csv`` (HSDS 2) or ``addresses.csv`` (HSDS 3),
``phones.csv``, ``languages.csv``, ``schedules.csv``. One record per organisation; its first location gives
the address; services become categories. HSDS has one language per package: names and descriptions go
to the Dutch fields when ``datapackage.json`` says ``"language": "nl"``, to the French fields when it names
another language; when it says nothing, the package's own words decide (Dutch when its names and
descriptions read clearly as Dutch, French otherwise). The related tables are held in
memory (HSDS packages are directory-sized, not bulk exports); ``line`` is the line in ``organizations.csv``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from directory_import.readers.base import (
    CategoryRecord,
    OrganisationRecord,
    Progress,
    ReaderItem,
    RejectedRecord,
    SourceError,
    params,
    raw_json,
    text,
)
from directory_import.readers.csv_reader import detect_delimiter

TABLES = ("organizations", "services", "locations", "physical_addresses", "addresses", "phones", "languages",
          "schedules")
Row = dict[str, str]


class _Package:
    """The files of a package, from a folder or a zip, looked up by base name."""

    def __init__(self, path: Path):
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            self._names = {p.name.lower(): p for p in path.rglob("*") if p.is_file()}
        else:
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                raise SourceError(f"not a readable zip file: {error}", "zip_unreadable", detail=str(error)) from None
            self._names = {Path(info.filename).name.lower(): info.filename
                           for info in self._zip.infolist() if not info.is_dir()}

    def read(self, name: str) -> bytes | None:
        found = self._names.get(name.lower())
        if found is None:
            return None
        try:
            if self._zip is not None:
                return self._zip.read(found)
            return Path(found).read_bytes()
        except (zipfile.BadZipFile, OSError, KeyError) as error:
            raise SourceError(f"{name} cannot be read: {error}", "member_unreadable", name=name,
                              detail=str(error)) from None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(data: bytes | None, table: str) -> Iterator[tuple[int, Row]]:
    """(line, row) of a table; the header is line 1."""
    if data is None:
        return
    content = _decode(data)
    if not content.strip():
        return
    first_line = content.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=detect_delimiter(first_line))
    try:
        header = [name.strip().lower() for name in next(reader)]
        line = 2
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                yield start, {"__error__": f"this row has {len(cells)} cells where the header has "
                                           f"{len(header)} columns", "cells": str(len(cells)),
                              "columns": str(len(header))}
                continue
            yield start, dict(zip(header, cells, strict=True))
    except csv.Error as error:
        raise SourceError(f"{table}.csv cannot be read: {error}", "member_unreadable", name=f"{table}.csv",
                          detail=str(error)) from None


def _grouped(data: bytes | None, table: str, key: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for _line, row in _rows(data, table):
        if row.get(key):
            grouped[row[key].strip()].append(row)
    return grouped


# Short, frequent words of one language and not the other: enough to tell a Dutch package from a French one.
FRENCH_WORDS = frozenset("le la les des du et pour avec aux une est dans sur par au qui ou sont".split())
DUTCH_WORDS = frozenset("het een van voor met naar bij zijn wordt ook niet aan deze op of door".split())
_WORD = re.compile(r"[^\W\d_]+")


def _package_language(package: _Package, organizations: bytes) -> str:
    data = package.read("datapackage.json")
    meta = None
    if data is not None:
        try:
            meta = json.loads(_decode(data))
        except ValueError:
            raise SourceError("datapackage.json is not valid JSON", "hsds_datapackage") from None
    declared = meta.get("language") or meta.get("languages") if isinstance(meta, dict) else None
    if isinstance(declared, list):
        declared = declared[0] if declared else None
    language = text(declared).lower()[:2]
    if language:
        return "nl" if language == "nl" else "fr"
    return guess_language(organizations)


def guess_language(organizations: bytes, sample: int = 500) -> str:
    """"nl" when the names and descriptions of the first ``sample`` organisations read clearly as Dutch."""
    french = dutch = 0
    for count, (_line, row) in enumerate(_rows(organizations, "organizations")):
        if count >= sample:
            break
        for field_name in ("name", "alternate_name", "description"):
            for word in _WORD.findall(text(row.get(field_name)).lower()):
                french += word in FRENCH_WORDS
                dutch += word in DUTCH_WORDS
    return "nl" if dutch >= 3 and dutch > 2 * french else "fr"


def package_name(path: str | Path) -> str:
    """The ``name`` in ``datapackage.json`` (a default source key), '' when there is none."""
    package = _Package(Path(path))
    try:
        data = package.read("datapackage.json")
        meta = json.loads(_decode(data)) if data else {}
        return re.sub(r"[^a-z0-9-]+", "-", text(meta.get("name")).lower()).strip("-")[:100] \
            if isinstance(meta, dict) else ""
    except ValueError:
        return ""
    finally:
        package.close()


def read_hsds(path: str | Path, progress: Progress | None = None) -> Iterator[ReaderItem]:
    """Yield one record or rejected row per row of ``organizations.csv``, joined with the other tables."""
    package = _Package(Path(path))
    try:
        organizations = package.read("organizations.csv")
        if organizations is None:
            raise SourceError("no organizations.csv in this HSDS package", "hsds_no_organizations")
        language = _package_language(package, organizations)
        services = _grouped(package.read("services.csv"), "services", "organization_id")
        locations = _grouped(package.read("locations.csv"), "locations", "organization_id")
        addresses = _grouped(package.read("physical_addresses.csv") or package.read("addresses.csv"),
                             "addresses", "location_id")
        phones_by_org = _grouped(package.read("phones.csv"), "phones", "organization_id")
        phones_by_location = _grouped(package.read("phones.csv"), "phones", "location_id")
        languages = _grouped(package.read("languages.csv"), "languages", "location_id")
        schedules = _grouped(package.read("schedules.csv"), "schedules", "location_id")
        for count, (line, row) in enumerate(_rows(organizations, "organizations"), start=1):
            if "__error__" in row:
                yield RejectedRecord(line, row["__error__"], "cell_count",
                                     params(cells=row["cells"], columns=row["columns"]))
                continue
            yield _record(line, row, language, services, locations, addresses, phones_by_org,
                          phones_by_location, languages, schedules)
            if progress is not None and count % 500 == 0:
                progress(count)
    finally:
        package.close()


def _record(line: int, org: Row, language: str, services, locations, addresses, phones_by_org,
            phones_by_location, languages, schedules) -> OrganisationRecord:
    org_id = text(org.get("id"))
    org_locations = locations.get(org_id, [])
    location = org_locations[0] if org_locations else {}
    location_id = text(location.get("id"))
    address = next(iter(addresses.get(location_id, [])), {})
    street = " ".join(filter(None, (text(address.get("address_1")), text(address.get("address_2")))))
    phones = [text(p.get("number")) for p in phones_by_org.get(org_id, []) + phones_by_location.get(location_id, [])]
    org_services = services.get(org_id, [])
    categories = tuple(
        CategoryRecord(text(s.get("id")), *((text(s.get("name")), "") if language == "fr" else ("", text(s.get("name")))))
        for s in org_services if text(s.get("name"))
    )
    emails = [text(org.get("email"))] + [text(s.get("email")) for s in org_services]
    websites = [text(org.get("website")) or text(org.get("url"))]
    hours = "; ".join(text(s.get("description")) for s in schedules.get(location_id, []) if text(s.get("description")))
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


