"""Bruxelles Social-style JSON exports, streamed with ijson so memory stays flat whatever the file size.

Accepts ``{"exportDate": ..., "organisations": [...]}`` (also ``organizations``/``items``/``data``) or a bare
list. A record's ``line`` is its position in the list, counted from 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import ijson

from directory_import.readers.base import (
    CountingFile,
    Progress,
    ReaderItem,
    RejectedRecord,
    SourceError,
    raw_json,
)
from directory_import.readers.fields import fields_from_mapping, record_from_fields

LIST_KEYS = ("organisations", "organizations", "items", "data", "results")


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [error.__class__.__name__])[0]


def _skip_bom(handle: BinaryIO) -> BinaryIO:
    """Windows tools often write a UTF-8 byte order mark, which the JSON parser refuses."""
    if handle.read(3) != b"\xef\xbb\xbf":
        handle.seek(0)
    return handle


def _prefix(path: Path) -> str:
    """The ijson prefix of the list of organisations, found by streaming the top-level keys."""
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"["):
            return "item"
        if not head.startswith(b"{"):
            raise SourceError("not a JSON export: it does not start with { or [", "json_not_export")
        handle.seek(0)
        _skip_bom(handle)
        try:
            for prefix, event, value in ijson.parse(handle):
                if prefix == "" and event == "map_key" and value in LIST_KEYS:
                    return f"{value}.item"
        except ijson.JSONError as error:
            raise SourceError(f"the JSON is broken: {_first_line(error)}", "json_broken",
                              detail=_first_line(error)) from None
    raise SourceError("no list of organisations found (expected a key 'organisations')", "json_no_list")


def read_json(path: str | Path, progress: Progress | None = None) -> Iterator[ReaderItem]:
    """Yield one record or rejected row per element of the export's list of organisations.

    Raises ``SourceError`` when the file is not JSON or breaks off; rows seen before that are then void too,
    since the caller imports all or nothing.
    """
    path = Path(path)
    prefix = _prefix(path)
    with path.open("rb") as binary:
        counted = CountingFile(_skip_bom(binary), progress)
        index = 0
        try:
            for index, item in enumerate(ijson.items(counted, prefix, use_float=True), start=1):
                if not isinstance(item, dict):
                    yield RejectedRecord(index, "this record is not an object with fields", "not_object")
                    continue
                yield record_from_fields(index, fields_from_mapping(item), raw_json(item))
        except ijson.JSONError as error:
            raise SourceError(f"the JSON is broken after record {index}: {_first_line(error)}", "json_broken_after",
                              record=index, detail=_first_line(error)) from None
