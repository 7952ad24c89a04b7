"""Commands of the search index (``helpdesk search``, ``helpdesk index ...``), wired by ``helpdesk.cli``."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from directory_import.models import Organisation
from directory_import.territory import BASINS, TERRITORY_NAMES
from helpdesk.db import get_session
from helpdesk.directory.empty import explain_empty
from helpdesk.directory.search import catch_up_index, rebuild_index, search_directory, search_index

index_cli = AppGroup("index", help="The directory's search index.")


@click.command("search")
@with_appcontext
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--basin", type=click.Choice(BASINS + ("outside",)), multiple=True, help="Only this basin (repeatable)."
)
@click.option("--category", multiple=True, help="Only this category code (repeatable).")
@click.option("--language", multiple=True, help="Only organisations speaking this language (fr, nl, en...).")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, 500), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def search_command(query, basin, category, language, limit, page, as_json) -> None:
    """Search the directory as the search page does (typos, both languages, synonyms).

    Example: helpdesk search "maison medicale" --basin nord --limit 5
    """
    text = " ".join(query)
    filters = {k: list(v) for k, v in (("basin", basin), ("category", category), ("language", language)) if v}
    result = search_directory(get_session(), text, filters, limit=limit, page=page)
    if as_json:
        payload = {
            "total": result.total,
            "suggestion": result.suggestion,
            "degraded": result.degraded,
            "hits": [
                {
                    **{k: v for k, v in asdict(hit).items() if k != "highlights"},
                    "highlights": {n: s.html() for n, s in hit.highlights.items()},
                }
                for hit in result.hits
            ],
            "facets": {name: [asdict(f) for f in counts] for name, counts in result.facets.items()},
            "needs": [m.code for m in result.needs],
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    for rank, hit in enumerate(result.hits, start=(page - 1) * limit + 1):
        other = hit.name_nl if hit.name_fr else ""
        basin_name = TERRITORY_NAMES[hit.basin].name_en if hit.basin in TERRITORY_NAMES else hit.basin
        click.echo(
            f"{rank:3}. [{hit.id}] {hit.name_in('fr')}"
            + (f" / {other}" if other and other != hit.name_fr else "")
            + f"  ({hit.postcode}, {basin_name}, score {hit.score:.2f})"
        )
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    if result.needs:
        click.echo("Understood as: " + ", ".join(m.entry.label_en for m in result.needs))
    empty = explain_empty(get_session(), text, filters, result)
    if empty is not None:
        if empty.reason == "filters":
            click.echo(
                f"{empty.without_filters} organisation(s) match without the filters; "
                f"emptied by: {', '.join(empty.blocking) or 'the filters together'}."
            )
        perhaps = [e.label_en for e in empty.needs] + [c.label("fr") for c in empty.categories]
        if perhaps:
            click.echo("Perhaps: " + "; ".join(perhaps))
    click.echo(
        f"{result.total} organisation(s) found in {result.took_ms:.0f} ms"
        + (" (plain SQL: the index is being rebuilt)" if result.degraded else "")
        + "."
    )


@index_cli.command("rebuild")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def index_rebuild(quiet: bool) -> None:
    """Build the search index from the database in a new folder and swap it in atomically.

    Searches keep answering from the old index meanwhile. Example: helpdesk index rebuild --quiet
    """
    started = time.perf_counter()
    app = current_app._get_current_object()
    if quiet:
        count = rebuild_index(app)
    else:
        total = get_session().scalar(
            select(func.count(Organisation.id)).where(Organisation.archived.is_(False))
        )
        with click.progressbar(length=total or 0, label="Indexing", show_pos=True) as bar:
            count = rebuild_index(app, progress=bar.update)
    click.echo(f"Search index rebuilt: {count} organisations in {time.perf_counter() - started:.1f} s.")


@index_cli.command("catch-up")
def index_catch_up() -> None:
    """Re-index the organisations changed in the database since this machine's index last looked.

    Searches do it on their own every SEARCH_CATCH_UP_SECONDS; run it from cron on a machine that serves
    few searches, or after changing the database by hand. Example: helpdesk index catch-up
    """
    app = current_app._get_current_object()
    if not search_index(app).exists():
        click.echo("No search index yet: run `helpdesk index rebuild`.")
        return
    count = catch_up_index(app, get_session(), force=True)
    click.echo(f"Search index caught up: {count} organisation(s) re-indexed.")


@index_cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def index_status(as_json: bool) -> None:
    """Where the index is, how many organisations it holds, when it was built.

    Example: helpdesk index status --json
    """
    status = search_index().status()
    if as_json:
        click.echo(json.dumps(asdict(status)))
        return
    if not status.exists:
        click.echo(f"No search index at {status.path}: run `helpdesk index rebuild`.")
        return
    state = f"damaged ({status.error})" if status.error else "ok"
    click.echo(
        f"Search index {state}: {status.documents} organisations, {status.size_bytes / 1e6:.1f} MB, "
        f"built {status.built_at or 'unknown'}, at {status.path}/{status.generation}."
    )


COMMANDS: list = [search_command, index_cli]
