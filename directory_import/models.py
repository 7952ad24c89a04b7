"""Declarative base of the whole schema and the directory tables.

The base lives here, in the lowest layer, so that helpdesk tables can hold real foreign keys to
organisations. Local knowledge (operators' notes) lives in helpdesk tables that a sync never touches.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LOCAL_SOURCE = "local"


def utcnow() -> datetime:
    """Timezone-aware current time in UTC: the only clock the schema uses."""
    return datetime.now(UTC)


def _to_utc(value: datetime) -> datetime:
    # A naive value is taken as UTC: the schema's one convention (what SQLite stores and hands back).
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always timezone-aware UTC in Python, on SQLite as on PostgreSQL.

    SQLite keeps no offset (it stores the wall clock it is given and hands back naive values) and
    PostgreSQL answers in the session's zone: values are converted to UTC on the way in and come back
    aware UTC, so no caller ever repairs a datetime. The column is ``DateTime(timezone=True)`` as before,
    so the schema (and Alembic's comparison) does not change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _to_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _to_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


def name_in(
    language: str, names: tuple[str, str], official: tuple[str, str] = ("", ""), last: str = ""
) -> str:
    """The first name a reader of ``language`` should see, from ``names`` and ``official`` (each a French and
    Dutch pair): ``language``'s name, the other language's, ``language``'s official name, the other's, ``last``.
    ``Organisation.name_in`` and the search hits use it, so an organisation is named alike everywhere."""
    order = (1, 0) if language == "nl" else (0, 1)
    for pair in (names, official):
        for i in order:
            if pair[i]:
                return pair[i]
    return last


class Organisation(Base):
    """One actor of the directory, imported from a source or created locally (source ``local``)."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        Index("ix_organisations_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100), default=LOCAL_SOURCE)
    source_id: Mapped[str] = mapped_column(String(100))
    name_fr: Mapped[str] = mapped_column(String(400), default="")
    name_nl: Mapped[str] = mapped_column(String(400), default="")
    acronym: Mapped[str] = mapped_column(String(50), default="")
    legal_form: Mapped[str] = mapped_column(String(100), default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    # [{"code": "ssm", "label_fr": "...", "label_nl": "..."}]
    categories: Mapped[list[Any]] = mapped_column(default=list)
    # [{"fr": "...", "nl": "..."}] or plain labels as the source gives them
    publics: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=list)  # ISO 639-1 codes
    street_fr: Mapped[str] = mapped_column(String(300), default="")
    street_nl: Mapped[str] = mapped_column(String(300), default="")
    number: Mapped[str] = mapped_column(String(30), default="")
    box: Mapped[str] = mapped_column(String(30), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    commune_fr: Mapped[str] = mapped_column(String(100), default="")
    commune_nl: Mapped[str] = mapped_column(String(100), default="")
    basin: Mapped[str] = mapped_column(String(20), default="outside", index=True)  # territory code
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phones: Mapped[list[Any]] = mapped_column(default=list)
    emails: Mapped[list[Any]] = mapped_column(default=list)
    websites: Mapped[list[Any]] = mapped_column(default=list)
    opening_hours_fr: Mapped[str] = mapped_column(Text, default="")
    opening_hours_nl: Mapped[str] = mapped_column(Text, default="")
    parent_source_id: Mapped[str | None] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    source_updated_at: Mapped[str] = mapped_column(String(40), default="")
    # What richer sources (the social.brussels API) say besides. The official names as the source writes
    # them, when the names shown differ (a name in capitals is shown readably).
    official_name_fr: Mapped[str] = mapped_column(String(400), default="")
    official_name_nl: Mapped[str] = mapped_column(String(400), default="")
    # [{"kind": "alternative|former|service", "lang": "fr|nl|", "name": "...", "acronym": bool}]
    other_names: Mapped[list[Any]] = mapped_column(default=list)
    legal_form_nl: Mapped[str] = mapped_column(String(100), default="")
    legal_form_code: Mapped[str] = mapped_column(String(50), default="")
    company_numbers: Mapped[list[Any]] = mapped_column(default=list)  # "0212.347.945"
    activities_fr: Mapped[str] = mapped_column(Text, default="")
    activities_nl: Mapped[str] = mapped_column(Text, default="")
    access_fr: Mapped[str] = mapped_column(Text, default="")
    access_nl: Mapped[str] = mapped_column(Text, default="")
    target_public_fr: Mapped[str] = mapped_column(Text, default="")  # the public, as the source words it
    target_public_nl: Mapped[str] = mapped_column(Text, default="")
    remark_fr: Mapped[str] = mapped_column(Text, default="")
    remark_nl: Mapped[str] = mapped_column(Text, default="")
    language_regime: Mapped[str] = mapped_column(String(20), default="")  # FR, NL, FR-NL
    interpreting: Mapped[bool | None] = mapped_column(Boolean)  # None: the source does not say
    faxes: Mapped[list[Any]] = mapped_column(default=list)
    lambert_x: Mapped[float | None] = mapped_column(Float)  # Belgian Lambert 72, metres
    lambert_y: Mapped[float | None] = mapped_column(Float)
    sectors: Mapped[list[Any]] = mapped_column(default=list)  # [{"code": source id, "label_fr", "label_nl"}]
    action_zones: Mapped[list[Any]] = mapped_column(
        default=list
    )  # the area it serves, as the source names it
    # The communes those zones cover, "|schaerbeek|evere|" ('' when unknown): see ``serving_commune``.
    served_communes: Mapped[str] = mapped_column(String(400), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    archived_at: Mapped[datetime | None]
    # Set when a person merged this organisation into another: it stays archived whatever its source says.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    def name_in(self, language: str) -> str:
        """Its name for a reader of ``language`` ("fr" or "nl"; any other reads French first): the name in that
        language, else the other language's, else the official name (that language's, then the other's), else
        the source's id. The one rule for every page, report, export and API answer."""
        return name_in(
            language,
            (self.name_fr, self.name_nl),
            (self.official_name_fr, self.official_name_nl),
            self.source_id,
        )

    def serves(self, commune_code: str) -> bool:
        """Whether its action zones cover the commune ``commune_code`` (a ``territory.COMMUNES`` code)."""
        return bool(commune_code) and f"|{commune_code}|" in (self.served_communes or "")

    def acronyms(self) -> list[str]:
        """Its acronym and the other names that are acronyms, without repeats."""
        found = [self.acronym] + [
            str(n.get("name", "")) for n in self.other_names or [] if isinstance(n, dict) and n.get("acronym")
        ]
        return list(dict.fromkeys(a for a in found if a))

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.source}:{self.source_id} {self.name_fr or self.name_nl!r}>"


class ImportRun(Base):
    """One import of one source: when, by whom, what it changed and which rows it rejected."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))
    source_key: Mapped[str] = mapped_column(String(100), default="")
    format: Mapped[str] = mapped_column(String(20), default="")
    started_by: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, applied, failed, unchanged
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[int] = mapped_column(Integer, default=0)
    restored: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    # Loaded only when read: pages list them a page at a time, without loading them.
    rejected: Mapped[list[Any]] = mapped_column(default=list, deferred=True)  # [{"line": n, "reason": "..."}]
    warnings: Mapped[list[Any]] = mapped_column(default=list, deferred=True)
    error: Mapped[str] = mapped_column(Text, default="")
    # What went wrong as a code and its values, so that pages can say it in the reader's language.
    error_code: Mapped[str] = mapped_column(String(40), default="")
    error_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A dry run of an uploaded or downloaded file keeps it here until the person confirms the import.
    stored_path: Mapped[str] = mapped_column(String(1000), default="")
    confirmed_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<ImportRun {self.id} {self.source!r} {self.status}>"


class SourceState(Base):
    """What a remote source told us last time (ETag, Last-Modified), so an unchanged export costs one request."""

    __tablename__ = "source_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1000), unique=True)
    etag: Mapped[str] = mapped_column(String(300), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    source_key: Mapped[str] = mapped_column(String(100), default="")  # the key its organisations carry
    checked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<SourceState {self.source!r}>"


class VocabularyTerm(Base):
    """One term of a source's reference list (sectors, categories, action zones, language offer, legal
    statuses), in French and Dutch, keyed by the source's own id so its vocabulary stays stable across syncs."""

    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(30)
    )  # sectors, categories, actionzones, languageoffer, legalstatus
    code: Mapped[str] = mapped_column(String(100))
    label_fr: Mapped[str] = mapped_column(String(400), default="")
    label_nl: Mapped[str] = mapped_column(String(400), default="")
    parent_code: Mapped[str] = mapped_column(String(100), default="")
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def label(self, locale: str) -> str:
        first, second = (self.label_nl, self.label_fr) if locale == "nl" else (self.label_fr, self.label_nl)
        return first or second or self.code

    def __repr__(self) -> str:
        return f"<VocabularyTerm {self.kind}:{self.code} {self.label_fr!r}>"


class DuplicateDismissal(Base):
    """A candidate duplicate pair a person looked at and declared distinct; it is not proposed again."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (UniqueConstraint("first_id", "second_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    dismissed_by: Mapped[str] = mapped_column(String(200), default="")
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<DuplicateDismissal {self.first_id}~{self.second_id}>"
