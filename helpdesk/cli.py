"""The ``helpdesk`` command: thin, documented commands over the library and the operations.

Each area keeps its commands in its own ``commands.py`` (a ``COMMANDS`` list); this module wires them.
"""

from __future__ import annotations

import getpass
import importlib
import json
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import.territory import TERRITORIES
from helpdesk.auth import operations as accounts
from helpdesk.auth.login import passwords
from helpdesk.auth.models import ROLES, User
from helpdesk.db import get_session, make_engine, upgrade_database
from helpdesk.i18n import cli_language
from helpdesk.jobs.commands import run_with_worker
from helpdesk.vocabularies.errors import account_error_message

AREA_COMMAND_MODULES = (
    "helpdesk.directory.commands",
    "helpdesk.directory.search_commands",
    "helpdesk.followup.commands",
    "helpdesk.reports.commands",
    "helpdesk.admin.commands",
    "helpdesk.jobs.commands",
    "helpdesk.orientation.commands",
    "helpdesk.mail.commands",
    "helpdesk.notify.commands",
)

db_cli = AppGroup("db", help="Database schema.")
users_cli = AppGroup("users", help="Accounts and API tokens.")
demo_cli = AppGroup("demo", help="Demo data for a first look.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to reach.")
def db_upgrade(revision: str) -> None:
    """Apply the migrations to the configured database.

    Example: HELPDESK_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/helpdesk helpdesk db upgrade
    """
    upgrade_database(current_app.config["DATABASE_URL"], revision)
    if revision == "head":
        from helpdesk.followup.themes import seed_themes
        from helpdesk.orientation.needs import seed_needs

        # Reference data, idempotent; on its own engine, like the migration, so no pooled connection lingers.
        engine = make_engine(current_app.config["DATABASE_URL"])
        with Session(engine) as db:
            seed_themes(db)
            seed_needs(db)  # never overwrites what an admin edited or deleted
            db.commit()
        engine.dispose()
    click.echo(f"Database at revision {revision}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="operator", show_default=True)
@click.option("--territory", type=click.Choice(TERRITORIES), required=True)
@click.option("--name", default="", help="Display name.")
@click.option("--language", type=click.Choice(["fr", "nl", "en"]), default=None)
@click.option("--password", default=None, help="Prompted (hidden) when omitted.")
def users_create(
    email: str, role: str, territory: str, name: str, language: str | None, password: str | None
):
    """Create an account, usable at once (for automation: whoever runs this holds the database anyway).

    The password rules apply (12 characters at least, not a common password, not containing the e-mail).
    To let the person choose their own password instead, create the account on the admin page, or print a
    link with `helpdesk users reset-link`.

    Example: helpdesk users create ana@cpas.example --role operator --territory sud
    """
    if password is None:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Repeat: "):
                raise click.ClickException("The two passwords differ.")
    db = get_session()
    try:
        user = accounts.create_user(
            db,
            passwords(),
            email=email,
            password=password,
            role=role,
            territory=territory,
            name=name,
            locale=language,
        )
    except accounts.AccountError as error:
        with force_locale(cli_language()):
            message = account_error_message(str(error))
        raise click.ClickException(message) from None
    db.commit()
    click.echo(f"Created {user.email} ({user.role}, {user.territory}).")


@users_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def users_list(as_json: bool) -> None:
    """List accounts.

    Example: helpdesk users list --json
    """
    rows = [
        {"email": u.email, "name": u.name, "role": u.role, "territory": u.territory, "active": u.active}
        for u in get_session().scalars(select(User).order_by(User.email))
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        state = "" if row["active"] else " (inactive)"
        click.echo(f"{row['email']:40} {row['role']:12} {row['territory']:14}{state}")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days before it expires (default: HELPDESK_API_TOKEN_DAYS, 90).",
)
def users_token(email: str, label: str, days: int | None) -> None:
    """Create an API token for an account and print it (shown once). It expires after 90 days.

    Example: curl -H "Authorization: Bearer $(helpdesk users token ana@cpas.example)" http://127.0.0.1:5000/api/v1/organisations?q=ocmw
    """
    db = get_session()
    user = accounts.get_user_by_email(db, email)
    if user is None or not user.is_active:
        raise click.ClickException("No active account with this e-mail address.")
    token = accounts.create_api_token(db, user, label, days=days or current_app.config["API_TOKEN_DAYS"])
    db.commit()
    click.echo(token)


@users_cli.command("tokens")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def users_tokens(email: str, as_json: bool) -> None:
    """List the API tokens of an account: id, label, created, last used, expiry, state.

    Example: helpdesk users tokens ana@cpas.example
    """
    db = get_session()
    user = accounts.get_user_by_email(db, email)
    if user is None:
        raise click.ClickException("No account with this e-mail address.")
    now = accounts.utcnow()
    days = current_app.config["API_TOKEN_DAYS"]
    rows = []
    for token in accounts.user_tokens(db, user):
        expires = accounts.token_expiry(token, days)
        state = "revoked" if token.revoked_at else "expired" if expires <= now else "active"
        rows.append(
            {
                "id": token.id,
                "label": token.label,
                "created_at": _iso(token.created_at),
                "last_used_at": _iso(token.last_used_at),
                "expires_at": _iso(expires),
                "state": state,
            }
        )
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>6}  {row['state']:8} created {row['created_at'][:16]}  "
            f"last used {(row['last_used_at'] or 'never')[:16]:16}  expires {row['expires_at'][:16]}  "
            f"{row['label']}"
        )
    if not rows:
        click.echo("No API token.")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@users_cli.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int) -> None:
    """Revoke one API token by its id (see `helpdesk users tokens EMAIL`).

    Example: helpdesk users revoke-token 12
    """
    from helpdesk.audit import record_audit
    from helpdesk.auth.models import ApiToken

    db = get_session()
    token = db.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException("No API token with this id.")
    if not accounts.revoke_api_token(db, token):
        click.echo(f"Token {token_id} was revoked already.")
        return
    record_audit(
        db,
        "token.revoke",
        user_id=None,
        object_type="api_token",
        object_id=token.id,
        details={"owner": token.user_id, "by": "cli"},
    )
    db.commit()
    click.echo(f"Revoked token {token_id} of {token.user.email}.")


