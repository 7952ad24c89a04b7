"""The social.brussels (Bruxelles Social / Sociaal Brussel) REST API shape: ``/rest/organisation/<id>`` records.

A file holds a list of such records, an object wrapping the list (``{"results": [...]}``, any key), one record,
or one record wrapped (``{"organisation": {...}}``). Field names are matched loosely (case and punctuation
ignored); every value may be null, a list where a string is expected or the reverse, a number written as text.
Values are given as the source wrote them (names in capitals, ``02/435.51.38``, ``dd/mm/yy``): ``normalize``
cleans them. A record's ``line`` is its position in the list, counted from 1. Streams with ijson.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ijson

from directory_import.readers.base import (
    CategoryRecord,
    NameRecord,
    OrganisationRecord,
    Progress,
    ReaderItem,
    ReadLimits,
    RejectedRecord,
    SourceError,
    raw_json,
    text,
)
from directory_import.readers.json_reader import (
    _build,
    _first_line,
    _skip_bom,
    _too_deep,
    _TooDeep,
    check_depth,
    checked_file,
)

# Keys that tell this shape from the project's own JSON layout (canonical form, see ``key``).
SIGNATURE_KEYS = (
    "nameofficialfr",
    "nameofficialnl",
    "activitiesfr",
    "activitiesnl",
    "permanencyfr",
    "langstatus",
    "categoriesobject",
    "sectorsobjects",
    "pmrp",
)
_SIGNATURE = re.compile(
    rb'"(?:nameOfficial(?:Fr|Nl)|activities(?:Fr|Nl)|permanency(?:Fr|Nl)|langStatus|'
    rb'categoriesObject|sectorsObjects|pmRp)"',
    re.IGNORECASE,
)
LIST_KEYS = (
    "organisations",
    "organizations",
    "results",
    "items",
    "data",
    "content",
    "records",
    "elements",
    "organisation",
    "organization",
)
# Objects at the top that may hold the list one level down (HAL, Spring Data REST, envelopes).
WRAPPER_KEYS = ("embedded", "data", "result", "results", "response", "payload")
_NON_ALNUM = re.compile(r"[^a-z0-9]")
_SPLIT = re.compile(r"\s*[;|\n]\s*")


def key(name: str) -> str:
    """``'nameOfficial_FR'`` -> ``'nameofficialfr'``: the loose form keys are matched on."""
    return _NON_ALNUM.sub("", str(name).lower())


def looks_like(head: bytes) -> bool:
    """Whether the first bytes of a JSON file hold keys only this shape has."""
    return _SIGNATURE.search(head) is not None


class _Fields:
    """A record's keys, looked up loosely."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = {key(k): v for k, v in data.items()}

    def get(self, *names: str) -> Any:
        for name in names:
            value = self.data.get(name)
            if value is not None and value != "" and value != []:
                return value
        return None

    def text(self, *names: str) -> str:
        """One text: a list's items joined one per line."""
        return _joined(self.get(*names))

    def strings(self, *names: str) -> tuple[str, ...]:
        """Every value of the fields, in order, without repeats: lists as they are, text split on ``;``/``|``."""
        found: list[str] = []
        for name in names:
            for item in _items(self.data.get(name)):
                if isinstance(item, Mapping):
                    item = next(
                        (
                            v
                            for k, v in item.items()
                            if key(k) in {"value", "number", "email", "url", "labelfr", "label", "name"}
                        ),
                        None,
                    )
                if isinstance(item, str):
                    found.extend(part for part in _SPLIT.split(item.strip()) if part)
                elif item is not None and not isinstance(item, (list, Mapping)):
                    found.append(text(item))
        return tuple(dict.fromkeys(v for v in found if v))


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(filter(None, (_joined(item) for item in value)))
    if isinstance(value, Mapping):
        return _label(value, "fr") or _label(value, "nl")
    return text(value)


def _label(item: Mapping[str, Any], lang: str) -> str:
    wanted = {f"label{lang}", f"name{lang}", f"libelle{lang}", f"title{lang}", lang, f"description{lang}"}
    for k, value in item.items():
        if key(k) in wanted and not isinstance(value, (list, Mapping)):
            return text(value)
    return ""


def _terms(value: Any) -> tuple[CategoryRecord, ...]:
    """Vocabulary terms (categories, sectors, zones, a legal status) as (source id, FR label, NL label).

    Objects give their id and labels; a bare number is an id (labels come from a vocabulary); bare text is a
    label in both languages, its own code.
    """
    found: list[CategoryRecord] = []
    for item in _items(value):
        if isinstance(item, Mapping):
            code = text(
                next(
                    (
                        v
                        for k, v in item.items()
                        if key(k) in {"id", "code", "key", "zipcode"} and not isinstance(v, (list, Mapping))
                    ),
                    "",
                )
            )
            record = CategoryRecord(code, _label(item, "fr"), _label(item, "nl"))
            if not (record.label_fr or record.label_nl):
                plain = text(item.get("label") or item.get("name"))
                record = CategoryRecord(code, plain, plain)
        elif isinstance(item, bool) or isinstance(item, list):
            continue
        elif isinstance(item, (int, float)):
            record = CategoryRecord(text(item))
        else:
            label = text(item)  # a number written as text is an id; other text a label (of unknown language)
            record = CategoryRecord(label) if label.isdigit() else CategoryRecord("", label, "")
        if record.code or record.label_fr or record.label_nl:
            found.append(record)
    return tuple(dict.fromkeys(found))


