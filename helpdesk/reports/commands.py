"""Commands of the reports area, wired by ``helpdesk.cli``."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from directory_import.territory import TERRITORIES
from helpdesk.db import get_session
from helpdesk.i18n import local_zone
from helpdesk.reports.documents import FORMATS, LANGUAGES, default_month, render
from helpdesk.reports.periods import (
    FIRST_MONTH,
    LAST_MONTH,
    MAX_PERIOD_MONTHS,
    Month,
    MonthOutOfRange,
    Period,
)
from helpdesk.reports.scope import ALL
from helpdesk.reports.territories import SIDE_FORMATS, side_document

report_cli = AppGroup("report", help="Activity reports.")


def _month(_ctx, _param, value: str | None) -> str | None:
    """Check the form of the month here; the command reads it in the helpdesk's zone (``TIMEZONE``)."""
    if value is None:
        return None
    try:
        Month.parse(value, ZoneInfo("UTC"))
    except MonthOutOfRange:
        first, last = ("%04d-%02d" % m for m in (FIRST_MONTH, LAST_MONTH))
        raise click.BadParameter(f"choose a month from {first} to {last}") from None
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM, e.g. 2026-10") from None
    return value


def _document_options(command):
    """The options every report command shares: territory, format, language, public, output."""
    for option in reversed(
        [
            click.option(
                "--territory",
                type=click.Choice(TERRITORIES + (ALL,)),
                default=ALL,
                show_default=True,
                help="A basin, the regional level, or all territories.",
            ),
            click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True),
            click.option("--language", type=click.Choice(LANGUAGES), default="fr", show_default=True),
            click.option(
                "--public",
                is_flag=True,
                help="Hide counts under 5 (and what would reveal them) and free text.",
            ),
            click.option(
                "--output",
                type=click.Path(dir_okay=False, writable=True, path_type=Path),
                required=True,
                help="The file to write.",
            ),
        ]
    ):
        command = option(command)
    return command


def _write(chosen, territory: str, fmt: str, language: str, public: bool, output: Path) -> None:
    with current_app.test_request_context():
        document = render(get_session(), chosen, territory, fmt, language, public)
    output.write_bytes(document.content)
    kind = "public" if public else "internal"
    click.echo(f"Wrote the {kind} report {chosen} for {territory} ({fmt}, {language}) to {output}.")


@report_cli.command("monthly")
@click.option(
    "--month",
    callback=_month,
    help="The month, YYYY-MM, in the helpdesk's time zone (TIMEZONE). Default: last month.",
)
@_document_options
def report_monthly(
    month: str | None, territory: str, fmt: str, language: str, public: bool, output: Path
) -> None:
    """Write the monthly activity report of one territory, or all, to a file.

    Example: helpdesk report monthly --month 2026-10 --territory sud --format xlsx --public --output sud.xlsx
    """
    zone = local_zone()
    chosen = Month.parse(month, zone) if month else default_month(zone)
    _write(chosen, territory, fmt, language, public, output)


def _period(_ctx, _param, value: str) -> str:
    """Check the form of the period here; the command reads it in the helpdesk's zone (``TIMEZONE``)."""
    try:
        Period.parse(value, ZoneInfo("UTC"))
    except MonthOutOfRange:
        first, last = ("%04d-%02d" % m for m in (FIRST_MONTH, LAST_MONTH))
        raise click.BadParameter(
            f"choose whole months from {first} to {last}, at most {MAX_PERIOD_MONTHS}, the first before the last"
        ) from None
    except ValueError:
        raise click.BadParameter(
            "use 2026-10 (a month), 2026-Q3 (a quarter), 2026 (a year) or 2026-01..2026-06"
        ) from None
    return value


@report_cli.command("period")
@click.option(
    "--period",
    callback=_period,
    required=True,
    help="A month (2026-10), a quarter (2026-Q3), a year (2026) or a range of months (2026-01..2026-06), "
    "in the helpdesk's time zone (TIMEZONE).",
)
@_document_options
def report_period(period: str, territory: str, fmt: str, language: str, public: bool, output: Path) -> None:
    """Write the activity report of any period of whole months for one territory, or all, to a file,
    each figure beside the period before and the same period a year before.

    Example: helpdesk report period --period 2026-Q3 --territory sud --format xlsx --public --output q3.xlsx
    """
    chosen = Period.parse(period, local_zone())
    _write(chosen, territory, fmt, language, public, output)


@report_cli.command("territories")
@click.option("--period", callback=_period, required=True, help="As for ``report period``.")
@click.option("--format", "fmt", type=click.Choice(SIDE_FORMATS), default="html", show_default=True)
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
def report_territories(period: str, fmt: str, language: str, public: bool, output: Path) -> None:
    """Write the five basins, the regional level and all side by side for one period, to a file.

    Example: helpdesk report territories --period 2026 --format xlsx --language nl --output 2026.xlsx
    """
    chosen = Period.parse(period, local_zone())
    with current_app.test_request_context():
        document = side_document(get_session(), chosen, fmt, language, public)
    output.write_bytes(document.content)
    click.echo(f"Wrote the territories side by side {chosen} ({fmt}, {language}) to {output}.")


COMMANDS = [report_cli]
