"""Turning what the operator typed into an ``IntakeRecord`` and recording it (via ``create_request``)."""

from __future__ import annotations

import unicodedata

from directory_import.territory import LOCALITIES, normalize_postcode
from helpdesk.followup.operations import CallerRecord, IntakeRecord, create_request  # noqa: F401 (re-exported)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("-", " ").replace("'", " ")


def _names_to_postcode() -> dict[str, str]:
    names: dict[str, str] = {}
    for postcode, loc in sorted(LOCALITIES.items()):  # lowest postcode first: 1000 for "Bruxelles"
        for name in (loc.name_fr, loc.name_nl, loc.commune.name_fr, loc.commune.name_nl):
            names.setdefault(_fold(name), postcode)
    return names


_NAMES = _names_to_postcode()


def resolve_residence(text: str) -> str | None:
    """The postcode of ``'1060'``, ``'Saint-Gilles'``, ``'sint-gillis'``; ``''`` if empty; None if unknown."""
    if not text or not text.strip():
        return ""
    postcode = normalize_postcode(text)
    if postcode:
        return postcode
    return _NAMES.get(_fold(text))


def record_from_form(form, *, organisation_id: int | None, postcode: str) -> IntakeRecord:
    return IntakeRecord(
        territory=form.territory.data,
        channel=form.channel.data,
        urgency=form.urgency.data,
        caller=CallerRecord(
            name=form.caller_name.data or "",
            function=form.caller_function.data or "",
            sector=form.caller_sector.data or "",
            organisation_id=organisation_id,
            organisation_text=form.caller_organisation.data or "",
            phone=form.caller_phone.data or "",
            email=form.caller_email.data or "",
        ),
        age_band=form.age_band.data or "",
        gender=form.gender.data or "",
        languages=form.languages.data or [],
        residence_postcode=postcode,
        situation_flags=form.situation_flags.data or [],
        themes=form.themes.data or [],
        question=form.question.data or "",
        identity_confirmed=bool(form.confirm_identity.data),
    )
