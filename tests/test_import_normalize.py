"""Normalisation of one record: phones, e-mails, web addresses, postcodes, text without markup."""

from __future__ import annotations

import pytest

from directory_import.normalize import (
    RejectedRow,
    clean_text,
    fold,
    normalize_email,
    normalize_language,
    normalize_phone,
    normalize_record,
    normalize_url,
)
from directory_import.readers import OrganisationRecord


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("02/123.45.67", "+32 2 123 45 67"),
        ("0032 2 123 45 67", "+32 2 123 45 67"),
        ("+32 (0)2 123 45 67", "+32 2 123 45 67"),
        ("02-123-45-67", "+32 2 123 45 67"),
        ("0475 12 34 56", "+32 475 12 34 56"),
        ("+32475123456", "+32 475 12 34 56"),
        ("010 45 67 89", "+32 10 45 67 89"),
        ("09 210 10 10", "+32 9 210 10 10"),
        ("0800 12 345", "+32 800 12 345"),
        ("02 123 45 67 poste 12", "+32 2 123 45 67"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
        ("02/435.51.38", "+32 2 435 51 38"),
        ("123", None),
        ("02 123 45", None),
        ("appelez-nous", None),
    ],
)
def test_normalize_phone_one_format(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Accueil@Meridien.EXAMPLE", "accueil@meridien.example"),
        ("mailto:info@asbl.be", "info@asbl.be"),
        ("info@", None),
        ("pas d'email", None),
        ("a@b", None),
        ("jean..dupont@asbl.be", None),  # email-validator's rules: no empty part between dots
        (".info@asbl.be", None),
        ("Info@Sïte.BE", "info@sïte.be"),  # an international domain
    ],
)
def test_normalize_email(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("www.asbl.be", "https://www.asbl.be"),
        ("HTTP://Example.BE/Page?x=1", "http://example.be/Page?x=1"),
        ("https://ocmw-brussel.be/nl/", "https://ocmw-brussel.be/nl/"),
        ("javascript:alert(1)", None),
        ("ftp://files.example.be", None),
        ("not a site", None),
        ("https://user@evil.example", None),
    ],
)
def test_normalize_url(raw, expected):
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Accueil <b>de nuit</b></p><p>Sans RDV</p>", "Accueil de nuit\nSans RDV"),
        ("Soins&nbsp;&amp; écoute", "Soins & écoute"),
        ("<script>alert('x')</script>Texte", "Texte"),
        ("  trop   d'espaces \r\n\r\n\r\n\r\nfin ", "trop d'espaces\n\nfin"),
        ("a < b et c > d", "a < b et c > d"),
        ("avant<!-- commentaire -->après", "avantaprès"),
    ],
)
def test_normalize_clean_text_strips_markup(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("FR", "fr"),
        ("Nederlands", "nl"),
        ("néerlandais", "nl"),
        ("fr-BE", "fr"),
        ("arabe", "ar"),
        ("klingon", None),
    ],
)
def test_normalize_language_iso_codes(raw, expected):
    assert normalize_language(raw) == expected


def test_normalize_fold_accents_and_case():
    assert fold("Œuvre  Saint-Gilles — Évêché") == "oeuvre saint gilles eveche"


def test_normalize_record_maps_postcode_to_commune_and_basin():
    values, warnings = normalize_record(
        OrganisationRecord(line=1, source_id="1", name_nl="OCMW Elsene", postcode="B-1050", commune_fr="Ixl")
    )
    assert (values["postcode"], values["commune_fr"], values["commune_nl"], values["basin"]) == (
        "1050",
        "Ixelles",
        "Elsene",
        "sud",
    )
    assert warnings == []


def test_normalize_record_outside_brussels_keeps_the_source_commune():
    values, _ = normalize_record(
        OrganisationRecord(line=1, source_id="1", name_fr="X", postcode="4000", commune_fr="Liège")
    )
    assert (values["postcode"], values["commune_fr"], values["basin"]) == ("4000", "Liège", "outside")


def test_normalize_record_bad_values_become_warnings():
    record = OrganisationRecord(
        line=9,
        source_id="1",
        name_fr="X",
        postcode="Brussel",
        phones=("12",),
        emails=("nope",),
        websites=("javascript:x",),
        languages=("klingon",),
        latitude="91",
        longitude="4.3",
    )
    values, warnings = normalize_record(record)
    assert [w.code for w in warnings] == [
        "bad_postcode",
        "bad_phone",
        "bad_email",
        "bad_url",
        "bad_language",
        "bad_coordinates",
    ]
    assert (values["phones"], values["emails"], values["websites"], values["latitude"]) == ([], [], [], None)


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (OrganisationRecord(line=1, source_id=" ", name_fr="X"), "no_id"),
        (OrganisationRecord(line=1, source_id="1", name_fr="<br>", name_nl="  "), "no_name"),
        (OrganisationRecord(line=1, source_id="x" * 101, name_fr="X"), "id_too_long"),
    ],
)
def test_normalize_record_rejects_rows_without_id_or_name(record, code):
    with pytest.raises(RejectedRow) as rejected:
        normalize_record(record)
    assert rejected.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Maison   médicale\tLe Méridien ", "Maison médicale Le Méridien"),
        ("CPAS\u2028d'Ixelles", "CPAS d'Ixelles"),
        ("<b>SSM</b> Le&nbsp;Chien Vert", "SSM Le Chien Vert"),
    ],
)
def test_normalize_clean_line_collapses_whitespace_and_markup(raw, expected):
    from directory_import.normalize import clean_line

    assert clean_line(raw) == expected
