"""How a paged list endpoint says where its next page is, in the shapes REST APIs publish.

``next_page(url, path, link)`` reads one page (the file at ``path``, fetched from ``url``, with the answer's
``Link`` header) and returns the address of the next page, or ``""`` on the last one. It understands

- a ``Link`` header with ``rel="next"`` (RFC 8288);
- a next link in the body: ``{"next": URL}`` (Django REST framework and others), ``{"links": {"next": URL}}``
  (JSON:API), ``{"_links": {"next": {"href": URL}}}`` (HAL, Spring Data REST), ``{"pagination": {"next": URL}}``,
  ``{"paging": {"next": URL}}``, ``{"meta": {"next": URL}}``;
- page numbers: ``{"page": 2, "totalPages": 5}``, Spring's ``{"number": 0, "totalPages": 5, "last": false}``
  (counted from 0), ``{"page": {"number": 0, "totalPages": 5}}``, ``currentPage``/``lastPage``,
  ``pageCount``, ``hasNext``/``hasMore``: the next page is the same address with its page parameter (the one
  the address already has, else ``page``) one higher;
- offsets: ``{"offset": 0, "limit": 50, "total": 120}``: the same address with ``offset`` moved on.

Only the top of the document is looked at (the records themselves are streamed past, never built).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import ijson

from directory_import.readers.json_reader import _skip_bom
from directory_import.readers.socialbrussels import key as _key

# Objects at the top that hold paging information rather than records (their loose key form).
CONTAINERS = {"links", "pagination", "paging", "meta", "page", "pageable", "pageinfo"}  # ``_links`` too
PAGE_PARAMETERS = ("page", "pagenumber", "pageindex", "currentpage", "p", "number")
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


def link_next(header: str) -> str:
    """The ``rel="next"`` target of a ``Link`` header, or ``""``."""
    for target, attributes in _LINK.findall(header or ""):
        for attribute in attributes.split(";"):
            name, _, value = attribute.partition("=")
            if name.strip().lower() == "rel" and "next" in value.strip().strip('"').lower().split():
                return target.strip()
    return ""


def page_fields(path: str | Path) -> dict[str, Any]:
    """The scalar values at the top of a JSON document and in its paging objects, by loose path
    (``"totalpages"``, ``"page.number"``, ``"links.next.href"``: underscores dropped). Arrays are passed over."""
    found: dict[str, Any] = {}
    with Path(path).open("rb") as handle:
        _skip_bom(handle)
        try:
            for prefix, event, value in ijson.parse(handle, use_float=True):
                if prefix == "" and event == "start_array":
                    return found  # a bare list says nothing of pages (a Link header may)
                if event not in ("string", "number", "boolean", "null") or ".item" in f".{prefix}.":
                    continue
                parts = [_key(part) for part in prefix.split(".")] if prefix else []
                if not parts or len(parts) > 3 or (len(parts) > 1 and parts[0] not in CONTAINERS):
                    continue
                found.setdefault(".".join(parts), value)
        except ijson.JSONError:
            return found  # the reader says what is wrong with the page
    return found


def _number(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _first(fields: dict[str, Any], *names: str) -> tuple[str, Any]:
    for name in names:
        for prefix in ("", "page.", "pagination.", "paging.", "meta.", "pageable.", "pageinfo."):
            if prefix + name in fields and fields[prefix + name] is not None:
                return prefix + name, fields[prefix + name]
    return "", None


def with_parameter(url: str, name: str, value: int) -> str:
    """``url`` with the query parameter ``name`` set to ``value`` (its other parameters kept, in order)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    lowered = [k.lower() for k, _v in query]
    if name.lower() in lowered:
        index = lowered.index(name.lower())
        query[index] = (query[index][0], str(value))
    else:
        query.append((name, str(value)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _page_parameter(url: str, default: str) -> str:
    names = {k.lower(): k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    return next((names[n] for n in PAGE_PARAMETERS if n in names), default)


def next_page(url: str, path: str | Path, link: str = "") -> str:
    """The address of the page after the one at ``path`` (fetched from ``url``, ``link`` its Link header),
    resolved against ``url``; ``""`` when it is the last page or the list does not page."""
    target = link_next(link)
    if target:
        return urljoin(url, target)
    fields = page_fields(path)
    for name in (
        "next",
        "nextpage",
        "nexturl",
        "nextlink",
        "nextpageurl",
        "links.next",
        "links.next.href",
        "pagination.next",
        "pagination.nexturl",
        "paging.next",
        "meta.next",
    ):
        value = fields.get(name)
        if isinstance(value, str) and value.strip():
            if name == "next" and value.strip().isdigit():  # {"next": 3}: a page number, not an address
                return with_parameter(url, _page_parameter(url, "page"), int(value))
            return urljoin(url, value.strip())
        if name == "next" and _number(value) is not None:
            return with_parameter(url, _page_parameter(url, "page"), _number(value) or 0)
    _name, last = _first(fields, "last", "islast", "islastpage")
    if last is True:
        return ""
    current_name, current = _first(fields, "number", "page", "pagenumber", "pageindex", "currentpage")
    current = _number(current)
    _total_name, total = _first(fields, "totalpages", "pagecount", "lastpage", "pages", "numberofpages")
    total = _number(total)
    _more_name, more = _first(fields, "hasnext", "hasmore", "hasnextpage", "more")
    if current is not None:
        zero_based = current_name.endswith("number") and not current_name.endswith("pagenumber")
        zero_based = zero_based or current == 0
        if total is not None:
            has_next = current + 1 < total if zero_based else current < total
        elif isinstance(more, bool):
            has_next = more
        else:
            has_next = last is False
        return with_parameter(url, _page_parameter(url, "page"), current + 1) if has_next else ""
    offset, limit = _number(fields.get("offset")), _number(fields.get("limit") or fields.get("size"))
    total_items = _number(
        _first(fields, "total", "totalelements", "totalitems", "totalresults", "count", "totalcount")[1]
    )
    if offset is not None and limit and total_items is not None and offset + limit < total_items:
        return with_parameter(url, "offset", offset + limit)
    return ""
