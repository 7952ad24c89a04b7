"""Commands of the mail outbox, wired by ``helpdesk.cli``: ``helpdesk mail send``."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from helpdesk.mail.sender import send_due

mail_cli = AppGroup("mail", help="The mail outbox.")


@mail_cli.command("send")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def send(as_json: bool) -> None:
    """Send the outbox's due messages, then exit (from cron; `helpdesk worker` does it continuously).

    With no HELPDESK_MAIL_SERVER set nothing is sent: the messages stay in the outbox
    (Administration → Outbox).

    \b
    Example:
      helpdesk mail send
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["MAIL_SERVER"]:
        click.echo("No mail server configured (HELPDESK_MAIL_SERVER): nothing sent.", err=True)
    report = send_due(app)
    if as_json:
        click.echo(json.dumps({"sent": report.sent, "retried": report.retried, "failed": report.failed}))
    else:
        click.echo(f"{report.sent} sent, {report.retried} to retry later, {report.failed} failed.")


COMMANDS = [mail_cli]
