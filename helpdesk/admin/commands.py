"""Commands of the admin area, wired by ``helpdesk.cli``: backups and restores."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.backup import BackupError, backup_database, restore_database
from helpdesk.db import get_engine


def _default_backup_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backend = get_engine().url.get_backend_name()
    suffix = "sqlite" if backend == "sqlite" else "pgdump"
    return Path(current_app.instance_path) / "backups" / f"helpdesk-{stamp}.{suffix}"


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def backup(path: Path | None, as_json: bool) -> None:
    """Write a consistent snapshot of the database to PATH (default: instance/backups/helpdesk-<time>).

    SQLite is copied with its online backup API (users may keep working); PostgreSQL with pg_dump
    (custom format, the application's schema only). The file appears only once complete.

    Example: helpdesk backup /srv/backups/helpdesk-$(date +%F).pgdump
    """
    target = path or _default_backup_path()
    try:
        report = backup_database(current_app.config["DATABASE_URL"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(
            json.dumps({"path": str(report.path), "backend": report.backend, "bytes": report.size_bytes})
        )
    else:
        click.echo(f"Backup written to {report.path} ({report.size_bytes} bytes, {report.backend}).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(path: Path, yes: bool) -> None:
    """Replace the whole content of the database by the backup at PATH (made by `helpdesk backup`).

    The restore is all or nothing: on failure the database keeps its current content. Rebuild the
    search index afterwards (`helpdesk index rebuild`) so that it matches the restored directory.

    Example: helpdesk restore /srv/backups/helpdesk-2026-05-01.pgdump --yes
    """
    if not yes:
        click.confirm("This replaces every row of the database by the backup. Continue?", abort=True)
    # Our own pooled connections would hold locks a PostgreSQL restore must take.
    get_engine().dispose()
    try:
        backend = restore_database(current_app.config["DATABASE_URL"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Database restored from {path} ({backend}).")


COMMANDS: list = [backup, restore]
