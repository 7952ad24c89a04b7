"""Where a paged list says its next page is: ``directory_import.list_pages.next_page`` over page files."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory_import.list_pages import link_next, next_page, with_parameter

URL = "https://directory.example/rest/search/organisation?q=cpas"
ROWS = [{"id": 1, "page": 99, "next": "https://elsewhere.example/not-this"}]  # records are never read


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"count": 5, "next": "/rest/search/organisation?q=cpas&page=2", "results": ROWS}, "page=2"),
        ({"count": 5, "next": None, "results": ROWS}, ""),
        ({"links": {"next": "https://directory.example/p/2"}, "data": ROWS}, "/p/2"),
        (
            {"_links": {"next": {"href": "https://directory.example/h/2"}}, "_embedded": {"items": ROWS}},
            "/h/2",
        ),
        ({"pagination": {"next": "?page=3"}, "results": ROWS}, "page=3"),
        ({"page": 1, "totalPages": 3, "results": ROWS}, "page=2"),
        ({"page": 3, "totalPages": 3, "results": ROWS}, ""),
        ({"content": ROWS, "number": 0, "totalPages": 2, "last": False}, "page=1"),
        ({"content": ROWS, "number": 1, "totalPages": 2, "last": True}, ""),
        (
            {"page": {"number": 0, "totalPages": 4, "size": 20}, "_embedded": {"organisations": ROWS}},
            "page=1",
        ),
        ({"current_page": 2, "last_page": 5, "data": ROWS, "next_page_url": None}, "page=3"),
        ({"page": 2, "hasMore": True, "items": ROWS}, "page=3"),
        ({"page": 2, "hasMore": False, "items": ROWS}, ""),
        ({"offset": 0, "limit": 50, "total": 120, "items": ROWS}, "offset=50"),
        ({"offset": 100, "limit": 50, "total": 120, "items": ROWS}, ""),
        ({"total": 1, "results": ROWS}, ""),
        (ROWS, ""),
    ],
)
def test_next_page_reads_the_shapes_rest_lists_publish(tmp_path, body, expected):
    path = tmp_path / "page.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    found = next_page(URL, path)
    assert (expected in found) if expected else found == ""
    assert "elsewhere" not in found


def test_next_page_keeps_the_other_parameters_and_its_own_page_parameter(tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"pageNumber": 4, "totalPages": 9, "results": []}), encoding="utf-8")
    assert next_page(URL + "&pageNumber=4", path) == (
        "https://directory.example/rest/search/organisation?q=cpas&pageNumber=5"
    )
    assert with_parameter(URL, "page", 2) == URL + "&page=2"


def test_link_header_next_is_preferred_and_resolved_against_the_page(tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"page": 1, "totalPages": 1, "results": []}), encoding="utf-8")
    header = '</rest/search/organisation?cursor=abc>; rel="next", <https://directory.example/x>; rel="prev"'
    assert next_page(URL, path, header) == "https://directory.example/rest/search/organisation?cursor=abc"
    assert link_next('<https://a.example/2>; rel="prev next"') == "https://a.example/2"
    assert link_next("") == ""


def test_next_page_with_a_page_number_past_any_float(tmp_path):
    path = tmp_path / "page.json"
    path.write_text('{"page": 1e400, "totalPages": 2, "results": []}', encoding="utf-8")
    assert next_page(URL, path) == ""


def test_next_page_of_a_broken_page_is_none(tmp_path):
    path = tmp_path / "page.json"
    path.write_text('{"next": "https://directory.example/2", "results": [', encoding="utf-8")
    assert next_page(URL, path) in ("", "https://directory.example/2")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "next",
                    "page",
                    "totalPages",
                    "number",
                    "last",
                    "links",
                    "_links",
                    "offset",
                    "limit",
                    "total",
                    "href",
                    "hasMore",
                    "results",
                    "meta",
                    "pagination",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON_VALUES, link=st.text(max_size=40))
def test_next_page_of_any_json_never_fails(tmp_path, body, link):
    path = tmp_path / "page.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    found = next_page(URL, path, link)
    assert isinstance(found, str)
