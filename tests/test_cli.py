"""Every command documents itself with an example; account commands work end to end."""

import click
import pytest

from helpdesk.cli import main
from helpdesk.db import get_session


def _commands(group: click.Group, ctx: click.Context, prefix=()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if name in {"run", "shell", "routes"}:  # Flask's own
            continue
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, prefix + (name,))
        else:
            yield prefix + (name,), command


def test_cli_every_command_has_help_with_an_example(app):
    with app.app_context():
        ctx = click.Context(main)
        commands = list(_commands(app.cli, ctx))
    assert commands
    missing = [" ".join(path) for path, command in commands if "Example" not in (command.help or "")]
    assert missing == []


def test_cli_users_create_then_token(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ana@cpas.example",
            "--role",
            "operator",
            "--territory",
            "sud",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    token = runner.invoke(args=["users", "token", "ana@cpas.example"]).output.strip()
    assert token.startswith("hd_")
    with app.app_context():
        from helpdesk.auth.operations import user_for_api_token

        assert user_for_api_token(get_session(), token).email == "ana@cpas.example"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--territory", "mars"], "Invalid value"),
        (["--territory", "sud", "--password", "short"], "too short"),
    ],
)
def test_cli_users_create_refuses_bad_values(runner, args, message):
    result = runner.invoke(args=["users", "create", "x@test.example", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_demo_seed_is_idempotent(runner):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0 and "operator.sud@demo.example" in result.output