def _boolean(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    word = text(value).lower()
    if word in {"true", "1", "yes", "oui", "ja", "y", "o", "j"}:
        return "true"
    if word in {"false", "0", "no", "non", "nee", "n"}:
        return "false"
    return ""


NAME_KINDS = (("alternative", "namealternative"), ("former", "nameformer"), ("service", "nameservice"))


def record_from_mapping(line: int, data: Mapping[str, Any]) -> OrganisationRecord:
    """One API record as an ``OrganisationRecord`` (no cleaning: see ``normalize``)."""
    f = _Fields(data)
    given_address = f.get("address", "adresse", "adres")
    if isinstance(given_address, str):  # one line of text: the street, with the postcode in it if any
        match = re.search(r"\b(\d{4})\b", given_address)
        given_address = {"streetFr": given_address, "zipCode": match.group(1) if match else None}
    a = _Fields(data_of(given_address))
    other: list[NameRecord] = []
    for kind, prefix in NAME_KINDS:
        for lang in ("fr", "nl"):
            other.extend(NameRecord(kind, lang, name) for name in f.strings(prefix + lang))
        other.extend(NameRecord(kind, "", name) for name in f.strings(prefix))
    name_fr = f.text("nameofficialfr", "namefr")
    name_nl = f.text("nameofficialnl", "namenl")
    if not name_fr and not name_nl:  # no official name: the first other one stands in
        fallback = next((n for n in other if n.kind != "former"), None) or next(iter(other), None)
        if fallback is not None:
            name_fr, name_nl = (fallback.name, "") if fallback.lang != "nl" else ("", fallback.name)
            other.remove(fallback)
    legal = _terms(f.get("legalstatus", "legalform"))
    legal_status = legal[0] if legal else CategoryRecord("")
    categories = _terms(f.get("categoriesobject", "categoriesobjects")) or _terms(f.get("categories"))
    zones = _terms(
        f.get(
            "actionzonesobjects",
            "actionzonesobject",
            "actionzones",
            "actionzone",
            "zonesaction",
            "zoneaction",
            "actionzonesfr",
        )
    )
    languages = f.strings("languages", "languageoffer", "languageoffers", "languagesoffered")
    street_fr, street_nl = a.text("streetfr", "street"), a.text("streetnl")
    number = a.text("number", "housenumber")
    building = a.text("numberbuilding")
    if building and building != number:
        number = " ".join(filter(None, (number, building)))
    postcode = a.text("zipcode", "postalcode", "postcode") or a.text("postalcodefr", "postalcodenl")
    return OrganisationRecord(
        line=line,
        source_id=text(f.get("id")) if not isinstance(f.get("id"), (list, Mapping, bool)) else "",
        name_fr=name_fr,
        name_nl=name_nl,
        other_names=tuple(dict.fromkeys(other)),
        legal_form=legal_status.label_fr or legal_status.label_nl,
        legal_form_nl=legal_status.label_nl,
        legal_form_code=legal_status.code,
        company_numbers=f.strings("pmrp", "companynumber", "companynumbers", "bce", "kbo"),
        description_fr=f.text("descriptionfr"),
        description_nl=f.text("descriptionnl"),
        activities_fr=f.text("activitiesfr"),
        activities_nl=f.text("activitiesnl"),
        access_fr=f.text("accessfr"),
        access_nl=f.text("accessnl"),
        public_fr=f.text("publicfr"),
        public_nl=f.text("publicnl"),
        remark_fr=f.text("remarkfr"),
        remark_nl=f.text("remarknl"),
        opening_hours_fr=f.text("permanencyfr", "openinghoursfr"),
        opening_hours_nl=f.text("permanencynl", "openinghoursnl"),
        language_regime=f.text("langstatus"),
        interpreting=_boolean(f.get("isinterpreting", "interpreting")),
        languages=languages,
        categories=categories,
        sectors=_terms(f.get("sectorsobjects", "sectorsobject", "sectors")),
        action_zones=zones,
        phones=f.strings("telfr", "telnl", "tel", "phones", "phone"),
        faxes=f.strings("faxfr", "faxnl", "fax"),
        emails=f.strings("emailfr", "emailnl", "email", "emails"),
        websites=f.strings(
            "websiteofficialfr",
            "websiteofficialnl",
            "websiteunofficialfr",
            "websiteunofficialnl",
            "websiteinfofr",
            "websiteinfonl",
            "websitebelgianofficialjournalfr",
            "websitebelgianofficialjournalnl",
            "website",
            "websites",
        ),
        street_fr=street_fr,
        street_nl=street_nl,
        number=number,
        box=a.text("postalbox", "box"),
        postcode=postcode,
        commune_fr=a.text("municipalityfr", "municipality"),
        commune_nl=a.text("municipalitynl"),
        latitude=a.text("lat", "latitude") or f.text("lat", "latitude"),
        longitude=a.text("lon", "lng", "longitude") or f.text("lon", "lng", "longitude"),
        lambert_x=a.text("x"),
        lambert_y=a.text("y"),
        parent_source_id=text(f.get("parentid", "parent"))
        if not isinstance(f.get("parent"), Mapping)
        else text(data_of(f.get("parent")).get("id")),
        source_updated_at=f.text("lastupdate", "updatedat"),
        raw=raw_json(data),
    )


def data_of(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, Mapping)), None)
    return value if isinstance(value, Mapping) else {}


