"""Reranking: the person's territory raises results nearby by a small factor, which reorders near-equals
only and never removes a result."""

from __future__ import annotations

from whoosh.searching import Hit

from directory_import.territory import BASIN_NEIGHBOURS

SAME_BASIN_FACTOR = 1.10
NEIGHBOUR_FACTOR = 1.03


def rerank(results, territory: str | None) -> list[tuple[Hit, float]]:
    ranked = []
    neighbours = BASIN_NEIGHBOURS.get(territory or "", frozenset())
    for hit in results:
        score = hit.score or 0.0
        basin = hit.get("basin")
        if territory and basin == territory:
            score *= SAME_BASIN_FACTOR
        elif basin in neighbours:
            score *= NEIGHBOUR_FACTOR
        ranked.append((hit, score))
    ranked.sort(key=lambda item: -item[1])  # stable: equal scores keep Whoosh's order
    return ranked
