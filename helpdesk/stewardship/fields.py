"""The fields a proposal may change: how each is read from an organisation, checked and cleaned from what a
person typed (or an API client sent), written onto an organisation, and named on a page.

A value is plain JSON: a list of strings (phones, e-mails, websites, languages), a list of terms
(categories ``{"code", "label_fr", "label_nl"}``, publics ``{"fr", "nl"}``), a text, or the address
``{"street_fr", "street_nl", "number", "box", "postcode"}``. Phones, e-mails and web addresses are cleaned by
the directory's own normaliser, so a value the helpdesk proposes compares equal to the same value imported.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import import territory
from directory_import.models import Organisation
from directory_import.normalize import normalize_email, normalize_language, normalize_phone, normalize_url
from directory_import.vocabulary import CATEGORIES, PUBLICS, PUBLICS_NL_TO_FR

LIST_FIELDS = ("phones", "emails", "websites", "languages")
TEXT_FIELDS = ("opening_hours_fr", "opening_hours_nl", "description_fr", "description_nl")
ADDRESS_PARTS = ("street_fr", "street_nl", "number", "box", "postcode")
# Fields of an existing organisation a proposal may change, in the order pages show them.
FIELDS = (
    "phones",
    "emails",
    "websites",
    "address",
    "opening_hours_fr",
    "opening_hours_nl",
    "languages",
    "categories",
    "publics",
    "description_fr",
    "description_nl",
)
NAME_FIELDS = ("name_fr", "name_nl")  # a new organisation's names
NEW_FIELDS = NAME_FIELDS + FIELDS
OTHER = "other"  # free text, from the correction notes of before proposals; never applied

FIELD_LABELS = {
    "name_fr": _l("Name in French"),
    "name_nl": _l("Name in Dutch"),
    "phones": _l("Phones"),
    "emails": _l("E-mail addresses"),
    "websites": _l("Websites"),
    "address": _l("Address"),
    "opening_hours_fr": _l("Opening hours (French)"),
    "opening_hours_nl": _l("Opening hours (Dutch)"),
    "languages": _l("Languages spoken"),
    "categories": _l("Categories"),
    "publics": _l("Publics"),
    "description_fr": _l("Description (French)"),
    "description_nl": _l("Description (Dutch)"),
    "other": _l("Other correction"),
    "status": _l("State"),
}
MAX_TEXT = 5000
MAX_ITEMS = 20


class FieldsInvalid(ValueError):
    """Values that cannot be accepted: ``fields`` maps each field to a message in the reader's language."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(fields)))
        self.fields = fields


def read_value(org: Organisation, field: str) -> Any:
    """The value of ``field`` that ``org`` holds now (what pages and the search show)."""
    if field == "address":
        return {part: getattr(org, part) or "" for part in ADDRESS_PARTS}
    if field in LIST_FIELDS or field in ("categories", "publics"):
        return list(getattr(org, field) or [])
    return getattr(org, field) or ""


def write_value(org: Organisation, field: str, value: Any) -> None:
    """Put ``value`` into ``org``'s columns; an address also sets the commune and basin of its postcode."""
    if field == "address":
        for part in ADDRESS_PARTS:
            setattr(org, part, str(value.get(part, "")))
        locality = territory.locality_for_postcode(org.postcode)
        if locality is not None:
            org.commune_fr, org.commune_nl = locality.commune.name_fr, locality.commune.name_nl
        org.basin = territory.basin_for_postcode(org.postcode) if org.postcode else territory.OUTSIDE
        return
    setattr(org, field, list(value) if isinstance(value, list) else value)


def _lines(raw: Any) -> list[str]:
    """A list as typed (one a line, or separated by commas or semicolons) or as sent (a JSON list)."""
    if raw is None:
        return []
    if isinstance(raw, list):
        items = [str(v) for v in raw if not isinstance(v, (dict, list))]
    else:
        items = re.split(r"[\n;]+", str(raw))
    return [item.strip() for item in items if item and item.strip()]


