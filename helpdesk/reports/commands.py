"""Commands of the reports area, wired by ``helpdesk.cli``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from directory_import.territory import TERRITORIES
from helpdesk.db import get_session
from helpdesk.reports.documents import FORMATS, LANGUAGES, default_month, render
from helpdesk.reports.queries import ALL, FIRST_MONTH, LAST_MONTH, Month, MonthOutOfRange

report_cli = AppGroup("report", help="Activity reports.")


def _month(_ctx, _param, value: str | None) -> Month:
    if value is None:
        return default_month()
    try:
        return Month.parse(value)
    except MonthOutOfRange:
        first, last = ("%04d-%02d" % m for m in (FIRST_MONTH, LAST_MONTH))
        raise click.BadParameter(f"choose a month from {first} to {last}") from None
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM, e.g. 2026-10") from None


@report_cli.command("monthly")
@click.option("--month", callback=_month, help="The month, YYYY-MM (Brussels time). Default: last month.")
@click.option(
    "--territory",
    type=click.Choice(TERRITORIES + (ALL,)),
    default=ALL,
    show_default=True,
    help="A basin, the regional level, or all territories.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option("--language", type=click.Choice(LANGUAGES), default="fr", show_default=True)
@click.option(
    "--public", is_flag=True, help="Hide counts under 5 (and what would reveal them) and free text."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write.",
)
def report_monthly(month: Month, territory: str, fmt: str, language: str, public: bool, output: Path) -> None:
    """Write the monthly activity report of one territory, or all, to a file.

    Example: helpdesk report monthly --month 2026-10 --territory sud --format xlsx --public --output sud.xlsx
    """
    with current_app.test_request_context():
        document = render(get_session(), month, territory, fmt, language, public)
    output.write_bytes(document.content)
    kind = "public" if public else "internal"
    click.echo(f"Wrote the {kind} report {month} for {territory} ({fmt}, {language}) to {output}.")


COMMANDS = [report_cli]