def _prefix(path: Path) -> str:
    """The ijson prefix of the records: ``item`` (a list), ``<key>.item`` (a wrapped list), ``''`` (one
    record), ``<key>`` (one wrapped record). Streams the top level only."""
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"["):
            return "item"
        if not head.startswith(b"{"):
            raise SourceError("not a JSON export: it does not start with { or [", "json_not_export")
        handle.seek(0)
        _skip_bom(handle)
        keys: set[str] = set()
        lists: list[str] = []
        objects: list[str] = []
        last_key = ""
        try:
            for prefix, event, value in ijson.parse(handle):
                if prefix == "" and event == "map_key":
                    last_key = value
                    keys.add(key(value))
                elif prefix == last_key and "." not in prefix and event in ("start_array", "start_map"):
                    (lists if event == "start_array" else objects).append(last_key)
                    if event == "start_array" and key(last_key) in LIST_KEYS:
                        return f"{last_key}.item"
                elif (
                    event == "start_array"
                    and prefix.count(".") == 1
                    and key(prefix.split(".")[0]) in WRAPPER_KEYS
                    and key(prefix.split(".")[1]) in LIST_KEYS
                ):  # HAL's {"_embedded": {"organisations": [...]}} and the like
                    return f"{prefix}.item"
        except ijson.JSONError as error:
            raise SourceError(
                f"the JSON is broken: {_first_line(error)}", "json_broken", detail=_first_line(error)
            ) from None
    if "id" in keys or set(SIGNATURE_KEYS) & keys:
        return ""
    for name in objects:
        if key(name) in LIST_KEYS:
            return name
    if lists:
        return f"{lists[0]}.item"
    raise SourceError(
        "no list of organisations found (expected a list of records, or an object holding one)",
        "json_no_list",
    )


def raw_items(
    path: str | Path, progress: Progress | None = None, limits: ReadLimits | None = None
) -> Iterator[tuple[int, Any, RejectedRecord | None]]:
    """Each item of a social.brussels API file as parsed (an object, or whatever else stands in the list),
    with its position counted from 1; or, for an item with a value longer than ``limits.max_field_chars`` or
    larger than ``limits.max_record_bytes``, None and the row's rejection (the item is not built). Raises
    ``SourceError`` like ``read_socialbrussels``."""
    path = Path(path)
    limits = limits or ReadLimits()
    check_depth(path, limits)
    prefix = _prefix(path)
    depth = prefix.count(".") + 2 if prefix else 1  # the nesting the items start at
    with path.open("rb") as binary:
        counted = checked_file(binary, limits, progress)
        parser = ijson.parse(counted, use_float=True)
        values = ((event, value) for _prefix_, event, value in parser)  # the same stream, for ``_build``
        many = prefix == "item" or prefix.endswith(".item")
        index = 0
        try:
            for current, event, value in parser:
                if current != prefix or event in ("map_key", "end_map", "end_array"):
                    continue
                index += 1
                item, refused = _build(event, value, values, depth, limits)
                if refused is not None:
                    refused = RejectedRecord(index, refused.reason, refused.code, refused.params)
                yield index, item, refused
                if not many:
                    break  # one record
            for _rest in parser:  # to the end, so that a file broken after its records is reported broken
                pass
        except _TooDeep:
            raise _too_deep(limits, index) from None
        except ijson.JSONError as error:
            raise SourceError(
                f"the JSON is broken after record {index}: {_first_line(error)}",
                "json_broken_after",
                record=index,
                detail=_first_line(error),
            ) from None


def read_socialbrussels(
    path: str | Path, progress: Progress | None = None, limits: ReadLimits | None = None
) -> Iterator[ReaderItem]:
    """Yield one record or rejected row per organisation of a social.brussels API file.

    Raises ``SourceError`` when the file is not JSON or breaks off (the caller imports all or nothing), is
    not UTF-8, or nests deeper than ``limits.max_depth`` (checked by a first pass that builds nothing).
    """
    for index, item, refused in raw_items(path, progress, limits):
        if refused is not None:
            yield refused
        elif not isinstance(item, dict):
            yield RejectedRecord(index, "this record is not an object with fields", "not_object")
        else:
            yield record_from_mapping(index, item)