@users_cli.command("reset-link")
@click.argument("email")
def users_reset_link(email: str) -> None:
    """Print a fresh one-time link through which the person chooses their password (24 hours, single use).

    Earlier links of the account stop working. The current password keeps working until the link is used;
    using it ends every session and API token of the account. Hand the link over in person or by a channel
    you trust: it is the only way in for a new account until mail is configured.

    Example: helpdesk users reset-link ana@cpas.example
    """
    from helpdesk.audit import record_audit
    from helpdesk.auth.delivery import password_link_url

    db = get_session()
    user = accounts.get_user_by_email(db, email)
    if user is None or not user.active:
        raise click.ClickException("No active account with this e-mail address.")
    token = accounts.issue_password_link(
        db, user, purpose="reset", hours=current_app.config["PASSWORD_LINK_HOURS"]
    )
    record_audit(
        db,
        "user.password_link",
        user_id=None,
        object_type="user",
        object_id=user.id,
        details={"purpose": "reset", "by": "cli"},
    )
    db.commit()
    click.echo(password_link_url(token))
    if user.awaits_confirmation:
        click.echo("The account opens once a coordinator of its territory has confirmed it.", err=True)


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Deactivate an account: its sessions and tokens stop working at once.

    Example: helpdesk users deactivate ana@cpas.example
    """
    db = get_session()
    user = accounts.get_user_by_email(db, email)
    if user is None:
        raise click.ClickException("No account with this e-mail address.")
    accounts.set_user_active(db, user, False)
    db.commit()
    click.echo(f"Deactivated {user.email}.")


DEMO_PASSWORD = "demo-password-2026"
# email, role, territory, name, locale: no locale, so each account opens in the browser's language until its
# user picks one (the language switcher saves the choice on the account).
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("operator.nord@demo.example", "operator", "nord", "Nadia (Nord)", None),
    ("operator.nord-est@demo.example", "operator", "nord-est", "Noah (Nord-Est)", None),
    ("operator.centre-ouest@demo.example", "operator", "centre-ouest", "Chloé (Centre-Ouest)", None),
    ("operator.sud@demo.example", "operator", "sud", "Sofia (Sud)", None),
    ("operator.sud-est@demo.example", "operator", "sud-est", "Sam (Sud-Est)", None),
    ("operator.region@demo.example", "operator", "region", "Rik (Région)", None),
    ("coordinator.sud@demo.example", "coordinator", "sud", "Camille (coord. Sud)", None),
    ("coordinator.region@demo.example", "coordinator", "region", "Koen (coord. région)", None),
    ("admin@demo.example", "admin", "region", "Alex (admin)", None),
)


@demo_cli.command("seed")
@click.option(
    "--requests",
    "count",
    type=click.IntRange(min=0),
    default=None,
    help="Requests the demo accounts should hold in all (default 1500, about a year); only the missing ones "
    "are generated.",
)
def demo_seed(count: int | None) -> None:
    """Create the demo accounts (idempotent), print the logins, and give them a year of invented activity
    (requests, leads and outcomes, unmet needs, transfers, callbacks, feedback, reopenings) over the imported
    directory. Never run it in production.

    Example: helpdesk demo seed --requests 3000
    """
    from helpdesk.demo.activity import DEFAULT_REQUESTS, generate_activity
    from helpdesk.i18n import local_zone
    from helpdesk.orientation.needs import seed_needs

    db = get_session()
    seed_needs(db)
    for email, role, territory, name, locale in DEMO_ACCOUNTS:
        if accounts.get_user_by_email(db, email) is None:
            accounts.create_user(
                db,
                passwords(),
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                territory=territory,
                name=name,
                locale=locale,
            )
    db.commit()
    click.echo(f"Demo accounts (password {DEMO_PASSWORD}):")
    for email, role, territory, *_ in DEMO_ACCOUNTS:
        click.echo(f"  {email:38} {role:12} {territory}")
    operators: dict[str, User] = {}
    for email, role, territory, *_ in DEMO_ACCOUNTS:
        user = accounts.get_user_by_email(db, email) if role == "operator" else None
        if user is not None:
            operators[territory] = user
    report = generate_activity(
        db, operators, requests=DEFAULT_REQUESTS if count is None else count, zone=local_zone()
    )
    if report.skipped == "no_directory":
        click.echo("No directory imported yet: no demo activity (import one, then run this again).")
    elif report.skipped:
        click.echo("Demo accounts missing: no demo activity.")
    else:
        click.echo(
            f"Demo activity: {report.created} requests generated in {report.seconds:.1f} s "
            f"({report.total} in all)."
        )


def register_commands(app: Flask) -> None:
    for group in (db_cli, users_cli, demo_cli):
        app.cli.add_command(group)
    for module_name in AREA_COMMAND_MODULES:
        module = importlib.import_module(module_name)
        for command in getattr(module, "COMMANDS", ()):
            app.cli.add_command(command)


def _create_app(*_args) -> Flask:
    from helpdesk import create_app

    return create_app()


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False, set_debug_flag=False
)
def main() -> None:
    """Brussels social-health helpdesk: directory, requests, reports.

    Configuration comes from HELPDESK_* environment variables (see config.py).
    """


# Flask's development server, with a worker thread for the background jobs unless --no-worker.
main.add_command(run_with_worker, "run")
