"""Commands of the directory area, wired by ``helpdesk.cli``: import, scheduled sync, duplicates."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from directory_import.dedupe import find_duplicates
from directory_import.fetch import FetchError, is_url
from directory_import.models import Organisation
from directory_import.readers import FORMATS, SourceError
from directory_import.socialbrussels_api import unfetched_ids
from directory_import.source_vocabularies import KINDS as VOCABULARY_KINDS
from helpdesk.db import get_session
from helpdesk.directory.importing import ImportFailed, apply_import, apply_vocabularies
from helpdesk.i18n import cli_language
from helpdesk.stewardship.export import FORMATS as EXPORT_FORMATS
from helpdesk.stewardship.export import export_proposals
from helpdesk.vocabularies.import_messages import coded_error_message, row_message, run_error_message

directory_cli = AppGroup(
    "directory", help="The directory of organisations: import, scheduled sync, duplicates."
)


def _operator(kind: str = "cli") -> str:
    """Who started a run from the shell: ``cli:<user>``, or ``sync:<user>`` for the scheduled sync (the
    history says "command line (root)", "scheduled sync (root)": ``started_by_label``)."""
    try:
        return f"{kind}:{getpass.getuser()}"
    except (KeyError, OSError):
        return kind


def _in_shell_language(message: Callable[[], str]) -> str:
    """A message of the import library's codes, in the shell's language (the same texts as the pages)."""
    with force_locale(cli_language()):
        return message()


def _echo_rejected(rejected: list, limit: int = 50) -> None:
    for row in rejected[:limit]:
        reason = _in_shell_language(
            partial(row_message, {"code": row.code, "params": row.params, "reason": row.reason})
        )
        click.echo(f"  line {row.line}: {reason}", err=True)
    if len(rejected) > limit:
        click.echo(
            f"  ... and {len(rejected) - limit} more rejected rows (see the run in the admin pages)", err=True
        )


@directory_cli.command("import")
@click.argument("source")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Export format; auto looks at the content.",
)
@click.option(
    "--source-key",
    default="",
    help="Key the organisations of this source carry (default: bruxelles-social, or the HSDS package name).",
)
@click.option("--dry-run", is_flag=True, help="Compute the report and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar, no list of rejected rows.")
@click.option(
    "--record-url",
    default="",
    help="For an API list of summaries (SOURCE): the URL of one record, "
    "with {id} where its id goes; each record is then fetched politely. A socialbrussels list that "
    "pages (next links, page numbers, a Link header) is followed to its last page, with or without it.",
)
def import_command(
    source: str, fmt: str, source_key: str, dry_run: bool, as_json: bool, quiet: bool, record_url: str
) -> None:
    """Import a directory export (a file, an HSDS folder or zip, or an http(s) URL) in one transaction.

    Rows that cannot be imported are listed with their line; the others import. Exits 0 when the import
    applied, non-zero when nothing could be applied (the directory is then unchanged).

    Example: helpdesk directory import data/sample_directory.json --dry-run --json

    Example: helpdesk directory import https://example.org/rest/search/organisation --format socialbrussels
    --record-url 'https://example.org/rest/organisation/{id}'
    """
    db = get_session()
    path = Path(source)
    show_bar = not quiet and not is_url(source) and path.is_file() and sys.stderr.isatty()
    bar = (
        click.progressbar(length=path.stat().st_size, label="Importing", file=sys.stderr)
        if show_bar
        else None
    )
    progress = None
    if bar is not None:
        seen = {"bytes": 0}

        def progress(done: int) -> None:
            bar.update(done - seen["bytes"])
            seen["bytes"] = done

    try:
        if bar is not None:
            with bar:
                run, report = apply_import(
                    db,
                    source,
                    fmt=fmt,
                    dry_run=dry_run,
                    started_by=_operator(),
                    source_key=source_key,
                    progress=progress,
                    record_url=record_url,
                )
        else:
            run, report = apply_import(
                db,
                source,
                fmt=fmt,
                dry_run=dry_run,
                started_by=_operator(),
                source_key=source_key,
                record_url=record_url,
            )
    except ImportFailed as error:
        if as_json and error.report is not None:
            click.echo(json.dumps(error.report.to_dict(), ensure_ascii=False))
        elif error.report is not None and not quiet:
            _echo_rejected(error.report.rejected)
        detail = _in_shell_language(partial(run_error_message, error.run, technical=True))
        raise click.ClickException(f"Nothing imported from {source}: {detail}") from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    if not quiet:
        _echo_rejected(report.rejected)
    prefix = (
        "Dry run, nothing changed"
        if dry_run
        else ("Not modified since the last import" if report.not_modified else "Imported")
    )
    click.echo(f"{prefix}: {source}: {report.summary()} (run {run.id}).")


def _configured_sources() -> list[dict]:
    configured = current_app.config.get("DIRECTORY_SOURCES") or []
    if isinstance(configured, str | dict):  # one source given without the list around it
        configured = [configured]
    sources = []
    for entry in configured:
        if isinstance(entry, str):
            sources.append({"source": entry, "key": "", "format": "auto", "record_url": ""})
        elif isinstance(entry, dict) and (entry.get("url") or entry.get("path") or entry.get("source")):
            sources.append(
                {
                    "source": entry.get("url") or entry.get("path") or entry.get("source"),
                    "key": entry.get("key", ""),
                    "format": entry.get("format", "auto"),
                    "record_url": entry.get("record_url", ""),
                }
            )
        else:
            raise click.ClickException(f"DIRECTORY_SOURCES: cannot read the entry {entry!r}")
    return sources


@directory_cli.command("sync")
@click.option("--quiet", is_flag=True, help="Print only failures.")
def sync_command(quiet: bool) -> None:
    """Import every source of HELPDESK_DIRECTORY_SOURCES, one transaction each (for cron or a systemd timer).

    An unchanged remote export costs one request (ETag / Last-Modified). Exits non-zero when a source failed.

    Example: HELPDESK_DIRECTORY_SOURCES='["https://example.org/export.json"]' helpdesk directory sync
    """
    sources = _configured_sources()
    if not sources:
        raise click.ClickException("No source configured: set HELPDESK_DIRECTORY_SOURCES (a JSON list).")
    db = get_session()
    failures = 0
    if current_app.config.get("DIRECTORY_VOCABULARIES"):
        try:
            apply_vocabularies(db)
        except (SourceError, FetchError) as error:  # the records still import, with the labels known so far
            failures += 1
            detail = _in_shell_language(partial(coded_error_message, error, technical=True))
            click.echo(f"FAILED reference lists: {detail}", err=True)
    for entry in sources:
        try:
            run, report = apply_import(
                db,
                entry["source"],
                fmt=entry["format"],
                source_key=entry["key"],
                started_by=_operator("sync"),
                record_url=entry["record_url"],
            )
        except ImportFailed as error:
            failures += 1
            detail = _in_shell_language(partial(run_error_message, error.run, technical=True))
            click.echo(f"FAILED {entry['source']}: {detail}", err=True)
            continue
        if not quiet:
            state = "not modified" if report.not_modified else report.summary()
            click.echo(f"{entry['source']}: {state} (run {run.id}).")
        unfetched = unfetched_ids(report.rejected)
        if unfetched:
            shown = ", ".join(unfetched[:50]) + (
                f" and {len(unfetched) - 50} more" if len(unfetched) > 50 else ""
            )
            click.echo(
                f"{entry['source']}: {len(unfetched)} records could not be fetched; their organisations are "
                f"left as they were and they are asked for again at the next sync: {shown}",
                err=True,
            )
    if failures:
        raise click.ClickException(f"{failures} of {len(sources)} sources failed.")


@directory_cli.command("vocabularies")
@click.option(
    "--from",
    "given",
    multiple=True,
    metavar="KIND=FILE_OR_URL",
    help="A reference list to read instead of HELPDESK_DIRECTORY_VOCABULARIES (repeatable); KIND is "
    "one of sectors, categories, actionzones, languageoffer, legalstatus.",
)
def vocabularies_command(given: tuple[str, ...]) -> None:
    """Read the source's reference lists (sectors, categories, action zones, language offer, legal statuses)
    as bilingual vocabularies: their labels name the ids records give, in the facets and on the pages.

    Example: helpdesk directory vocabularies --from sectors=data/sectors.json --from actionzones=data/zones.json
    """
    sources = None
    if given:
        sources = {}
        for item in given:
            kind, _sep, where = item.partition("=")
            if not where or kind not in VOCABULARY_KINDS:
                raise click.ClickException(
                    f"--from {item}: expected KIND=FILE_OR_URL, KIND one of {', '.join(VOCABULARY_KINDS)}"
                )
            sources[kind] = where
    elif not current_app.config.get("DIRECTORY_VOCABULARIES"):
        raise click.ClickException("No reference list: set HELPDESK_DIRECTORY_VOCABULARIES or give --from.")
    try:
        reports = apply_vocabularies(get_session(), sources)
    except (SourceError, FetchError) as error:
        detail = _in_shell_language(partial(coded_error_message, error, technical=True))
        raise click.ClickException(f"Reference lists not read: {detail}") from None
    for report in reports:
        click.echo(
            f"{report.kind}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged."
        )


@directory_cli.command("duplicates")
@click.option("--json", "as_json", is_flag=True, help="Print the pairs as JSON.")
@click.option("--limit", type=int, default=200, show_default=True)
def duplicates_command(as_json: bool, limit: int) -> None:
    """List candidate duplicate organisations (similar names, same postcode or phone), best score first.

    Merge or dismiss them on the admin page Duplicates; a dismissed pair is not listed again.

    Example: helpdesk directory duplicates --json
    """
    db = get_session()
    pairs = find_duplicates(db, limit=limit)
    ids = {i for pair in pairs for i in (pair.first_id, pair.second_id)}
    orgs = {o.id: o for o in db.scalars(select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}

    def describe(org: Organisation) -> dict:
        return {
            "id": org.id,
            "source": org.source,
            "source_id": org.source_id,
            "name_fr": org.name_fr,
            "name_nl": org.name_nl,
            "postcode": org.postcode,
        }

    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "score": p.score,
                        "same_postcode": p.same_postcode,
                        "same_phone": p.same_phone,
                        "first": describe(orgs[p.first_id]),
                        "second": describe(orgs[p.second_id]),
                    }
                    for p in pairs
                ],
                ensure_ascii=False,
            )
        )
        return
    for p in pairs:
        a, b = orgs[p.first_id], orgs[p.second_id]
        click.echo(
            f"{p.score:5.1f}  #{a.id} {a.name_in('fr')} ({a.source}, {a.postcode or '-'})"
            f"  ~  #{b.id} {b.name_in('fr')} ({b.source}, {b.postcode or '-'})"
        )
    click.echo(f"{len(pairs)} candidate pairs.")


COMMANDS: list = [directory_cli]


def _since(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"“{value[:40]}” is not a date as YYYY-MM-DD (e.g. 2026-11-01).") from None


@directory_cli.command("export-proposals")
@click.option("--since", required=True, callback=_since, help="First day (YYYY-MM-DD, UTC) of decisions.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="json", show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--include-exported", is_flag=True, help="Carry the proposals exported already, again.")
@click.option("--dry-run", is_flag=True, help="Write the file but do not mark the proposals exported.")
def export_proposals_command(
    since: date, fmt: str, output: Path, include_exported: bool, dry_run: bool
) -> None:
    """Write the proposals accepted since a date, for the directory's maintainers: JSON in the Bruxelles
    Social API shape (the importer reads it) or CSV (``;``, UTF-8 with BOM), and mark them exported.

    Example: helpdesk directory export-proposals --since 2026-11-01 --format csv --output corrections.csv
    """
    db = get_session()
    body, rows = export_proposals(
        db, since, fmt, include_exported=include_exported, mark=not dry_run, user_id=None
    )
    try:
        output.write_bytes(body)
    except OSError as error:
        db.rollback()
        raise click.ClickException(f"Cannot write {output}: {error.strerror or error}") from None
    db.commit()
    count = sum(len(row.proposals) for row in rows)
    marked = "not marked (dry run)" if dry_run else "marked exported"
    click.echo(f"Exported {len(rows)} organisations ({count} proposals, {marked}) to {output}.")
