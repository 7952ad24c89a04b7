"""Where an organisation works, for the orientation: the communes its action zones cover ("serves your
commune") beside where it is located ("is located near you")."""

from __future__ import annotations

from sqlalchemy import Select, select

from directory_import.models import Organisation
from directory_import.territory import COMMUNES, locality_for_postcode

SERVES_COMMUNE = "serves_commune"
LOCATED_IN_COMMUNE = "located_in_commune"
LOCATED_IN_BASIN = "located_in_basin"


def served_commune_names(organisation: Organisation, locale: str) -> list[str]:
    """The names, in ``locale``, of the communes the organisation's action zones cover ([] when unknown or
    when they cover the whole region, which the zones' own labels already say)."""
    codes = [code for code in (organisation.served_communes or "").split("|") if code in COMMUNES]
    if len(codes) == len(COMMUNES):
        return []
    return [COMMUNES[code].name(locale) for code in codes]


def serving_commune(commune_code: str) -> Select[tuple[Organisation]]:
    """Active organisations whose action zones cover ``commune_code`` (a ``territory.COMMUNES`` code)."""
    return (
        select(Organisation)
        .where(
            Organisation.archived.is_(False),
            Organisation.served_communes.contains(f"|{commune_code}|", autoescape=True),
        )
        .order_by(Organisation.name_fr, Organisation.id)
    )


def place_reasons(organisation: Organisation, commune_code: str, basin: str = "") -> tuple[str, ...]:
    """Why the organisation fits a person of ``commune_code`` (and ``basin``) by place: it serves the commune,
    it is located in it, or in the same basin. Empty when none holds."""
    reasons = []
    if organisation.serves(commune_code):
        reasons.append(SERVES_COMMUNE)
    locality = locality_for_postcode(organisation.postcode)
    if locality is not None and locality.commune.code == commune_code:
        reasons.append(LOCATED_IN_COMMUNE)
    elif basin and organisation.basin == basin:
        reasons.append(LOCATED_IN_BASIN)
    return tuple(reasons)