def known_categories(session: Session) -> dict[str, dict[str, str]]:
    """Every category code the directory knows (its vocabulary and the organisations' own), with labels."""
    known = {code: {"code": code, "label_fr": fr, "label_nl": nl} for code, (fr, nl) in CATEGORIES.items()}
    for categories in session.scalars(
        select(Organisation.categories).where(Organisation.archived.is_(False))
    ):
        for item in categories or []:
            if isinstance(item, dict) and item.get("code") and item["code"] not in known:
                code = str(item["code"])
                known[code] = {
                    "code": code,
                    "label_fr": str(item.get("label_fr", "")),
                    "label_nl": str(item.get("label_nl", "")),
                }
    return known


def _clean_list(field: str, raw: Any) -> list[str]:
    clean = {"phones": normalize_phone, "emails": normalize_email, "websites": normalize_url}.get(
        field, normalize_language
    )
    messages = {
        "phones": _("“%(value)s” is not a phone number."),
        "emails": _("“%(value)s” is not an e-mail address."),
        "websites": _("“%(value)s” is not a web address (http or https)."),
        "languages": _("“%(value)s” is not a language."),
    }
    values = []
    for item in _lines(raw) if field != "languages" else _split_words(raw):
        cleaned = clean(item)
        if cleaned is None:
            raise ValueError(messages[field] % {"value": item[:80]})
        values.append(cleaned)
    if len(values) > MAX_ITEMS:
        raise ValueError(_("At most %(num)d values.", num=MAX_ITEMS))
    return list(dict.fromkeys(values))


def _split_words(raw: Any) -> list[str]:
    return [w for line in _lines(raw) for w in re.split(r"[,\s]+", line) if w]


