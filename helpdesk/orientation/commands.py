"""Commands of the orientation area, wired by ``helpdesk.cli``: the needs thesaurus."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from helpdesk.db import get_session
from helpdesk.orientation.needs import seed_needs

needs_cli = AppGroup("needs", help="The needs thesaurus used by the directory search.")


@needs_cli.command("seed")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def needs_seed(as_json: bool) -> None:
    """Bring the shipped thesaurus (search_index/data/needs.csv) into the database: add new entries,
    refresh those nobody edited, keep the ones an admin edited or deleted. Safe to run again.

    Example: helpdesk needs seed --json
    """
    db = get_session()
    counts = seed_needs(db)
    db.commit()
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo(
            "Needs thesaurus: {added} added, {updated} refreshed, {kept} kept as edited.".format(**counts)
        )


COMMANDS = (needs_cli,)
