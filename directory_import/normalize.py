"""Cleaning one record: names, text without markup, postcodes and communes, phones, e-mails, web addresses.

``normalize_record`` turns an ``OrganisationRecord`` into the column values of an ``Organisation`` and a list
of warnings. A value that cannot be understood (a phone, an e-mail, a URL, a postcode) is dropped with a
warning; only a record without id or without any name is rejected (``RejectedRow``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from directory_import import territory
from directory_import.readers.base import CategoryRecord, OrganisationRecord, params
from directory_import.vocabulary import CATEGORIES, PUBLICS, PUBLICS_NL_TO_FR

MAX_ID_LENGTH = 100
# Part of every content hash: change it when normalisation changes, so the next sync rewrites every row.
NORMALIZE_VERSION = "1"


class RejectedRow(ValueError):
    """The record cannot be imported at all; the message says why in plain words, ``code`` and ``params``
    say it for translation."""

    def __init__(self, message: str, code: str, **values: object):
        super().__init__(message)
        self.code = code
        self.params = params(**values)


@dataclass(frozen=True)
class NormalizeWarning:
    """A value dropped from a record: what and why, in plain words and as a code for translation."""

    message: str
    code: str
    params: tuple[tuple[str, str], ...]


def _warning(message: str, code: str, **values: object) -> NormalizeWarning:
    return NormalizeWarning(message, code, params(**values))


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", re.IGNORECASE)
_DROP_ELEMENTS = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_NEEDS_CLEANING = re.compile(r"[<&\r\n\t\x00-\x1f\x7f\x85\u00a0\u2000-\u200b\u2028\u2029\u202f\u3000]|  ")


def clean_text(value: str) -> str:
    """Plain text: markup and control characters removed, entities decoded, spaces collapsed, at most one
    blank line between paragraphs. Text is stored as text and never rendered as HTML."""
    if not value:
        return ""
    if not _NEEDS_CLEANING.search(value):  # the common case, and the fast one
        return value.strip()
    if "<" in value:
        value = _DROP_ELEMENTS.sub(" ", value)
        value = _BLOCK_TAGS.sub("\n", value)
        value = _TAGS.sub("", value)
    if "&" in value:
        value = html.unescape(value)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    value = _CONTROL.sub("", value.replace("\x85", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_line(value: str) -> str:
    """One line of plain text (names, streets): markup removed, all whitespace collapsed to single spaces."""
    if not _NEEDS_CLEANING.search(value):
        return value.strip()
    return " ".join(clean_text(value).split())


# Belgian landline zones with a one-digit area code; the others have two digits.
_ONE_DIGIT_ZONES = {"2", "3", "4", "9"}
_PHONE_CHARS = re.compile(r"[\s./()\-\u00a0]")


def normalize_phone(value: str) -> str | None:
    """A phone number in one format (``+32 2 123 45 67``, ``+32 475 12 34 56``, ``+32 800 12 345``), or None.

    Belgian numbers may come as ``02/123.45.67``, ``0032 2 123 45 67``, ``+32 (0)2 123 45 67``; foreign
    numbers in international form are kept as ``+CC`` and digits.
    """
    raw = value.strip()
    if not raw:
        return None
    raw = re.split(r"(?i)\s*(?:ext\.?|poste|toestel|#)\s*\d+$", raw)[0]
    compact = _PHONE_CHARS.sub("", raw.replace("(0)", ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not re.fullmatch(r"\+?\d+", compact):
        return None
    if compact.startswith("+"):
        if not compact.startswith("+32"):
            digits = compact[1:]
            return "+" + digits if 8 <= len(digits) <= 15 else None
        national = compact[3:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        return None
    if national.startswith("0"):
        national = national[1:]
    if len(national) == 9 and national.startswith("4"):  # mobile
        return f"+32 {national[:3]} {national[3:5]} {national[5:7]} {national[7:]}"
    if len(national) == 8 and national[:3] in {"800", "900", "902", "903", "904", "905", "906", "907", "909"}:
        return f"+32 {national[:3]} {national[3:5]} {national[5:]}"
    if len(national) == 8 and national[0] != "4":
        if national[0] in _ONE_DIGIT_ZONES:
            return f"+32 {national[0]} {national[1:4]} {national[4:6]} {national[6:]}"
        return f"+32 {national[:2]} {national[2:4]} {national[4:6]} {national[6:]}"
    return None


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$")


def normalize_email(value: str) -> str | None:
    """``Contact@Example.BE`` -> ``contact@example.be``; ``mailto:`` removed; None when it is no address."""
    value = value.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        return None
    return value.lower()


_HOST = re.compile(r"^(?:[A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff-]*[A-Za-z0-9\u00c0-\uffff])?\.)+"
                   r"[A-Za-z\u00c0-\uffff]{2,}(?::\d{1,5})?$")


def normalize_url(value: str) -> str | None:
    """A web address with its scheme (``www.asbl.be`` -> ``https://www.asbl.be``); None for anything else
    than http(s) (``javascript:`` and the like are dropped)."""
    value = value.strip()
    if not value or any(c.isspace() for c in value) or len(value) > 500:
        return None
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", value)
    if match and not value.lower().startswith(("http://", "https://")):
        if not re.match(r"^[^/]+:\d", value):  # 'host:8080' has no scheme
            return None
    if not value.lower().startswith(("http://", "https://")):
        value = "https://" + value.lstrip("/")
    scheme, rest = value.split("://", 1)
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in host or not _HOST.match(host):
        return None
    return f"{scheme.lower()}://{host.lower()}{rest[len(host):]}"


LANGUAGE_CODES = {
    "fr": "fr", "fra": "fr", "fre": "fr", "français": "fr", "francais": "fr", "french": "fr", "frans": "fr",
    "nl": "nl", "nld": "nl", "dut": "nl", "néerlandais": "nl", "neerlandais": "nl", "nederlands": "nl",
    "dutch": "nl", "vlaams": "nl",
    "en": "en", "eng": "en", "anglais": "en", "english": "en", "engels": "en",
    "de": "de", "deu": "de", "ger": "de", "allemand": "de", "duits": "de", "german": "de",
    "ar": "ar", "ara": "ar", "arabe": "ar", "arabisch": "ar", "arabic": "ar",
    "es": "es", "spa": "es", "espagnol": "es", "spaans": "es", "spanish": "es",
    "tr": "tr", "tur": "tr", "turc": "tr", "turks": "tr", "turkish": "tr",
    "pt": "pt", "por": "pt", "portugais": "pt", "portugees": "pt", "portuguese": "pt",
    "it": "it", "ita": "it", "italien": "it", "italiaans": "it", "italian": "it",
    "pl": "pl", "pol": "pl", "polonais": "pl", "pools": "pl", "polish": "pl",
    "ro": "ro", "ron": "ro", "roumain": "ro", "roemeens": "ro", "romanian": "ro",
    "ru": "ru", "rus": "ru", "russe": "ru", "russisch": "ru", "russian": "ru",
    "lsfb": "sgn", "vgt": "sgn", "sgn": "sgn",
}


def normalize_language(value: str) -> str | None:
    """An ISO 639-1 code (``'Nederlands'`` -> ``'nl'``, ``'fr-BE'`` -> ``'fr'``), or None when unknown."""
    key = value.strip().lower()
    if key in LANGUAGE_CODES:
        return LANGUAGE_CODES[key]
    base = re.split(r"[-_]", key)[0]
    if base in LANGUAGE_CODES:
        return LANGUAGE_CODES[base]
    if re.fullmatch(r"[a-z]{2}", base):
        return base
    return None


def _coordinate(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if low <= number <= high else None


def _category(item: CategoryRecord) -> dict[str, str]:
    code = clean_line(item.code).lower()[:50] or clean_line(item.label_fr or item.label_nl).lower()[:50]
    known_fr, known_nl = CATEGORIES.get(code, ("", ""))
    return {"code": code, "label_fr": clean_line(item.label_fr) or known_fr,
            "label_nl": clean_line(item.label_nl) or known_nl}


def _public(item: CategoryRecord) -> dict[str, str]:
    label_fr, label_nl = clean_line(item.label_fr), clean_line(item.label_nl)
    if not label_fr and label_nl:
        label_fr = PUBLICS_NL_TO_FR.get(label_nl.lower(), "")
    if not label_nl and label_fr:
        label_nl = PUBLICS.get(label_fr.lower(), "")
    return {"fr": label_fr, "nl": label_nl}


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _kept(values: tuple[str, ...], normalizer: Callable[[str], str | None], what: str, why: str, code: str,
          warnings: list[NormalizeWarning]) -> list[str]:
    """The values ``normalizer`` understands; a warning for each one it does not."""
    kept = []
    for value in values:
        normalized = normalizer(value)
        if normalized is None:
            warnings.append(_warning(f"{what} {value!r} dropped: {why}", code, value=value))
        else:
            kept.append(normalized)
    return kept


def normalize_record(record: OrganisationRecord) -> tuple[dict[str, Any], list[NormalizeWarning]]:
    """Column values of an ``Organisation`` for ``record`` and warnings about dropped values.

    Raises ``RejectedRow`` when the record has no id, no name in any language, or an id that is too long.
    """
    warnings: list[NormalizeWarning] = []
    source_id = clean_line(record.source_id)
    if not source_id:
        raise RejectedRow("no id", "no_id")
    if len(source_id) > MAX_ID_LENGTH:
        raise RejectedRow(f"the id is longer than {MAX_ID_LENGTH} characters", "id_too_long", max=MAX_ID_LENGTH)
    name_fr, name_nl = clean_line(record.name_fr)[:400], clean_line(record.name_nl)[:400]
    if not name_fr and not name_nl:
        raise RejectedRow(f"organisation {source_id} has no name (neither French nor Dutch)", "no_name", id=source_id)

    postcode = ""
    commune_fr, commune_nl = clean_line(record.commune_fr)[:100], clean_line(record.commune_nl)[:100]
    if record.postcode.strip():
        postcode = territory.normalize_postcode(record.postcode)
        if not postcode:
            warnings.append(_warning(f"postcode {record.postcode.strip()!r} dropped: not a Belgian postcode",
                                    "bad_postcode", value=record.postcode.strip()))
    locality = territory.locality_for_postcode(postcode) if postcode else None
    if locality is not None:
        commune_fr, commune_nl = locality.commune.name_fr, locality.commune.name_nl

    phones = _kept(record.phones, normalize_phone, "phone", "not a phone number", "bad_phone", warnings)
    emails = _kept(record.emails, normalize_email, "e-mail", "not an e-mail address", "bad_email", warnings)
    websites = _kept(record.websites, normalize_url, "website", "not a web address", "bad_url", warnings)
    languages = _kept(record.languages, normalize_language, "language", "unknown language", "bad_language",
                      warnings)
    latitude = longitude = None
    if record.latitude.strip() or record.longitude.strip():
        latitude = _coordinate(record.latitude, 49.0, 52.0)
        longitude = _coordinate(record.longitude, 2.0, 7.0)
        if latitude is None or longitude is None:
            warnings.append(_warning(f"coordinates {record.latitude!r}, {record.longitude!r} dropped: not in Belgium",
                                    "bad_coordinates", value=f"{record.latitude}, {record.longitude}"))
            latitude = longitude = None

    values: dict[str, Any] = {
        "source_id": source_id,
        "name_fr": name_fr,
        "name_nl": name_nl,
        "acronym": clean_line(record.acronym)[:50],
        "legal_form": clean_line(record.legal_form)[:100],
        "description_fr": clean_text(record.description_fr),
        "description_nl": clean_text(record.description_nl),
        "categories": _unique_dicts([_category(c) for c in record.categories]),
        "publics": _unique_dicts([_public(p) for p in record.publics]),
        "languages": _unique(languages),
        "street_fr": clean_line(record.street_fr)[:300],
        "street_nl": clean_line(record.street_nl)[:300],
        "number": clean_line(record.number)[:30],
        "box": clean_line(record.box)[:30],
        "postcode": postcode,
        "commune_fr": commune_fr,
        "commune_nl": commune_nl,
        "basin": territory.basin_for_postcode(postcode) if postcode else territory.OUTSIDE,
        "latitude": latitude,
        "longitude": longitude,
        "phones": _unique(phones),
        "emails": _unique(emails),
        "websites": _unique(websites),
        "opening_hours_fr": clean_text(record.opening_hours_fr),
        "opening_hours_nl": clean_text(record.opening_hours_nl),
        "parent_source_id": clean_line(record.parent_source_id)[:100] or None,
        "source_updated_at": clean_line(record.source_updated_at)[:40],
    }
    return values, warnings


def _unique_dicts(items: list[dict[str, str]]) -> list[dict[str, str]]:
    seen, result = set(), []
    for item in items:
        key = tuple(sorted(item.items()))
        if key not in seen and any(item.values()):
            seen.add(key)
            result.append(item)
    return result


def fold(value: str) -> str:
    """Lower case without accents or punctuation, for comparing names (``'Œuvre Saint-Gilles'`` -> ``'oeuvre saint gilles'``)."""
    import unicodedata

    value = value.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped.lower()).split())
