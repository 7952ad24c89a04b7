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
from datetime import UTC, date, datetime
from typing import Any

import email_validator
import phonenumbers

from directory_import import territory
from directory_import.readers.base import CategoryRecord, NameRecord, OrganisationRecord, params
from directory_import.vocabulary import CATEGORIES, PUBLICS, PUBLICS_NL_TO_FR

MAX_ID_LENGTH = 100
# Part of every content hash: change it when normalisation changes, so the next sync rewrites every row.
NORMALIZE_VERSION = "2"


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


_EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|extension|poste|toestel|tst\.?|#)\s*\d+\s*$")


def _parsed_phone(value: str) -> phonenumbers.PhoneNumber | None:
    """``value`` as a phone number (Belgian unless it says otherwise), None when it is not one."""
    try:
        number = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException:
        return None
    # Possible, not "valid": a number of the right length for its country is kept even when its range
    # is not in the library's tables yet (new ranges, the invented numbers of samples and tests).
    return number if phonenumbers.is_possible_number(number) else None


def _formatted(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_phone(value: str) -> str | None:
    """A phone number in one format (``+32 2 435 51 38``, ``+32 475 12 34 56``, ``+32 800 12 345``), or None.

    Read with the ``phonenumbers`` library: Belgian numbers may come as ``02/435.51.38``, ``0032 2 435 51 38``,
    ``+32 (0)2 435 51 38``; foreign ones in international form keep their country's grouping; an extension
    (``poste 12``) is left out.
    """
    raw = _EXTENSION.sub("", value.strip()).replace("(0)", "")
    if not raw or not re.fullmatch(r"[\d\s./()\-+\u00a0]+", raw):
        return None
    number = _parsed_phone(raw)
    return _formatted(number) if number is not None else None


def normalize_phones(value: str) -> list[str]:
    """Every phone number in ``value``: one number as ``normalize_phone`` reads it, or the numbers found in
    a text (``02/435.51.38 (accueil) - 0475 12 34 56``). Empty when there is none."""
    single = normalize_phone(value)
    if single is not None:
        return [single]
    found = []
    for match in phonenumbers.PhoneNumberMatcher(value, "BE", leniency=phonenumbers.Leniency.POSSIBLE):
        found.append(_formatted(match.number))
    return found


_COMPANY_DIGITS = re.compile(r"\D")


def normalize_company_number(value: str) -> str | None:
    """A Belgian company (BCE/KBO) number as ``0212.347.945``; None when it has not 9 or 10 digits."""
    digits = _COMPANY_DIGITS.sub("", value)
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10 or digits[0] not in "01":
        return None
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T].*)?$")


