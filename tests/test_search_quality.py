"""Search quality: the queries professionals type, over an invented Brussels directory.

Each query of ``tests/data/search_queries.json`` names the organisations that must appear in the first
five results. The suite prints recall@5 and the mean reciprocal rank, and fails below 0.95 recall@5.
"""

from __future__ import annotations

from search_index import search
from tests.search_corpus import load_queries

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
