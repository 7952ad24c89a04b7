"""Bruxelles Social-style JSON exports, streamed with ijson so memory stays flat whatever the file holds.

Accepts ``{"exportDate": ..., "organisations": [...]}`` (also ``organizations``/``items``/``data``) or a bare
list. A record's ``line`` is its position in the list, counted from 1.

Records are built here from ijson's parse events, not by ijson: the nesting depth, the length of each value
and the size of each record are checked as the events arrive, so a hostile file (200,000 nested ``[``, a
value of 100 MB) is refused before anything deep or large is built. The bytes are checked to be UTF-8 on the
way in (the parser lets some invalid sequences through to Python's decoder).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from directory_import.readers.base import (
    Progress,
    ReaderItem,
    ReadLimits,
    RejectedRecord,
    SourceError,
    params,
    raw_json,
)
from directory_import.readers.fields import fields_from_mapping, record_from_fields

LIST_KEYS = ("organisations", "organizations", "items", "data", "results")
_CHUNK = 64 * 1024
_SCALAR_SIZE = 8  # what a number, a boolean or a null counts for in a record's size


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [error.__class__.__name__])[0]


def _skip_bom(handle: BinaryIO) -> BinaryIO:
    """Windows tools often write a UTF-8 byte order mark, which the JSON parser refuses."""
    if handle.read(3) != b"\xef\xbb\xbf":
        handle.seek(0)
    return handle


def checked_file(handle: BinaryIO, limits: ReadLimits, progress: Progress | None = None) -> io.RawIOBase:
    """``handle`` as the JSON parser should read it: BOM skipped, UTF-8 checked, no enormous token."""
    return _CheckedFile(handle, 4 * limits.max_record_bytes, progress)


def check_depth(path: Path, limits: ReadLimits) -> None:
    """Refuse a JSON file nested deeper than ``limits.max_depth`` (or not UTF-8, or with an enormous token),
    by streaming its parse events once, building nothing: for readers that then let ijson build records."""
    depth = 0
    with path.open("rb") as binary:
        try:
            for event, _value in ijson.basic_parse(checked_file(binary, limits), buf_size=_CHUNK):
                if event in ("start_map", "start_array"):
                    depth += 1
                    if depth > limits.max_depth:
                        raise _too_deep(limits, 0)
                elif event in ("end_map", "end_array"):
                    depth -= 1
        except ijson.JSONError:
            return  # the reader itself says where the file breaks


class _CheckedFile(io.RawIOBase):
    """The export's bytes as the parser reads them: byte order mark skipped, UTF-8 checked, no single stretch
    without a quote longer than ``max_run`` (one enormous value), progress reported."""

    def __init__(self, handle: BinaryIO, max_run: int, progress: Progress | None = None):
        self._handle = _skip_bom(handle)
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._max_run = max_run
        self._run = 0
        self._progress = progress
        self._next = 256 * 1024
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        data = self._handle.read(_CHUNK if size is None or size < 0 else size)
        self._check(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _check(self, data: bytes) -> None:
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            offset = self.bytes_read + max(error.start, 0)
            raise SourceError(
                f"the file is not UTF-8 text (invalid bytes near byte {offset}): save it as UTF-8",
                "json_encoding",
                offset=offset,
            ) from None
        first = data.find(b'"')
        if first < 0:
            self._run += len(data)
        else:
            self._run += first
            if self._run <= self._max_run:
                self._run = len(data) - data.rfind(b'"') - 1
        if self._run > self._max_run:
            raise SourceError(
                f"the file holds a single value longer than {self._max_run} bytes "
                f"(near byte {self.bytes_read + len(data)}): this is not a directory export",
                "json_value_too_long",
                limit=self._max_run,
                offset=self.bytes_read + len(data),
            )
        self.bytes_read += len(data)
        if self._progress is not None and self.bytes_read >= self._next:
            self._next = self.bytes_read + 256 * 1024
            self._progress(self.bytes_read)


class _TooDeep(Exception):
    pass


def _too_deep(limits: ReadLimits, record: int) -> SourceError:
    return SourceError(
        f"the JSON is nested deeper than {limits.max_depth} levels (near record {record}): "
        "this is not a directory export",
        "json_too_deep",
        max=limits.max_depth,
        record=record,
    )


def _skip(events: Iterator[tuple[str, Any]], depth: int, limits: ReadLimits, level: int = 1) -> None:
    """Consume the rest of a value without building it: ``level`` containers are open, the outermost at
    nesting ``depth`` (the depth is still checked)."""
    for event, _value in events:
        if event in ("start_map", "start_array"):
            level += 1
            if depth + level - 1 > limits.max_depth:
                raise _TooDeep
        elif event in ("end_map", "end_array"):
            level -= 1
            if level == 0:
                return


def _build(
    event: str, value: Any, events: Iterator[tuple[str, Any]], depth: int, limits: ReadLimits
) -> tuple[Any, RejectedRecord | None]:
    """The value that starts with ``event`` (at nesting ``depth``), built without recursion; or, when one
    of its strings or the whole is too large, None and why (the rest of it consumed, not built)."""
    if event not in ("start_map", "start_array"):
        return value, None
    root: Any = {} if event == "start_map" else []
    stack: list[Any] = [root]
    keys: list[str | None] = [None]
    size = 0
    for event, value in events:
        container = stack[-1]
        if event == "map_key":
            keys[-1] = value
            size += len(value)
            continue
        if event in ("end_map", "end_array"):
            stack.pop()
            keys.pop()
            if not stack:
                return root, None
            continue
        if event in ("start_map", "start_array"):
            if depth + len(stack) > limits.max_depth:
                raise _TooDeep
            item: Any = {} if event == "start_map" else []
        else:
            item = value
            if isinstance(value, str):
                if len(value) > limits.max_field_chars:
                    field_name = next((k for k in reversed(keys) if k), "") or "?"
                    _skip(events, depth, limits, len(stack))
                    return None, RejectedRecord(
                        0,
                        f"the value of {field_name} is longer than {limits.max_field_chars} characters",
                        "field_too_long",
                        params(field=field_name[:100], max=limits.max_field_chars),
                    )
                size += len(value)
            else:
                size += _SCALAR_SIZE
        size += _SCALAR_SIZE
        if size > limits.max_record_bytes:
            if event in ("start_map", "start_array"):
                stack.append(item)
            _skip(events, depth, limits, len(stack))
            return None, RejectedRecord(
                0,
                f"this record is larger than {limits.max_record_bytes} bytes",
                "record_too_large",
                params(max=limits.max_record_bytes),
            )
        if isinstance(container, dict):
            container[keys[-1]] = item
        else:
            container.append(item)
        if event in ("start_map", "start_array"):
            stack.append(item)
            keys.append(None)
    raise ijson.IncompleteJSONError("the file ends inside a record")


def _records(
    events: Iterator[tuple[str, Any]], depth: int, limits: ReadLimits, counter: list[int]
) -> Iterator[ReaderItem]:
    """The elements of the list of organisations (its ``start_array`` consumed; its elements at ``depth``)."""
    for event, value in events:
        if event == "end_array":
            return
        counter[0] += 1
        index = counter[0]
        if event in ("start_map", "start_array") and depth > limits.max_depth:
            raise _TooDeep
        item, refused = _build(event, value, events, depth, limits)
        counter[1] = index
        if refused is not None:
            yield RejectedRecord(index, refused.reason, refused.code, refused.params)
        elif not isinstance(item, dict):
            yield RejectedRecord(index, "this record is not an object with fields", "not_object")
        else:
            yield record_from_fields(index, fields_from_mapping(item), raw_json(item))


def _items(events: Iterator[tuple[str, Any]], limits: ReadLimits, counter: list[int]) -> Iterator[ReaderItem]:
    event, _value = next(events, ("", None))
    if event == "start_array":
        yield from _records(events, 2, limits, counter)
        _skip_rest(events)
        return
    if event != "start_map":
        raise SourceError("not a JSON export: it does not start with { or [", "json_not_export")
    found = False
    for event, value in events:
        if event == "end_map":
            break
        # a top-level key; its value follows
        event, _inner = next(events, ("", None))
        if not event:
            raise ijson.IncompleteJSONError("the file ends after a key")
        if not found and value in LIST_KEYS and event == "start_array":
            found = True
            yield from _records(events, 3, limits, counter)
        elif event in ("start_map", "start_array"):
            if limits.max_depth < 2:
                raise _TooDeep
            _skip(events, 2, limits)
    if not found:
        raise SourceError("no list of organisations found (expected a key 'organisations')", "json_no_list")
    _skip_rest(events)


def _skip_rest(events: Iterator[tuple[str, Any]]) -> None:
    """Read to the end, so that a file broken after its list is still reported broken."""
    for _event in events:
        pass


def read_json(
    path: str | Path, progress: Progress | None = None, limits: ReadLimits | None = None
) -> Iterator[ReaderItem]:
    """Yield one record or rejected row per element of the export's list of organisations.

    Raises ``SourceError`` when the file is not UTF-8 JSON, breaks off, nests deeper than
    ``limits.max_depth`` or holds one value longer than 4 × ``limits.max_record_bytes``; rows seen before that
    are then void too, since the caller imports all or nothing. A record with a value longer than
    ``limits.max_field_chars`` or larger than ``limits.max_record_bytes`` is a rejected row.
    """
    path = Path(path)
    limits = limits or ReadLimits()
    with path.open("rb") as binary:
        head = binary.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith((b"{", b"[")):
            raise SourceError("not a JSON export: it does not start with { or [", "json_not_export")
        binary.seek(0)
        # Past a few records' worth of bytes without a quote, this is one enormous token that the parser
        # would hold whole: refused before it is.
        checked = _CheckedFile(binary, 4 * limits.max_record_bytes, progress)
        counter = [0, 0]  # records started, records read
        events = ijson.basic_parse(checked, use_float=True, buf_size=_CHUNK)
        try:
            yield from _items(events, limits, counter)
        except _TooDeep:
            raise _too_deep(limits, counter[0]) from None
        except ijson.JSONError as error:
            if counter[0] == 0:
                raise SourceError(
                    f"the JSON is broken: {_first_line(error)}", "json_broken", detail=_first_line(error)
                ) from None
            raise SourceError(
                f"the JSON is broken after record {counter[1]}: {_first_line(error)}",
                "json_broken_after",
                record=counter[1],
                detail=_first_line(error),
            ) from None
        except UnicodeDecodeError as error:  # the parser's own decoding, should the check above miss one
            raise SourceError(
                f"the file is not UTF-8 text ({error.reason})", "json_encoding", offset=checked.bytes_read
            ) from None
