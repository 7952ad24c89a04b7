"""Needs, not only names, through the library alone: how the needs thesaurus (``search_index/data/needs.csv``)
ranks, over the project's sample directory and the search-quality one. The recall of the need-phrased
queries is in ``tests/test_search_quality.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search_index import search
from search_index.needs import NeedsThesaurus, read_needs_csv

ROOT = Path(__file__).resolve().parent.parent
NEEDS_CSV = ROOT / "search_index" / "data" / "needs.csv"


@pytest.fixture(scope="module")
def thesaurus() -> NeedsThesaurus:
    return NeedsThesaurus(read_needs_csv(NEEDS_CSV))


def test_search_needs_rank_the_words_first(sample_index, thesaurus):
    """A record holding the very words typed comes before those found through the need."""
    index, kinds = sample_index
    result = search(index, "traitement de substitution", limit=100, needs=thesaurus)
    via = [bool(h.via_needs) for h in result.hits]
    assert via and not via[0]
    assert via == sorted(via)  # every hit of the words, then every hit of the need
    assert any(via)


def test_search_needs_without_thesaurus_finds_nothing_for_a_need(sample_index, thesaurus):
    index, _ = sample_index
    assert search(index, "idées suicidaires", needs=None).total == 0
    found = search(index, "idées suicidaires", needs=thesaurus)
    assert found.total > 0
    assert all(h.via_needs == ("suicidal_thoughts",) for h in found.hits)
    assert [m.code for m in found.needs] == ["suicidal_thoughts"]
    assert found.suggestion is None


def test_search_quality_queries_stay_good_with_the_thesaurus(library_search_directory, thesaurus):
    """The names, acronyms and places of ``tests/data/search_queries.json`` rank as well with the needs."""
    from tests.test_search_quality import MIN_RECALL_AT_5 as NAMES_MIN
    from tests.test_search_quality import evaluate, load_queries

    index, ids = library_search_directory
    queries = load_queries()
    recall, mrr, misses = evaluate(
        lambda text: [h.id for h in search(index, text, limit=5, needs=thesaurus).hits], queries, ids
    )
    print(f"\nsearch quality with the needs: recall@5 {recall:.3f}, MRR {mrr:.3f}")
    for miss in misses:
        print("  missed:", miss)
    assert recall >= NAMES_MIN


def test_search_needs_map_other_sources_categories_by_their_words():
    from search_index.expansion import category_codes

    labels = {
        "12": {"fr": "Aide aux sans-abri", "nl": "Thuislozenzorg"},
        "13": {"fr": "Accueil des migrants", "nl": ""},
        "14": {"fr": "Violences conjugales", "nl": "Partnergeweld"},
        "15": {"fr": "Service de santé mentale", "nl": ""},
        "16": {"fr": "Aide alimentaire", "nl": "Voedselhulp"},
    }
    known = frozenset(labels)
    assert category_codes("sansabri", labels, known) == ["12"]
    assert category_codes("migrants", labels, known) == ["13"]
    assert category_codes("violences", labels, known) == ["14"]
    assert category_codes("ssm", labels, known) == ["15"]
    assert category_codes("mm", labels, known) == []