def _clean_address(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ValueError(_("Give the address as street, number, box and postcode."))
    address = {part: " ".join(str(raw.get(part) or "").split())[:300] for part in ADDRESS_PARTS}
    unknown = set(raw) - set(ADDRESS_PARTS)
    if unknown:
        raise ValueError(_("Unknown part of an address: %(parts)s.", parts=", ".join(sorted(unknown))))
    if address["postcode"]:
        postcode = address["postcode"]
        if not re.fullmatch(r"(?:B-?)?[1-9]\d{3}", postcode):
            raise ValueError(_("“%(value)s” is not a Belgian postcode (four digits).", value=postcode[:20]))
        address["postcode"] = territory.normalize_postcode(postcode)
    address["number"], address["box"] = address["number"][:30], address["box"][:30]
    return address


def _clean_categories(raw: Any, known: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    codes = []
    for item in raw if isinstance(raw, list) else _split_words(raw):
        code = str(item.get("code", "") if isinstance(item, dict) else item).strip().lower()
        if code not in known:
            raise ValueError(_("“%(value)s” is not a category of the directory.", value=code[:50]))
        codes.append(code)
    return [dict(known[code]) for code in dict.fromkeys(codes)]


def _clean_publics(raw: Any) -> list[dict[str, str]]:
    publics = []
    items = raw if isinstance(raw, list) else _lines(raw)
    for item in items:
        if isinstance(item, dict):
            fr, nl = str(item.get("fr") or "").strip(), str(item.get("nl") or "").strip()
        else:
            fr, _sep, nl = str(item).partition("|")
            fr, nl = fr.strip(), nl.strip()
        fr = fr or PUBLICS_NL_TO_FR.get(nl.lower(), "")
        nl = nl or PUBLICS.get(fr.lower(), "")
        if not (fr or nl):
            continue
        publics.append({"fr": fr[:200], "nl": nl[:200]})
    if len(publics) > MAX_ITEMS:
        raise ValueError(_("At most %(num)d values.", num=MAX_ITEMS))
    return publics


def clean_value(field: str, raw: Any, *, categories: dict[str, dict[str, str]] | None = None) -> Any:
    """The value of ``field`` from ``raw``, checked and cleaned; ``ValueError`` with a message otherwise."""
    if field in ("phones", "emails", "websites", "languages"):
        return _clean_list(field, raw)
    if field == "address":
        return _clean_address(raw)
    if field == "categories":
        return _clean_categories(raw, categories or {})
    if field == "publics":
        return _clean_publics(raw)
    if isinstance(raw, (dict, list)):
        raise ValueError(_("A text is expected."))
    text = str(raw or "").replace("\r\n", "\n").strip()
    limit = 400 if field in NAME_FIELDS else MAX_TEXT
    if len(text) > limit:
        raise ValueError(_("At most %(num)d characters.", num=limit))
    return text


def clean_changes(session: Session, changes: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Every value of ``changes`` cleaned; ``FieldsInvalid`` naming each field refused (unknown or wrong)."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    categories = known_categories(session) if "categories" in changes else None
    for field, raw in changes.items():
        if field not in allowed:
            errors[str(field)[:40]] = _("Unknown field.")
            continue
        try:
            cleaned[field] = clean_value(field, raw, categories=categories)
        except ValueError as error:
            errors[field] = str(error)
    if errors:
        raise FieldsInvalid(errors)
    return cleaned


def label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def as_text(field: str, value: Any, locale: str = "fr") -> str:
    """A value as a person reads it on a page (one line)."""
    if value in (None, "", []):
        return "—"
    if field == "address" and isinstance(value, dict):
        street = (
            value.get("street_nl") if locale == "nl" and value.get("street_nl") else value.get("street_fr")
        )
        line = " ".join(filter(None, [street or value.get("street_nl", ""), value.get("number", "")]))
        if value.get("box"):
            line += f" / {value['box']}"
        locality = territory.locality_for_postcode(value.get("postcode", ""))
        commune = ""
        if locality is not None:
            commune = locality.commune.name_nl if locale == "nl" else locality.commune.name_fr
        return ", ".join(
            filter(None, [line.strip(), " ".join(filter(None, [value.get("postcode"), commune]))])
        )
    if isinstance(value, list):
        return ", ".join(_item_text(item, locale) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _item_text(item: Any, locale: str) -> str:
    if isinstance(item, dict):
        first = item.get(f"label_{locale}") or item.get(locale)
        return str(first or item.get("label_fr") or item.get("fr") or item.get("code") or "")
    return str(item)


def form_text(field: str, value: Any) -> str:
    """A value as a form's text box shows it (one item a line; a category by its code)."""
    if field == "categories":
        return "\n".join(str(c.get("code", "")) for c in value or [] if isinstance(c, dict))
    if field == "publics":
        return "\n".join(
            " | ".join(filter(None, [str(p.get("fr", "")), str(p.get("nl", ""))]))
            if isinstance(p, dict)
            else str(p)
            for p in value or []
        )
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def _folded_text(value: Any) -> str:
    return " ".join(str(value or "").split())


def same_value(field: str, current: Any, proposed: Any) -> bool:
    """Whether a value typed in a form says what the directory already holds (a category by its code, a
    public by its French label, texts whatever their spacing): such a field is no change."""
    if field == "categories":
        return [_item_code(c) for c in current or []] == [_item_code(c) for c in proposed or []]
    if field == "publics":
        return [_folded_text(_item_text(p, "fr")).casefold() for p in current or []] == [
            _folded_text(_item_text(p, "fr")).casefold() for p in proposed or []
        ]
    if field == "address":
        return all(
            _folded_text((current or {}).get(part)) == _folded_text((proposed or {}).get(part))
            for part in ADDRESS_PARTS
        )
    if isinstance(proposed, str):
        return _folded_text(current) == _folded_text(proposed)
    return current == proposed


def _item_code(item: Any) -> str:
    return str(item.get("code", "") if isinstance(item, dict) else item).strip().lower()
