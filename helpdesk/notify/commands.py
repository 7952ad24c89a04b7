"""Commands of the notifications, wired by ``helpdesk.cli``: ``helpdesk notify run``."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from helpdesk.notify.poller import run_notifications

notify_cli = AppGroup("notify", help="Notifications and reminders.")


@notify_cli.command("run")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def run(as_json: bool) -> None:
    """Find the notifications due (transfers, callbacks due, requests left unassigned), queue the mails
    chosen immediate and, from NOTIFY_DIGEST_HOUR on, the day's digests; then exit (from cron; `helpdesk
    worker` does it continuously). Running it twice adds and sends nothing twice.

    \b
    Example:
      helpdesk notify run && helpdesk mail send
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    report = run_notifications(app)
    if as_json:
        click.echo(json.dumps({"found": report.found, "mailed": report.mailed, "digests": report.digests}))
    else:
        click.echo(
            f"{report.found} new notifications, {report.mailed} mails queued, {report.digests} digests queued."
        )


COMMANDS = [notify_cli]
