"""Readers of directory exports: Bruxelles Social-style JSON and CSV, Open Referral HSDS packages, and the
social.brussels REST API records.

``read_source(path, fmt)`` picks the reader (``fmt='auto'`` looks at the content, not the file name) and
yields ``OrganisationRecord`` and ``RejectedRecord`` items, within the bounds of ``ReadLimits``. No database here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from directory_import.readers.base import (
    CategoryRecord,
    OrganisationRecord,
    Progress,
    ReaderItem,
    ReadLimits,
    RejectedRecord,
    SourceError,
    TooManyRejected,
    capped,
    read_all,
)
from directory_import.readers.csv_reader import read_csv
from directory_import.readers.hsds import package_name, read_hsds
from directory_import.readers.json_reader import read_json
from directory_import.readers.socialbrussels import looks_like, read_socialbrussels

FORMATS = ("auto", "json", "csv", "hsds", "socialbrussels")
READERS = {"json": read_json, "csv": read_csv, "hsds": read_hsds, "socialbrussels": read_socialbrussels}

__all__ = [
    "FORMATS",
    "CategoryRecord",
    "OrganisationRecord",
    "RejectedRecord",
    "ReaderItem",
    "ReadLimits",
    "SourceError",
    "TooManyRejected",
    "detect_format",
    "package_name",
    "read_all",
    "read_source",
]


def detect_format(path: str | Path) -> str:
    """``json``, ``csv``, ``hsds`` or ``socialbrussels`` from what the file holds (a folder or a zip is HSDS;
    JSON with the API's own keys, ``nameOfficialFr`` and the like, is ``socialbrussels``)."""
    path = Path(path)
    if path.is_dir():
        return "hsds"
    if not path.is_file():
        raise SourceError(f"no such file: {path}", "no_file", path=str(path))
    if zipfile.is_zipfile(path):
        return "hsds"
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise SourceError("the file is empty", "empty")
    if head[:1] in (b"{", b"["):
        return "socialbrussels" if looks_like(head) else "json"
    return "csv"


def read_source(
    path: str | Path, fmt: str = "auto", progress: Progress | None = None, limits: ReadLimits | None = None
) -> Iterator[ReaderItem]:
    """Records and rejected rows of the export at ``path`` (a file, or a folder for HSDS), read within
    ``limits`` (``ReadLimits()`` by default): past them a row is rejected, or ``SourceError`` refuses the
    file; more than ``limits.max_rejected`` rejected rows raise ``TooManyRejected``."""
    path = Path(path)
    if fmt not in FORMATS:
        raise SourceError(
            f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})",
            "unknown_format",
            format=fmt,
            expected=", ".join(FORMATS),
        )
    if not path.exists():
        raise SourceError(f"no such file: {path}", "no_file", path=str(path))
    if fmt == "auto":
        fmt = detect_format(path)
    limits = limits or ReadLimits()
    return capped(READERS[fmt](path, progress, limits), limits)
