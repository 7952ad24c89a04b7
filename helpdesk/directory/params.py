"""Reading search parameters from a query string, shared by the directory pages and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from helpdesk.directory.search import FACET_NAMES

MAX_QUERY_CHARS = 200
MAX_PAGE = 500
MAX_LIMIT = 100
MAX_VALUES = 20
MAX_NEAR_CHARS = 100
SORTS = ("relevance", "near")


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    limit: int = 10
    filters: dict[str, list[str]] = field(default_factory=dict)
    near: str = ""  # a postcode or a commune the "near" sort measures from
    sort: str = ""  # "relevance", "near", or "" (near when ``near`` is given, else relevance)

    def url_args(self, **changes) -> dict:
        """Arguments for ``url_for`` that reproduce this search, with ``changes`` applied."""
        args: dict = {
            "q": self.q or None,
            "near": self.near or None,
            "sort": self.sort or None,
            **{k: v for k, v in self.filters.items() if v},
        }
        if self.page > 1:
            args["page"] = self.page
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "", [])}

    def toggled(self, facet: str, value: str) -> dict:
        """URL arguments with ``value`` of ``facet`` switched on or off (back to the first page)."""
        values = list(self.filters.get(facet, []))
        values = [v for v in values if v != value] if value in values else values + [value]
        return self.url_args(**{facet: values, "page": None})


def parse_search_args(args: MultiDict, *, default_limit: int = 10) -> tuple[SearchParams, dict[str, str]]:
    """The parameters and, per bad parameter, an error code ("too_long", "not_a_number", "out_of_range")."""
    errors: dict[str, str] = {}
    params = SearchParams(limit=default_limit)
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        errors["q"] = "too_long"
    params.q = q[:MAX_QUERY_CHARS]
    near = (args.get("near") or "").strip()
    if len(near) > MAX_NEAR_CHARS:
        errors["near"] = "too_long"
    params.near = near[:MAX_NEAR_CHARS]
    sort = (args.get("sort") or "").strip()
    if sort and sort not in SORTS:
        errors["sort"] = "out_of_range"
    elif sort:
        params.sort = sort
    for name, maximum in (("page", MAX_PAGE), ("limit", MAX_LIMIT)):
        raw = args.get(name)
        if raw in (None, ""):
            continue
        try:
            value = int(raw)
        except ValueError:
            errors[name] = "not_a_number"
            continue
        if not 1 <= value <= maximum:
            errors[name] = "out_of_range"
            continue
        setattr(params, name, value)
    for name in FACET_NAMES:
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        if len(values) > MAX_VALUES or any(len(v) > 100 for v in values):
            errors[name] = "out_of_range"
            continue
        if values:
            params.filters[name] = list(dict.fromkeys(values))
    return params, errors
