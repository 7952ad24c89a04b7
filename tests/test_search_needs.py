"""Needs, not only names: need-phrased queries over the project's own sample directory.

The sample (``directory_import/sample.py``) is imported the way ``make run`` does (social.brussels shape,
numbered categories) and indexed through the library alone. Each query of ``tests/data/need_queries.json``
names the categories whose organisations answer it; recall@5 counts how many of the first five results are
of those categories (out of five, or fewer when fewer organisations are). The thesaurus is
``helpdesk/orientation/data/needs.csv``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from directory_import.models import Organisation
from directory_import.sample import write_sample
from directory_import.sync import import_path
from directory_import.vocabulary import CATEGORIES
from search_index import SearchIndex, rebuild, search
from search_index.analysis import fold
from search_index.needs import NeedsThesaurus, read_needs_csv

ROOT = Path(__file__).resolve().parent.parent
NEEDS_CSV = ROOT / "helpdesk" / "orientation" / "data" / "needs.csv"
QUERIES = Path(__file__).resolve().parent / "data" / "need_queries.json"
MIN_RECALL_AT_5 = 0.95


@pytest.fixture(scope="module")
def thesaurus() -> NeedsThesaurus:
    return NeedsThesaurus(read_needs_csv(NEEDS_CSV))


@pytest.fixture(params=["socialbrussels", "json"])
def sample_index(request, library_session, tmp_path) -> tuple[SearchIndex, dict[int, set[str]]]:
    """The sample directory imported and indexed, in the social.brussels shape (numbered categories, as
    ``make run`` imports it) and in the export shape (the project's codes): (index, organisation id -> the
    project's category codes)."""
    path = tmp_path / "sample.json"
    write_sample(path, fmt=request.param)
    import_path(library_session, path, source="sample")
    library_session.commit()
    by_label = {fold(fr): code for code, (fr, _) in CATEGORIES.items()}
    kinds = {}
    for org in library_session.query(Organisation):
        labels = [fold(str(c.get("label_fr") or c.get("labelFr") or "")) for c in org.categories or []]
        kinds[org.id] = {by_label[label] for label in labels if label in by_label}
    index = SearchIndex(tmp_path / "index")
    rebuild(index, library_session)
    return index, kinds


def recall_at_5(top: list[int], kinds: dict[int, set[str]], expected: set[str]) -> float:
    relevant = [i for i, codes in kinds.items() if codes & expected]
    if not relevant:
        return 1.0
    found = sum(1 for i in top[:5] if kinds.get(i, set()) & expected)
    return found / min(5, len(relevant))


def test_need_queries_are_many_and_bilingual():
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    kinds = {q["kind"] for q in queries}
    assert len(queries) >= 60
    assert {"fr", "nl", "typo", "no accents"} <= kinds


def test_search_needs_recall_at_5(sample_index, thesaurus):
    index, kinds = sample_index
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    recalls, misses = [], []
    for query in queries:
        top = [h.id for h in search(index, query["q"], limit=5, needs=thesaurus, with_facets=False).hits]
        recall = recall_at_5(top, kinds, set(query["expect_categories"]))
        recalls.append(recall)
        if recall < 1:
            misses.append((query["q"], query["expect_categories"], [sorted(kinds.get(i, ())) for i in top]))
    mean = sum(recalls) / len(recalls)
    print(f"\nneed queries: {len(queries)}, recall@5 {mean:.3f}")
    for miss in misses:
        print("  missed:", miss)
    assert mean >= MIN_RECALL_AT_5


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
