"""What every reader yields: plain organisation records and rejected rows, and how a source is opened.

Readers turn an export into a stream of ``OrganisationRecord`` (values as the source wrote them, multi-values
split, nothing normalised yet) and ``RejectedRecord`` (a row that could not be read, with its line and a
reason in plain words). A file that cannot be read at all raises ``SourceError``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

Progress = Callable[[int], None]


class CodedError(Exception):
    """An error with a message in plain English (logs, CLI) and a ``code`` with ``params``, so that the
    application can say the same in the reader's language."""

    def __init__(self, message: str, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


class SourceError(CodedError):
    """The source as a whole cannot be read (missing, wrong format, broken syntax): nothing is imported."""


@dataclass(frozen=True)
class ReadLimits:
    """How much an export may hold before a reader refuses a row or the whole file, so that any file is read
    within bounded memory and time. The application passes its settings; the defaults suit a directory.

    ``max_depth``: nesting of JSON arrays and objects (the file is refused beyond it);
    ``max_field_chars``: one value (its row is rejected beyond it); ``max_record_bytes``: one record or CSV line
    (its row is rejected, or the file when one line or value alone is longer);
    ``max_rejected``: rejected rows before the file is refused as a whole, ``rejected_examples`` of them kept;
    ``max_uncompressed_bytes`` and ``max_compression_ratio``: the tables of a zip, checked from its directory
    before reading and again while reading.
    """

    max_depth: int = 32
    max_field_chars: int = 100_000
    max_record_bytes: int = 1_000_000
    max_rejected: int = 1_000
    rejected_examples: int = 20
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 100


class TooManyRejected(SourceError):
    """More rows were rejected than ``ReadLimits.max_rejected``: the file is refused as a whole. ``examples``
    are the first rejected rows, to show what is wrong with it."""

    def __init__(self, limit: int, examples: list[RejectedRecord]):
        super().__init__(
            f"more than {limit} rows were rejected: the file is refused as a whole "
            f"(the first {len(examples)} are listed)",
            "too_many_rejected",
            limit=limit,
            examples=len(examples),
        )
        self.examples = examples
        self.report = None  # the import's report, when an import refused the file


def capped(items: Iterator[ReaderItem], limits: ReadLimits) -> Iterator[ReaderItem]:
    """The reader's stream, refused with ``TooManyRejected`` once it has rejected more rows than allowed."""
    examples: list[RejectedRecord] = []
    count = 0
    for item in items:
        if isinstance(item, RejectedRecord):
            count += 1
            if len(examples) < limits.rejected_examples:
                examples.append(item)
            if count > limits.max_rejected:
                raise TooManyRejected(limits.max_rejected, examples)
        yield item


@dataclass(frozen=True)
class CategoryRecord:
    code: str
    label_fr: str = ""
    label_nl: str = ""


@dataclass(frozen=True)
class NameRecord:
    """A name other than the official one: ``kind`` is ``alternative`` (acronyms among them), ``former`` or
    ``service``; ``lang`` is ``fr``, ``nl`` or ''."""

    kind: str
    lang: str
    name: str


@dataclass(frozen=True)
class OrganisationRecord:
    """One organisation as an export describes it. ``line`` is the CSV line or the JSON record number."""

    line: int
    source_id: str
    name_fr: str = ""
    name_nl: str = ""
    acronym: str = ""
    legal_form: str = ""
    description_fr: str = ""
    description_nl: str = ""
    categories: tuple[CategoryRecord, ...] = ()
    publics: tuple[CategoryRecord, ...] = ()  # code, FR label, NL label
    languages: tuple[str, ...] = ()
    street_fr: str = ""
    street_nl: str = ""
    number: str = ""
    box: str = ""
    postcode: str = ""
    commune_fr: str = ""
    commune_nl: str = ""
    latitude: str = ""
    longitude: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    opening_hours_fr: str = ""
    opening_hours_nl: str = ""
    parent_source_id: str = ""
    source_updated_at: str = ""
    # What richer sources (the social.brussels API) say besides; empty for the other formats.
    other_names: tuple[NameRecord, ...] = ()
    legal_form_nl: str = ""
    legal_form_code: str = ""
    company_numbers: tuple[str, ...] = ()
    activities_fr: str = ""
    activities_nl: str = ""
    access_fr: str = ""
    access_nl: str = ""
    public_fr: str = ""
    public_nl: str = ""
    remark_fr: str = ""
    remark_nl: str = ""
    language_regime: str = ""  # FR, NL, FR-NL as the source writes it
    interpreting: str = ""  # "true", "false" or '' (unknown)
    faxes: tuple[str, ...] = ()
    lambert_x: str = ""  # Belgian Lambert 72
    lambert_y: str = ""
    sectors: tuple[CategoryRecord, ...] = ()
    action_zones: tuple[CategoryRecord, ...] = ()  # the area served: communes, the region...
    raw: str = field(default="{}", repr=False)  # the record as the source gave it, unknown fields included

    def raw_dict(self) -> dict[str, Any]:
        return json.loads(self.raw)


@dataclass(frozen=True)
class RejectedRecord:
    """A row that was not imported: its line (CSV line, JSON record number) and why, in plain words.

    ``code`` and ``params`` say the same for translation (``'cell_count'``, ``{'cells': '3', ...}``).
    """

    line: int
    reason: str
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()
    # The id of the organisation the row was about, when known: a sync then leaves it as it is.
    source_id: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "reason": self.reason, "code": self.code, "params": dict(self.params)}


def params(**values: object) -> tuple[tuple[str, str], ...]:
    return tuple((key, str(value)) for key, value in values.items())


ReaderItem = OrganisationRecord | RejectedRecord


def text(value: Any) -> str:
    """A cell or JSON value as a string ('' for missing); numbers keep their plain form (``500``, not ``500.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def raw_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class CountingFile(io.RawIOBase):
    """A binary file that reports how many bytes were read, for progress bars over streamed parsing."""

    def __init__(self, handle: BinaryIO, progress: Progress | None = None, every: int = 256 * 1024):
        self._handle = handle
        self._progress = progress
        self._every = every
        self._next = every
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._handle.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.bytes_read += size
        if self._progress is not None and self.bytes_read >= self._next:
            self._next = self.bytes_read + self._every
            self._progress(self.bytes_read)
        return size

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.bytes_read += len(data)
        if self._progress is not None and self.bytes_read >= self._next:
            self._next = self.bytes_read + self._every
            self._progress(self.bytes_read)
        return data

    def close(self) -> None:
        self._handle.close()
        super().close()


def read_all(items: Iterator[ReaderItem]) -> tuple[list[OrganisationRecord], list[RejectedRecord]]:
    """Split a reader's stream into records and rejected rows (for tests and small files)."""
    records, rejected = [], []
    for item in items:
        (records if isinstance(item, OrganisationRecord) else rejected).append(item)
    return records, rejected
