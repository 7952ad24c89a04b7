"""A source's reference lists (sectors, categories, action zones, language offer, legal statuses) as bilingual
vocabularies stored in the database, and their labels given to the records that carry only an id.

A reference list is JSON: a list of terms, or an object holding one; a term is an object with an id and French
and Dutch labels (``labelFr``/``labelNl``, ``nameFr``/``nameNl``...), possibly holding a list of sub-terms
(a sector and its categories). Terms are keyed by (kind, the source's id): a term never disappears, so the
vocabulary stays stable across syncs. Only flushes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import.fetch import fetch, is_url
from directory_import.models import VocabularyTerm
from directory_import.normalize import clean_line
from directory_import.readers.base import CategoryRecord, OrganisationRecord, ReaderItem, SourceError
from directory_import.readers.socialbrussels import _label, key

KINDS = ("sectors", "categories", "actionzones", "languageoffer", "legalstatus")
# Which record field each kind labels.
_RECORD_FIELD = {"sectors": "sectors", "categories": "categories", "actionzones": "action_zones"}


@dataclass(frozen=True)
class TermRecord:
    code: str
    label_fr: str
    label_nl: str
    parent_code: str = ""
    raw: str = "{}"


@dataclass
class VocabularyReport:
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def read_vocabulary(path: str | Path) -> list[TermRecord]:
    """The terms of a reference list file, sub-terms included (with their parent's id). Raises
    ``SourceError`` when the file is not JSON or holds no term."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError) as error:
        raise SourceError(
            f"the reference list cannot be read: {error}", "vocabulary_unreadable", detail=str(error)
        ) from None
    terms = list(_walk(data, ""))
    if not terms:
        raise SourceError(
            "no term found in the reference list (expected objects with an id and labels)", "vocabulary_empty"
        )
    return list({t.code: t for t in terms}.values())


def _walk(value: Any, parent: str) -> Iterator[TermRecord]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, parent)
        return
    if not isinstance(value, Mapping):
        return
    code = next(
        (
            str(v).strip()
            for k, v in value.items()
            if key(k) in {"id", "code"} and isinstance(v, (str, int)) and not isinstance(v, bool)
        ),
        "",
    )
    fr, nl = _label(value, "fr"), _label(value, "nl")
    if code and (fr or nl):
        own = {k: v for k, v in value.items() if not isinstance(v, (list, Mapping))}
        yield TermRecord(
            code[:100],
            clean_line(fr)[:400],
            clean_line(nl)[:400],
            parent[:100],
            json.dumps(own, ensure_ascii=False, sort_keys=True, default=str),
        )
    for child in value.values():  # sub-terms, or the list an object wraps
        if isinstance(child, (list, Mapping)):
            yield from _walk(child, code if code and (fr or nl) else parent)


def store_vocabulary(session: Session, kind: str, terms: Iterable[TermRecord]) -> VocabularyReport:
    """Add or update the terms of ``kind``; terms the list no longer gives are kept. Flushes."""
    if kind not in KINDS:
        raise SourceError(
            f"unknown reference list {kind!r} (expected one of {', '.join(KINDS)})",
            "vocabulary_kind",
            kind=kind,
            expected=", ".join(KINDS),
        )
    report = VocabularyReport(kind)
    known = {t.code: t for t in session.scalars(select(VocabularyTerm).where(VocabularyTerm.kind == kind))}
    for term in terms:
        row = known.get(term.code)
        raw = json.loads(term.raw)
        if row is None:
            row = VocabularyTerm(
                kind=kind,
                code=term.code,
                label_fr=term.label_fr,
                label_nl=term.label_nl,
                parent_code=term.parent_code,
                raw=raw,
            )
            session.add(row)
            known[term.code] = row
            report.added += 1
        elif (row.label_fr, row.label_nl, row.parent_code, row.raw) != (
            term.label_fr,
            term.label_nl,
            term.parent_code,
            raw,
        ):
            row.label_fr, row.label_nl, row.parent_code, row.raw = (
                term.label_fr,
                term.label_nl,
                term.parent_code,
                raw,
            )
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report


def load_vocabularies(
    session: Session,
    sources: Mapping[str, str],
    *,
    download_dir: str | Path | None = None,
    **fetch_options: Any,
) -> list[VocabularyReport]:
    """Read and store each reference list of ``sources`` (kind -> a file or an http(s) URL). ``fetch_options``
    go to ``fetch.fetch`` (timeout, retries...). Raises ``SourceError`` or ``FetchError``; flushes."""
    reports = []
    for kind, source in sources.items():
        if not source:
            continue
        if is_url(source):
            download = fetch(source, download_dir, **fetch_options)
            try:
                terms = read_vocabulary(download.path)
            finally:
                download.path.unlink(missing_ok=True)
        else:
            terms = read_vocabulary(source)
        reports.append(store_vocabulary(session, kind, terms))
    return reports


Labels = dict[str, dict[str, tuple[str, str]]]


def vocabulary_labels(session: Session) -> Labels:
    """kind -> code -> (French label, Dutch label), for ``with_labels``."""
    labels: Labels = {}
    for term in session.scalars(select(VocabularyTerm)):
        labels.setdefault(term.kind, {})[term.code] = (term.label_fr, term.label_nl)
    return labels


def _labelled(
    items: tuple[CategoryRecord, ...], terms: Mapping[str, tuple[str, str]]
) -> tuple[CategoryRecord, ...]:
    result = []
    for item in items:
        fr, nl = terms.get(item.code, ("", ""))
        result.append(CategoryRecord(item.code, item.label_fr or fr, item.label_nl or nl))
    return tuple(result)


def with_labels(items: Iterable[ReaderItem], labels: Labels) -> Iterator[ReaderItem]:
    """The records with the labels their ids lack taken from the vocabularies (a label the record gives is
    kept); languages given by id (the language offer) become their names."""
    if not labels:
        yield from items
        return
    for item in items:
        if not isinstance(item, OrganisationRecord):
            yield item
            continue
        changes: dict[str, Any] = {}
        for kind, field_name in _RECORD_FIELD.items():
            if labels.get(kind) and getattr(item, field_name):
                changes[field_name] = _labelled(getattr(item, field_name), labels[kind])
        legal = labels.get("legalstatus", {}).get(item.legal_form_code)
        if legal and not (item.legal_form and item.legal_form_nl):
            changes["legal_form"] = item.legal_form or legal[0] or legal[1]
            changes["legal_form_nl"] = item.legal_form_nl or legal[1]
        offer = labels.get("languageoffer", {})
        if offer and any(code in offer for code in item.languages):
            changes["languages"] = tuple(
                offer[code][0] or offer[code][1] if code in offer else code for code in item.languages
            )
        yield dataclasses.replace(item, **changes) if changes else item
