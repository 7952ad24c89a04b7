"""Candidate duplicates: folded FR/NL names, same postcode or phone; dismissed pairs stay dismissed."""

from __future__ import annotations

import pytest

from directory_import.dedupe import dismiss_pair, find_duplicates, name_score
from directory_import.normalize import fold


# The library is tested without the Flask app (tests/fixtures/database.py).
@pytest.fixture
def session(library_session):
    return library_session


@pytest.fixture
def make_organisation(library_organisation):
    return library_organisation


@pytest.mark.parametrize(
    ("first", "second", "similar"),
    [
        ("Maison médicale Les Acacias", "MAISON MEDICALE LES ACACIA", True),
        ("CPAS d'Ixelles", "CPAS Ixelles", True),
        ("Wijkgezondheidscentrum De Brug", "Wijkgezondheidscentrum De Brug vzw", True),
        ("Maison médicale Le Moulin", "Maison médicale Le Jardin", False),
        ("Antenne 1", "Antenne 2", False),
    ],
)
def test_dedupe_name_score(first, second, similar):
    assert (name_score((fold(first),), (fold(second),)) >= 88) is similar


def test_dedupe_same_postcode_and_similar_name_is_a_candidate(session, make_organisation):
    a = make_organisation(name_fr="Maison médicale Les Acacias", postcode="1060")
    b = make_organisation(name_fr="Maison Medicale les Acacia", postcode="1060")
    make_organisation(name_fr="Maison médicale Les Acacias", postcode="1180")  # elsewhere: not the same
    pairs = find_duplicates(session)
    assert [(p.first_id, p.second_id, p.same_postcode) for p in pairs] == [(a.id, b.id, True)]


def test_dedupe_dutch_name_matches_across_languages(session, make_organisation):
    a = make_organisation(name_fr="", name_nl="OCMW Elsene", postcode="1050")
    b = make_organisation(name_fr="CPAS d'Ixelles", name_nl="OCMW van Elsene", postcode="1050")
    assert [(p.first_id, p.second_id) for p in find_duplicates(session)] == [(a.id, b.id)]


def test_dedupe_same_phone_in_another_postcode_is_a_candidate(session, make_organisation):
    a = make_organisation(name_fr="Abri de nuit La Lanterne", postcode="1000", phones=["+32 2 512 00 00"])
    b = make_organisation(name_fr="La Lanterne (abri de nuit)", postcode="1020", phones=["+32 2 512 00 00"])
    (pair,) = find_duplicates(session)
    assert (pair.first_id, pair.second_id, pair.same_phone, pair.same_postcode) == (a.id, b.id, True, False)


def test_dedupe_local_organisation_resembling_an_imported_one_is_proposed(session, make_organisation):
    imported = make_organisation(
        source="bruxelles-social", name_fr="Service de santé mentale Le Chien Vert", postcode="1030"
    )
    local = make_organisation(
        source="local", name_fr="SSM Le Chien Vert", name_nl="", postcode="1030", acronym="", phones=[]
    )
    local_copy = make_organisation(
        source="local", name_fr="Service de sante mentale le chien vert", postcode="1030"
    )
    pairs = {(p.first_id, p.second_id) for p in find_duplicates(session)}
    assert (imported.id, local_copy.id) in pairs
    assert local.id  # an abbreviation alone is not enough evidence


def test_dedupe_dismissed_pair_never_comes_back(session, make_organisation):
    a = make_organisation(name_fr="Épicerie sociale Le Panier", postcode="1080")
    b = make_organisation(name_fr="Epicerie Sociale Le Panier", postcode="1080")
    assert len(find_duplicates(session)) == 1
    dismiss_pair(session, b.id, a.id, dismissed_by="admin@test.example")
    session.commit()
    assert find_duplicates(session) == []
    dismiss_pair(session, a.id, b.id)  # twice is harmless
    session.commit()
    assert find_duplicates(session) == []


def test_dedupe_archived_organisations_are_left_out(session, make_organisation):
    make_organisation(name_fr="Maison de jeunes Le Bazar", postcode="1070")
    make_organisation(name_fr="Maison de jeunes Le Bazar", postcode="1070", archived=True)
    assert find_duplicates(session) == []
