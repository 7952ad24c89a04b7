"""The Bruxelles Social field layout, shared by the JSON and CSV readers: field names to a record.

Field names are matched loosely (case, spaces, dots, underscores and an ``address`` prefix ignored), so
``nameFr``, ``name_fr``, ``Name FR`` and ``address.postalCode`` / ``postalCode`` all land in the right place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from directory_import.readers.base import CategoryRecord, OrganisationRecord, text

MULTI_SEPARATOR = "|"

ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("id", "sourceid", "identifier", "organisationid"),
    "name_fr": ("namefr", "nomfr", "name", "nom"),
    "name_nl": ("namenl", "naamnl", "naam"),
    "acronym": ("acronym", "abbreviation", "sigle", "afkorting"),
    "legal_form": ("legalstatus", "legalform", "formejuridique", "rechtsvorm"),
    "description_fr": ("descriptionfr", "description"),
    "description_nl": ("descriptionnl", "beschrijvingnl", "omschrijvingnl"),
    "categories": ("categories", "category", "categorycodes"),
    "categories_fr": ("categoriesfr", "categorylabelsfr", "categorieslabelfr"),
    "categories_nl": ("categoriesnl", "categorylabelsnl", "categorieslabelnl"),
    "publics": ("publics", "public", "publicsfr", "targetpublics"),
    "publics_nl": ("publicsnl", "doelgroepen", "doelgroepennl"),
    "languages": ("languages", "language", "langues", "talen"),
    "street_fr": ("streetfr", "ruefr", "street"),
    "street_nl": ("streetnl", "straatnl"),
    "number": ("number", "housenumber", "numero", "nummer"),
    "box": ("box", "boite", "bus"),
    "postcode": ("postalcode", "postcode", "zipcode", "zip", "codepostal"),
    "commune_fr": ("municipalityfr", "communefr", "cityfr", "city", "municipality"),
    "commune_nl": ("municipalitynl", "gemeentenl", "citynl"),
    "latitude": ("lat", "latitude"),
    "longitude": ("lon", "lng", "longitude"),
    "phones": ("phones", "phone", "telephone", "telephones", "tel"),
    "emails": ("emails", "email", "mail"),
    "websites": ("websites", "website", "url", "urls", "web"),
    "opening_hours_fr": ("openinghoursfr", "horairesfr", "openinghours"),
    "opening_hours_nl": ("openinghoursnl", "openingsurennl"),
    "parent_source_id": ("parentid", "parent", "parentorganisationid"),
    "source_updated_at": ("lastupdate", "updatedat", "lastupdated", "modified"),
}
FIELD_FOR_KEY: dict[str, str] = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_NON_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)
def canonical_key(name: str) -> str:
    """``'Address.Postal_Code'`` -> ``'postalcode'``: the loose form field names are matched on."""
    key = _NON_ALNUM.sub("", name.lower())
    if key.startswith("address") and key != "address":
        key = key[len("address") :]
    return key


def field_for(name: str) -> str | None:
    """The record field a column or JSON key feeds, or None when it is unknown (kept in ``raw`` only)."""
    return FIELD_FOR_KEY.get(canonical_key(name))


def _values(value: Any) -> list[Any]:
    """A multi-valued field as a list: JSON lists as they are, text split on ``|``."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(MULTI_SEPARATOR) if part.strip()]
    return [value]


def _strings(value: Any) -> tuple[str, ...]:
    result = []
    for item in _values(value):
        if isinstance(item, dict):  # {"number": "02..."} / {"value": ...}
            item = next(
                (v for k, v in item.items() if canonical_key(k) in {"number", "value", "email", "url"}), ""
            )
        item = text(item)
        if item:
            result.append(item)
    return tuple(result)


def _label(item: dict[str, Any], lang: str) -> str:
    for key, value in item.items():
        if canonical_key(key) in {f"label{lang}", lang, f"name{lang}", f"libelle{lang}"}:
            return text(value)
    return ""


def _categories(fields: Mapping[str, Any]) -> tuple[CategoryRecord, ...]:
    labels_fr = _values(fields.get("categories_fr"))
    labels_nl = _values(fields.get("categories_nl"))
    result = []
    for position, item in enumerate(_values(fields.get("categories"))):
        if isinstance(item, dict):
            code = text(next((v for k, v in item.items() if canonical_key(k) in {"code", "id"}), ""))
            record = CategoryRecord(code, _label(item, "fr"), _label(item, "nl"))
        else:
            code = text(item)
            record = CategoryRecord(
                code,
                text(labels_fr[position]) if position < len(labels_fr) else "",
                text(labels_nl[position]) if position < len(labels_nl) else "",
            )
        if record.code or record.label_fr or record.label_nl:
            result.append(record)
    return tuple(result)


def _publics(fields: Mapping[str, Any]) -> tuple[CategoryRecord, ...]:
    """Publics as (code, FR label, NL label); a plain label is its own code."""
    labels_nl = _values(fields.get("publics_nl"))
    result = []
    for position, item in enumerate(_values(fields.get("publics"))):
        if isinstance(item, dict):
            label_fr, label_nl = _label(item, "fr"), _label(item, "nl")
            code = text(item.get("code")) or label_fr or label_nl
        else:
            label_fr = text(item)
            label_nl = text(labels_nl[position]) if position < len(labels_nl) else ""
            code = label_fr
        if code:
            result.append(CategoryRecord(code, label_fr, label_nl))
    return tuple(result)


def record_from_fields(line: int, fields: Mapping[str, Any], raw: str) -> OrganisationRecord:
    """A record from values keyed by record field name (see ``ALIASES``); lists or ``|``-joined text."""
    single = {
        name: text(fields.get(name))
        for name in (
            "source_id",
            "name_fr",
            "name_nl",
            "acronym",
            "legal_form",
            "description_fr",
            "description_nl",
            "street_fr",
            "street_nl",
            "number",
            "box",
            "postcode",
            "commune_fr",
            "commune_nl",
            "latitude",
            "longitude",
            "opening_hours_fr",
            "opening_hours_nl",
            "parent_source_id",
            "source_updated_at",
        )
    }
    return OrganisationRecord(
        line=line,
        categories=_categories(fields),
        publics=_publics(fields),
        languages=_strings(fields.get("languages")),
        phones=_strings(fields.get("phones")),
        emails=_strings(fields.get("emails")),
        websites=_strings(fields.get("websites")),
        raw=raw,
        **single,
    )


def fields_from_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """Known fields of a JSON object (nested ``address`` flattened), keyed by record field name."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and canonical_key(key) in {"address", "adresse", "adres", "location"}:
            for sub_key, sub_value in value.items():
                name = field_for(sub_key)
                if name and name not in fields:
                    fields[name] = sub_value
            continue
        name = field_for(key)
        if name and name not in fields:
            fields[name] = value
    return fields
