"""Commands of the background jobs, wired by ``helpdesk.cli``: ``helpdesk worker`` and ``helpdesk run``
(Flask's development server, with a worker thread in the same process)."""

from __future__ import annotations

import os
import signal
import threading

import click
from flask import current_app
from flask.cli import ScriptInfo, run_command

from helpdesk.jobs.queue import new_worker_id, run_due_jobs, run_pollers, start_worker_thread, work


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs that are due, then exit.")
@click.option("--quiet", is_flag=True, help="Print nothing (the log still says what ran).")
def worker_command(once: bool, quiet: bool) -> None:
    """Run background jobs (imports started from the admin pages) and send the mail outbox: wait for due jobs and run them, one at a
    time, until stopped (SIGTERM or Ctrl-C finishes the job under way first). Start as many as you like, on
    one machine or several: a job is run by one worker only, and taken again if its worker dies.

    \b
    Example:
      helpdesk worker          (as a service: see the systemd unit in the docs)
      helpdesk worker --once   (from cron, or to drain the queue by hand)
    """
    app = current_app._get_current_object()
    worker_id = new_worker_id()
    if once:
        ran = run_due_jobs(app, worker_id)
        polled = run_pollers(app, worker_id)
        if not quiet:
            click.echo(f"{ran} job(s) run, {polled} message(s) handled.")
        return
    stop = threading.Event()

    def _stop(_signum, _frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if not quiet:
        click.echo(f"Worker {worker_id} waiting for jobs (Ctrl-C to stop).")
    work(app, stop, worker_id)


@click.command(
    "run",
    params=[
        *run_command.params,
        click.Option(
            ["--no-worker"],
            is_flag=True,
            help="Do not run background jobs in this process (run `helpdesk worker`).",
        ),
    ],
    help=(run_command.help or "")
    + "\n\nA worker thread runs the background jobs in the same process, unless "
    "--no-worker.\n\nExample: helpdesk run --debug",
)
@click.pass_context
def run_with_worker(ctx: click.Context, no_worker: bool, **options) -> None:
    # With the reloader, the serving process is the child (WERKZEUG_RUN_MAIN): the worker lives there only.
    reloader = options.get("reload")
    if reloader is None:
        reloader = ctx.ensure_object(ScriptInfo).load_app().debug
    if not no_worker and (not reloader or os.environ.get("WERKZEUG_RUN_MAIN") == "true"):
        start_worker_thread(ctx.ensure_object(ScriptInfo).load_app())
    ctx.invoke(run_command, **options)


COMMANDS: list = [worker_command]  # ``run_with_worker`` replaces Flask's own ``run`` (see helpdesk.cli)
