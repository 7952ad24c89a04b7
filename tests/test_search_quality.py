"""Search quality: the queries professionals type, over an invented Brussels directory.

Each query of ``tests/data/search_queries.json`` names the organisations that must appear in the first
five results. The suite prints recall@5 and the mean reciprocal rank, and fails below 0.95 recall@5.

Each query of ``tests/data/need_queries.json`` names a need as professionals word it ("idées suicidaires",
"schulden", "dormir ce soir", with typos and without accents) and the categories whose organisations answer
it, over the project's own sample directory (``directory_import/sample.py``): recall@5 counts the first five
results of those categories (out of five, or fewer when fewer organisations are).
"""

from __future__ import annotations

import json
from pathlib import Path

from search_index import search
from tests.search_corpus import load_queries

NEED_QUERIES = Path(__file__).resolve().parent / "data" / "need_queries.json"

MIN_RECALL_AT_5 = 0.95


def evaluate(run, queries, ids):
    """(recall@5, MRR, misses) of ``run(text) -> [organisation ids]`` over ``queries``."""
    by_id = {v: k for k, v in ids.items()}
    recalls, ranks, misses = [], [], []
    for query in queries:
        top = [by_id.get(i) for i in run(query["q"])[:5]]
        expected = set(query["expect"])
        recall = len(expected & set(top)) / len(expected)
        rank = next((1 / (n + 1) for n, source_id in enumerate(top) if source_id in expected), 0.0)
        recalls.append(recall)
        ranks.append(rank)
        if recall < 1:
            misses.append((query["q"], query["expect"], top))
    return sum(recalls) / len(recalls), sum(ranks) / len(ranks), misses


def test_search_quality_queries_cover_every_kind():
    queries = load_queries()
    kinds = {q["kind"] for q in queries}
    assert len(queries) >= 80
    assert {"no accents", "typo", "dutch", "prefix", "acronym", "synonym", "cross-language"} <= kinds


def test_search_quality_recall_at_5(library_search_directory):
    index, ids = library_search_directory
    queries = load_queries()
    recall, mrr, misses = evaluate(
        lambda text: [h.id for h in search(index, text, limit=5).hits], queries, ids
    )
    print(f"\nsearch quality over {len(queries)} queries: recall@5 {recall:.3f}, MRR {mrr:.3f}")
    for miss in misses:
        print("  missed:", miss)
    assert recall >= MIN_RECALL_AT_5


def test_search_quality_through_find_organisations(app, search_directory_ids):
    """The helpdesk's lead search and autocomplete get the same ranking."""
    from helpdesk.db import get_session
    from helpdesk.directory.search import find_organisations

    with app.app_context():
        found = find_organisations(get_session(), "ocmw schaerbek", limit=5)
    assert found[0].source_id == "c01"


def recall_at_5(top: list[int], kinds: dict[int, set[str]], expected: set[str]) -> float:
    relevant = [i for i, codes in kinds.items() if codes & expected]
    if not relevant:
        return 1.0
    found = sum(1 for i in top[:5] if kinds.get(i, set()) & expected)
    return found / min(5, len(relevant))


def test_search_quality_need_queries_are_many_and_bilingual():
    queries = json.loads(NEED_QUERIES.read_text(encoding="utf-8"))
    assert len(queries) >= 60
    assert {"fr", "nl", "typo", "no accents"} <= {q["kind"] for q in queries}


def test_search_quality_need_queries_recall_at_5(sample_index):
    """Through the thesaurus the product ships (``search`` uses it unless told otherwise)."""
    index, kinds = sample_index
    queries = json.loads(NEED_QUERIES.read_text(encoding="utf-8"))
    recalls, misses = [], []
    for query in queries:
        top = [h.id for h in search(index, query["q"], limit=5, with_facets=False).hits]
        recall = recall_at_5(top, kinds, set(query["expect_categories"]))
        recalls.append(recall)
        if recall < 1:
            misses.append((query["q"], query["expect_categories"], [sorted(kinds.get(i, ())) for i in top]))
    mean = sum(recalls) / len(recalls)
    print(f"\nneed queries: {len(queries)}, recall@5 {mean:.3f}")
    for miss in misses:
        print("  missed:", miss)
    assert mean >= MIN_RECALL_AT_5
