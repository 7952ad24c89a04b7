"""The needs thesaurus shipped in ``search_index/data/needs.csv``, reviewed like code: every category,
public and request theme it names exists in the project's vocabularies, and its entries are usable."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory_import.vocabulary import CATEGORIES, PUBLICS
from helpdesk.followup.themes import SECTOR_THEMES
from search_index.analysis import fold
from search_index.needs import NeedEntry, NeedsThesaurus, parse_weights, read_needs_csv, tolerated_edits

NEEDS_CSV = Path(__file__).resolve().parent.parent / "search_index" / "data" / "needs.csv"
ENTRIES = read_needs_csv(NEEDS_CSV)


def test_needs_thesaurus_has_two_hundred_bilingual_entries():
    assert len(ENTRIES) >= 200
    assert len({e.code for e in ENTRIES}) == len(ENTRIES)
    for entry in ENTRIES:
        assert entry.label_en, entry.code
        assert len(entry.fr) >= 2 and len(entry.nl) >= 2, entry.code
        assert entry.categories, entry.code
        assert entry.themes, entry.code


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.code for e in ENTRIES])
def test_needs_thesaurus_names_known_codes(entry: NeedEntry):
    assert set(entry.categories) <= set(CATEGORIES)
    assert {fold(p) for p in entry.publics} <= {fold(p) for p in PUBLICS}
    assert set(entry.themes) <= {code for code, *_ in SECTOR_THEMES}
    for weights in (entry.categories, entry.publics, entry.themes):
        assert all(0 < w <= 1 for w in weights.values())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Dépression", "depression"),
        ("depressie", "depression"),
        ("idees suicidaires", "suicidal_thoughts"),
        ("zelfmoordgedachten", "suicidal_thoughts"),
        ("des dettes", "debts"),
        ("schulden", "debts"),
        ("avis d'expulsion", "eviction"),
        ("uithuiszetting", "eviction"),
        ("violence conjugale", "domestic_violence"),
        ("partnergeweld", "domestic_violence"),
        ("grossesse non desiree", "unwanted_pregnancy"),
        ("sans papiers", "undocumented"),
        ("zonder papieren", "undocumented"),
        ("héroine", "heroin"),
        ("honger", "hunger"),
        ("perte d'autonomie", "older_autonomy"),
        ("rouw", "mourning"),
        ("harcelement", "harassment"),
        ("dormir ce soir", "shelter_tonight"),
        ("slaapplaats", "shelter_tonight"),
        ("chercher du travail", "job_search"),
        ("werk zoeken", "job_search"),
        ("burnout", "burnout"),
        ("angoises", "anxiety"),  # a typo
        ("violance conjugale", "domestic_violence"),  # a typo
    ],
)
def test_needs_thesaurus_understands_the_phrasing(text: str, code: str):
    thesaurus = NeedsThesaurus(ENTRIES)
    assert code in {m.code for m in thesaurus.match(text)}


def test_needs_thesaurus_match_prefers_the_longest_phrase():
    thesaurus = NeedsThesaurus(
        [
            NeedEntry("violence", "Violence", ("violence",), ("geweld",)),
            NeedEntry("dv", "Domestic violence", ("violence conjugale",), ("partnergeweld",)),
        ]
    )
    assert [m.code for m in thesaurus.match("violence conjugale")] == ["dv"]
    assert [m.code for m in thesaurus.match("violence à l'école")] == ["violence"]


def test_needs_thesaurus_typos_are_tolerated_on_long_words_only():
    assert tolerated_edits("faim") == 0
    assert tolerated_edits("dettes") == 1
    assert tolerated_edits("uithuiszetting") == 2
    thesaurus = NeedsThesaurus([NeedEntry("hunger", "Hunger", ("faim",), ("honger",))])
    assert thesaurus.match("fait") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [("famille à la rue", "shelter_families"), ("il dort à la rue", "no_home"), ("en deuil", "mourning")],
)
def test_needs_thesaurus_little_words_anchor_a_single_word(text: str, code: str):
    thesaurus = NeedsThesaurus(ENTRIES)
    assert code in {m.code for m in thesaurus.match(text)}
    assert thesaurus.match("12 rue haute") == []


def test_needs_thesaurus_resembling_entries():
    thesaurus = NeedsThesaurus(ENTRIES)
    assert "depression" in {e.code for e in thesaurus.resembling("dépressions sévères")}


@pytest.mark.parametrize("bad", ["ssm:2", "ssm:x"])
def test_needs_thesaurus_rejects_bad_weights(bad: str):
    with pytest.raises(ValueError):
        parse_weights(bad)


def test_needs_thesaurus_reads_a_whole_question():
    thesaurus = NeedsThesaurus(ENTRIES)
    question = (
        "Madame X, 34 ans, deux enfants, arrivée il y a trois mois, hébergée chez une amie qui ne peut plus "
        "la garder; elle nous dit aussi avoir des dettes de loyer et ne plus dormir; elle est enceinte"
    )
    found = {m.code for m in thesaurus.match(question, max_words=400)}
    assert {"pregnancy_follow_up", "rent_arrears"} <= found
    assert "shelter_tonight" not in found  # "ne plus dormir" is not "où dormir"
    assert "pregnancy_follow_up" not in {m.code for m in thesaurus.match(question)}  # a search reads 24 words
