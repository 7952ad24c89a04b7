"""CSV exports as Belgian spreadsheets write them: ``;`` or ``,``, UTF-8 with or without BOM or Windows-1252, CRLF.

Multi-valued cells are joined with ``|``; address fields are flattened into columns (``streetFr`` or
``address.streetFr``). A record's ``line`` is the file line its row starts on (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from directory_import.readers.base import (
    CountingFile,
    Progress,
    ReaderItem,
    ReadLimits,
    RejectedRecord,
    SourceError,
    params,
    raw_json,
)
from directory_import.readers.fields import field_for, record_from_fields

DELIMITERS = (";", ",", "\t")


def detect_encoding(handle: BinaryIO, rewind: bool = True) -> str:
    """``utf-8-sig`` when the whole stream decodes as UTF-8 (BOM or not), else ``cp1252``. Reads in chunks;
    ``rewind=False`` for a stream that is read once (then opened again)."""
    if rewind:
        handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    if rewind:
        handle.seek(0)
    return encoding


def detect_delimiter(header: str) -> str:
    """The delimiter used most in the header line (outside quotes is good enough for headers)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise SourceError("no column separator found in the first line (expected ; or ,)", "no_separator")
    return best


def bounded_lines(stream: TextIO, max_chars: int, first_line: int = 1) -> Iterator[str]:
    """The lines of ``stream``, refused with ``SourceError`` as soon as one is longer than ``max_chars``
    (a file without line breaks is never read whole into memory)."""
    line = first_line
    while chunk := stream.readline(max_chars + 1):
        if len(chunk) > max_chars and not chunk.endswith(("\n", "\r")):
            raise SourceError(
                f"line {line} is longer than {max_chars} characters: this is not a directory export",
                "line_too_long",
                line=line,
                max=max_chars,
            )
        line += 1
        yield chunk


def oversized(cells: list[str], header: list[str], limits: ReadLimits) -> tuple[str, str, tuple] | None:
    """Why a row is too large to import (reason, code, params), or None."""
    for name, cell in zip(header, cells, strict=False):
        if len(cell) > limits.max_field_chars:
            return (
                f"the value of {name or '?'} is longer than {limits.max_field_chars} characters",
                "field_too_long",
                params(field=(name or "?")[:100], max=limits.max_field_chars),
            )
    if sum(len(cell) for cell in cells) > limits.max_record_bytes:
        return (
            f"this record is larger than {limits.max_record_bytes} bytes",
            "record_too_large",
            params(max=limits.max_record_bytes),
        )
    return None


def refuse_what_is_no_csv(head: bytes) -> None:
    """Raise ``SourceError`` when the first bytes show a file that is no CSV text at all: a damaged zip
    (``zip_unreadable``; a readable one is an HSDS package), a web page (``html_page``), UTF-16 text
    (``csv_utf16``), rather than reporting a missing column separator."""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        raise SourceError(
            "this is not a readable zip file: bad zip file (damaged or cut off)",
            "zip_unreadable",
            detail="bad zip file",
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("the file is UTF-16 text: save it as UTF-8", "csv_utf16")
    if head[:1] == b"<" and head[:200].lower().lstrip(b"<!").startswith(
        (b"doctype", b"html", b"?xml", b"head")
    ):
        raise SourceError("this is a web page (HTML) or XML, not a directory export", "html_page")


def read_csv(
    path: str | Path, progress: Progress | None = None, limits: ReadLimits | None = None
) -> Iterator[ReaderItem]:
    """Yield one record or rejected row per data row. Raises ``SourceError`` when there is no usable header or
    a line is longer than ``limits.max_record_bytes`` characters; a row with a value longer than
    ``limits.max_field_chars`` (or larger than ``limits.max_record_bytes`` in all) is a rejected row."""
    path = Path(path)
    limits = limits or ReadLimits()
    with path.open("rb") as binary:
        refuse_what_is_no_csv(binary.read(256))
        binary.seek(0)
        encoding = detect_encoding(binary)
        if encoding == "cp1252":
            # cp1252 leaves 5 bytes undefined; 'replace' keeps one odd byte from voiding the whole file.
            errors = "replace"
        else:
            errors = "strict"
        stream = io.TextIOWrapper(
            io.BufferedReader(CountingFile(binary, progress)), encoding=encoding, errors=errors, newline=""
        )
        lines = bounded_lines(stream, limits.max_record_bytes)
        header_line = next(lines, "")
        if not header_line.strip():
            raise SourceError("the file is empty", "empty")
        delimiter = detect_delimiter(header_line)
        header = next(csv.reader([header_line], delimiter=delimiter))
        header = [name.strip() for name in header]
        targets = [field_for(name) for name in header]
        if "source_id" not in targets or not ({"name_fr", "name_nl"} & set(targets)):
            raise SourceError(
                "the header has no 'id' or no name column (nameFr, nameNl): is this the right file?",
                "csv_header",
            )
        reader = csv.reader(lines, delimiter=delimiter)
        line = 2  # the line the next row starts on
        try:
            for cells in reader:
                start, line = line, reader.line_num + 2
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    yield RejectedRecord(
                        start,
                        f"this row has {len(cells)} cells where the header has {len(header)} columns",
                        "cell_count",
                        params(cells=len(cells), columns=len(header)),
                    )
                    continue
                too_large = oversized(cells, header, limits)
                if too_large is not None:
                    yield RejectedRecord(start, *too_large)
                    continue
                fields: dict[str, str] = {}
                for target, cell in zip(targets, cells, strict=True):
                    if target and not fields.get(target):
                        fields[target] = cell
                raw = raw_json(dict(zip(header, cells, strict=True)))
                yield record_from_fields(start, fields, raw)
        except csv.Error as error:
            raise SourceError(
                f"the CSV cannot be read near line {line}: {error}",
                "csv_unreadable",
                line=line,
                detail=str(error),
            ) from None
