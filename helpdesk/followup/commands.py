"""Commands of the followup area, wired by ``helpdesk.cli``: ``helpdesk requests ...``."""

from __future__ import annotations

import json
import re

import click
from flask import current_app
from flask.cli import AppGroup

from helpdesk.db import get_session
from helpdesk.followup.operations import anonymise_closed_requests
from helpdesk.followup.themes import seed_themes

requests_cli = AppGroup("requests", help="Help requests: retention, themes.")


def parse_period(value: str) -> int:
    """``'24m'``, ``'24'`` or ``'2y'`` as a number of months."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([my]?)\s*", value or "", re.IGNORECASE)
    if not match:
        raise click.BadParameter("use a number of months such as 24m, or years such as 2y")
    months = int(match.group(1)) * (12 if match.group(2).lower() == "y" else 1)
    if months < 1:
        raise click.BadParameter("the period must be at least one month")
    return months


@requests_cli.command("anonymise")
@click.option(
    "--older-than",
    "older_than",
    default=None,
    help="Closed more than this long ago (24m, 2y). Default: the RETENTION_MONTHS setting.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def anonymise(older_than: str | None, as_json: bool) -> None:
    """Blank free text and contact details of old closed requests; their statistics stay.

    Example: helpdesk requests anonymise --older-than 24m
    """
    months = parse_period(older_than) if older_than else int(current_app.config["RETENTION_MONTHS"])
    db = get_session()
    count = anonymise_closed_requests(db, older_than_months=months)
    db.commit()
    if as_json:
        click.echo(json.dumps({"anonymised": count, "older_than_months": months}))
    else:
        click.echo(f"Anonymised {count} request(s) closed more than {months} months ago.")


@requests_cli.command("seed-themes")
def seed_themes_command() -> None:
    """Add the sector's 16 themes that are missing (idempotent; `helpdesk db upgrade` runs it too).

    Example: helpdesk requests seed-themes
    """
    db = get_session()
    added = seed_themes(db)
    db.commit()
    click.echo(f"Added {added} theme(s).")


COMMANDS: list = [requests_cli]
