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
from typing import BinaryIO

from directory_import.readers.base import (
    CountingFile,
    Progress,
    ReaderItem,
    RejectedRecord,
    SourceError,
    params,
    raw_json,
)
from directory_import.readers.fields import field_for, record_from_fields

DELIMITERS = (";", ",", "\t")


def detect_encoding(handle: BinaryIO) -> str:
    """``utf-8-sig`` when the whole stream decodes as UTF-8 (BOM or not), else ``cp1252``. Reads in chunks."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    handle.seek(0)
    return encoding


def detect_delimiter(header: str) -> str:
    """The delimiter used most in the header line (outside quotes is good enough for headers)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise SourceError("no column separator found in the first line (expected ; or ,)", "no_separator")
    return best


def read_csv(path: str | Path, progress: Progress | None = None) -> Iterator[ReaderItem]:
    """Yield one record or rejected row per data row. Raises ``SourceError`` when there is no usable header."""
    path = Path(path)
    with path.open("rb") as binary:
        encoding = detect_encoding(binary)
        if encoding == "cp1252":
            # cp1252 leaves 5 bytes undefined; 'replace' keeps one odd byte from voiding the whole file.
            errors = "replace"
        else:
            errors = "strict"
        stream = io.TextIOWrapper(io.BufferedReader(CountingFile(binary, progress)), encoding=encoding,
                                  errors=errors, newline="")
        header_line = stream.readline()
        if not header_line.strip():
            raise SourceError("the file is empty", "empty")
        delimiter = detect_delimiter(header_line)
        header = next(csv.reader([header_line], delimiter=delimiter))
        header = [name.strip() for name in header]
        targets = [field_for(name) for name in header]
        if "source_id" not in targets or not ({"name_fr", "name_nl"} & set(targets)):
            raise SourceError("the header has no 'id' or no name column (nameFr, nameNl): is this the right file?",
                              "csv_header")
        reader = csv.reader(stream, delimiter=delimiter)
        line = 2  # the line the next row starts on
        try:
            for cells in reader:
                start, line = line, reader.line_num + 2
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    yield RejectedRecord(
                        start, f"this row has {len(cells)} cells where the header has {len(header)} columns",
                        "cell_count", params(cells=len(cells), columns=len(header)),
                    )
                    continue
                fields: dict[str, str] = {}
                for target, cell in zip(targets, cells, strict=True):
                    if target and not fields.get(target):
                        fields[target] = cell
                raw = raw_json(dict(zip(header, cells, strict=True)))
                yield record_from_fields(start, fields, raw)
        except csv.Error as error:
            raise SourceError(f"the CSV cannot be read near line {line}: {error}", "csv_unreadable", line=line,
                              detail=str(error)) from None