def normalize_date(value: str) -> str:
    """``14/03/23`` (and ``14/03/2023``, ``14.03.2023``) -> ``2023-03-14``; any other text as it is.

    Two-digit years are this century unless that puts them more than a year ahead of today.
    """
    value = clean_line(value)
    if value.isdigit() and len(value) in (10, 13):  # seconds or milliseconds since 1970
        try:
            return datetime.fromtimestamp(int(value[:10]), UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return value
    match = _DAY_FIRST.match(value)
    if not match:
        return value
    day, month, year = (int(part) for part in match.groups())
    if len(match.group(3)) == 2:
        today = date.today()
        year += 2000 if 2000 + year <= today.year + 1 else 1900
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return value


# Words kept in capitals when a name written all in capitals is made readable: legal forms and the sector's
# acronyms (a word without a vowel, like SSM or CGG, is kept too).
KEPT_UPPER = frozenset(
    """ASBL VZW AISBL IVZW CPAS OCMW SSM CGG CAW AIS SVK SPRL SRL SCRL SC SA NV BV CVBA CV
SCS ONE PMS CPMS CLPS AMO SAJ SPJ IPPJ CASG SISD ISP GGC COCOF COCOM VGC CAPAS PCS ULB VUB UCL KU CHU UZ
HIV VIH SIDA MSF CRB OK II III IV VI VII VIII IX XI XII BXL""".split()
)
SMALL_WORDS = frozenset(
    """de du des l d et en à a au aux pour par sur sous dans chez avec ou
van der den voor in op met te ten ter 't 's of bij aan tot uit""".split()
)
# Articles start a proper name ("SSM Le Méridien", "Het Anker") unless a preposition comes first ("de la").
ARTICLES = frozenset("le la les het un une".split())
_VOWELS = set("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ")
_TOKEN = re.compile(r"([^\W\d_]+|\d+|[^\w]+|_)", re.UNICODE)


def is_shouted(value: str) -> bool:
    """Whether a name is written all in capitals (and has enough letters for it to matter)."""
    letters = [c for c in value if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters)


def readable_name(value: str, keep: frozenset[str] | set[str] = frozenset()) -> str:
    """A name written all in capitals, made readable: ``CENTRE PUBLIC D'ACTION SOCIALE DE SAINT-GILLES``
    -> ``Centre Public d'Action Sociale de Saint-Gilles``. Legal forms, acronyms (``keep``, ``KEPT_UPPER``,
    words without a vowel) stay in capitals. A name that has small letters is returned as it is."""
    if not is_shouted(value):
        return value
    result, first, previous = [], True, ""
    for token in _TOKEN.findall(value):
        if not token[0].isalpha():
            result.append(token)
            continue
        upper = token.upper()
        after_elision = (
            bool(result)
            and result[-1] in ("'", "’")
            and len(result) >= 2
            and result[-2].lower() in {"d", "l", "n", "qu", "s", "j", "t", "m", "c"}
        )
        if upper in keep or upper in KEPT_UPPER or (2 <= len(token) <= 5 and not (set(upper) & _VOWELS)):
            word = upper
        elif (
            not first
            and not after_elision
            and (token.lower() in SMALL_WORDS or (token.lower() in ARTICLES and previous in SMALL_WORDS))
        ):
            word = token.lower()
        else:
            word = token[:1].upper() + token[1:].lower()
        result.append(word)
        first, previous = False, word.lower()
    return "".join(result)


def is_acronym(value: str) -> bool:
    """``CEMO``, ``C.P.A.S.``, ``BRAVVO``: one short word in capitals (an acronym weighs as one in search)."""
    value = value.strip()
    letters = [c for c in value if c.isalpha()]
    return (
        0 < len(value) <= 12 and " " not in value and len(letters) >= 2 and all(c.isupper() for c in letters)
    )


def email_address(value: str) -> str | None:
    """``value`` as an e-mail address in lower case, or None: the project's one e-mail check (the directory,
    the accounts, the requests' callers), by the ``email-validator`` library: syntax only, no DNS lookup, an
    ASCII local part, a domain with a dot (international domains allowed), 254 characters at most."""
    value = value.strip()
    if not value or len(value) > 254:
        return None
    try:
        checked = email_validator.validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except email_validator.EmailNotValidError:
        return None
    return checked.normalized.lower()


def normalize_email(value: str) -> str | None:
    """``Contact@Example.BE`` -> ``contact@example.be``; ``mailto:`` and ``<>`` removed; None when it is no
    address (``email_address``)."""
    value = value.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return email_address(value)


_HOST = re.compile(
    r"^(?:[A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff-]*[A-Za-z0-9\u00c0-\uffff])?\.)+"
    r"[A-Za-z\u00c0-\uffff]{2,}(?::\d{1,5})?$"
)


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
    return f"{scheme.lower()}://{host.lower()}{rest[len(host) :]}"


LANGUAGE_CODES = {
    "fr": "fr",
    "fra": "fr",
    "fre": "fr",
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "frans": "fr",
    "nl": "nl",
    "nld": "nl",
    "dut": "nl",
    "néerlandais": "nl",
    "neerlandais": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "vlaams": "nl",
    "en": "en",
    "eng": "en",
    "anglais": "en",
    "english": "en",
    "engels": "en",
    "de": "de",
    "deu": "de",
    "ger": "de",
    "allemand": "de",
    "duits": "de",
    "german": "de",
    "ar": "ar",
    "ara": "ar",
    "arabe": "ar",
    "arabisch": "ar",
    "arabic": "ar",
    "es": "es",
    "spa": "es",
    "espagnol": "es",
    "spaans": "es",
    "spanish": "es",
    "tr": "tr",
    "tur": "tr",
    "turc": "tr",
    "turks": "tr",
    "turkish": "tr",
    "pt": "pt",
    "por": "pt",
    "portugais": "pt",
    "portugees": "pt",
    "portuguese": "pt",
    "it": "it",
    "ita": "it",
    "italien": "it",
    "italiaans": "it",
    "italian": "it",
    "pl": "pl",
    "pol": "pl",
    "polonais": "pl",
    "pools": "pl",
    "polish": "pl",
    "ro": "ro",
    "ron": "ro",
    "roumain": "ro",
    "roemeens": "ro",
    "romanian": "ro",
    "ru": "ru",
    "rus": "ru",
    "russe": "ru",
    "russisch": "ru",
    "russian": "ru",
    "lsfb": "sgn",
    "vgt": "sgn",
    "sgn": "sgn",
    "langue des signes": "sgn",
    "gebarentaal": "sgn",
    "sign language": "sgn",
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
    return {
        "code": code,
        "label_fr": clean_line(item.label_fr) or known_fr,
        "label_nl": clean_line(item.label_nl) or known_nl,
    }


def _public(item: CategoryRecord) -> dict[str, str]:
    label_fr, label_nl = clean_line(item.label_fr), clean_line(item.label_nl)
    if not label_fr and label_nl:
        label_fr = PUBLICS_NL_TO_FR.get(label_nl.lower(), "")
    if not label_nl and label_fr:
        label_nl = PUBLICS.get(label_fr.lower(), "")
    return {"fr": label_fr, "nl": label_nl}


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _kept(
    values: tuple[str, ...],
    normalizer: Callable[[str], str | None],
    what: str,
    why: str,
    code: str,
    warnings: list[NormalizeWarning],
) -> list[str]:
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
        raise RejectedRow(
            f"the id is longer than {MAX_ID_LENGTH} characters", "id_too_long", max=MAX_ID_LENGTH
        )
    name_fr, name_nl = clean_line(record.name_fr)[:400], clean_line(record.name_nl)[:400]
    if not name_fr and not name_nl:
        raise RejectedRow(
            f"organisation {source_id} has no name (neither French nor Dutch)", "no_name", id=source_id
        )
    other_names = _other_names(record.other_names, {name_fr, name_nl})
    acronyms = [n["name"] for n in other_names if n["acronym"]]
    keep = {a.upper().replace(".", "") for a in acronyms}
    official_fr, official_nl = name_fr, name_nl
    name_fr, name_nl = readable_name(name_fr, keep), readable_name(name_nl, keep)

    postcode = ""
    commune_fr, commune_nl = clean_line(record.commune_fr)[:100], clean_line(record.commune_nl)[:100]
    if record.postcode.strip():
        postcode = territory.normalize_postcode(record.postcode)
        if not postcode:
            warnings.append(
                _warning(
                    f"postcode {record.postcode.strip()!r} dropped: not a Belgian postcode",
                    "bad_postcode",
                    value=record.postcode.strip(),
                )
            )
    locality = territory.locality_for_postcode(postcode) if postcode else None
    if locality is not None:
        commune_fr, commune_nl = locality.commune.name_fr, locality.commune.name_nl

    phones = _phones(record.phones, warnings)
    faxes = _phones(record.faxes, warnings)
    company_numbers = _kept(
        record.company_numbers,
        normalize_company_number,
        "company number",
        "not a Belgian company number",
        "bad_company_number",
        warnings,
    )
    emails = _kept(record.emails, normalize_email, "e-mail", "not an e-mail address", "bad_email", warnings)
    websites = _kept(record.websites, normalize_url, "website", "not a web address", "bad_url", warnings)
    languages = _kept(
        record.languages, normalize_language, "language", "unknown language", "bad_language", warnings
    )
    regime = clean_line(record.language_regime).upper()[:20]
    languages = languages + regime_languages(regime)
    action_zones = _unique_dicts([_category(z) for z in record.action_zones])
    latitude = longitude = None
    if record.latitude.strip() or record.longitude.strip():
        latitude = _coordinate(record.latitude, 49.0, 52.0)
        longitude = _coordinate(record.longitude, 2.0, 7.0)
        if latitude is None or longitude is None:
            warnings.append(
                _warning(
                    f"coordinates {record.latitude!r}, {record.longitude!r} dropped: not in Belgium",
                    "bad_coordinates",
                    value=f"{record.latitude}, {record.longitude}",
                )
            )
            latitude = longitude = None

    values: dict[str, Any] = {
        "source_id": source_id,
        "name_fr": name_fr,
        "name_nl": name_nl,
        "acronym": (clean_line(record.acronym) or (acronyms[0] if acronyms else ""))[:50],
        "official_name_fr": official_fr if official_fr != name_fr else "",
        "official_name_nl": official_nl if official_nl != name_nl else "",
        "other_names": other_names,
        "legal_form": clean_line(record.legal_form)[:100],
        "legal_form_nl": clean_line(record.legal_form_nl)[:100],
        "legal_form_code": clean_line(record.legal_form_code)[:50],
        "company_numbers": _unique(company_numbers),
        "activities_fr": clean_text(record.activities_fr),
        "activities_nl": clean_text(record.activities_nl),
        "access_fr": clean_text(record.access_fr),
        "access_nl": clean_text(record.access_nl),
        "target_public_fr": clean_text(record.public_fr),
        "target_public_nl": clean_text(record.public_nl),
        "remark_fr": clean_text(record.remark_fr),
        "remark_nl": clean_text(record.remark_nl),
        "language_regime": regime,
        "interpreting": {"true": True, "false": False}.get(record.interpreting.strip().lower()),
        "faxes": _unique(faxes),
        "lambert_x": _coordinate(record.lambert_x, 0.0, 400000.0) if record.lambert_x.strip() else None,
        "lambert_y": _coordinate(record.lambert_y, 0.0, 400000.0) if record.lambert_y.strip() else None,
        "sectors": _unique_dicts([_category(c) for c in record.sectors]),
        "action_zones": action_zones,
        "served_communes": served_communes(action_zones),
        "description_fr": clean_text(record.description_fr),
        "description_nl": clean_text(record.description_nl),
        "categories": _unique_dicts([_category(c) for c in record.categories]),
        "publics": _unique_dicts([_public(p) for p in record.publics]),
        "languages": _unique(languages),
        "street_fr": readable_name(clean_line(record.street_fr))[:300],
        "street_nl": readable_name(clean_line(record.street_nl))[:300],
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
        "source_updated_at": normalize_date(record.source_updated_at)[:40],
    }
    return values, warnings


def _phones(values: tuple[str, ...], warnings: list[NormalizeWarning]) -> list[str]:
    kept = []
    for value in values:
        found = normalize_phones(value)
        if not found:
            warnings.append(
                _warning(f"phone {value!r} dropped: not a phone number", "bad_phone", value=value)
            )
        kept.extend(found)
    return kept


def _other_names(names: tuple[NameRecord, ...], official: set[str]) -> list[dict[str, Any]]:
    """Alternative, former and service names, cleaned, without repeats nor the official names."""
    seen = {fold(n) for n in official if n}
    result = []
    for item in names:
        name = clean_line(item.name)[:400]
        if not name or fold(name) in seen:
            continue
        seen.add(fold(name))
        result.append({"kind": item.kind, "lang": item.lang, "name": name, "acronym": is_acronym(name)})
    return result


def regime_languages(regime: str) -> list[str]:
    """The languages a language regime (``FR``, ``NL``, ``FR-NL``, ``bilingue``) says are spoken."""
    words = set(re.split(r"[^A-Z]+", regime.upper()))
    if words & {"BILINGUE", "TWEETALIG", "BILINGUAL", "BI"}:
        return ["fr", "nl"]
    return [code for word, code in (("FR", "fr"), ("NL", "nl"), ("EN", "en"), ("DE", "de")) if word in words]


def served_communes(zones: list[dict[str, str]]) -> str:
    """The communes an organisation's action zones cover, as ``|schaerbeek|evere|`` (searchable with LIKE);
    '' when the zones name no Brussels commune."""
    codes: list[str] = []
    for zone in zones:
        for label in (zone.get("label_fr", ""), zone.get("label_nl", ""), zone.get("code", "")):
            codes.extend(territory.communes_named(label))
    codes = sorted(set(codes))
    return f"|{'|'.join(codes)}|" if codes else ""


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
