"""Account lifecycle: nobody but its owner knows a password (one-time links), and an account that reads
requests opens only once a coordinator of its territory confirmed it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from helpdesk.audit import AuditEvent
from helpdesk.auth import operations as accounts
from helpdesk.auth.models import PasswordLink, User
from helpdesk.db import get_session
from tests.conftest import TEST_PASSWORD, csrf_token, login

NEW_PASSWORD = "tulips under the canal bridge"
LINK_RE = re.compile(r"http://[^\s]+/auth/set-password/([A-Za-z0-9_\-]+)")


def _create_on_admin_page(client, email="new.person@cpas.example", role="operator", territory="sud"):
    return client.post(
        "/admin/users/new",
        data={
            "email": email,
            "name": "New Person",
            "role": role,
            "territory": territory,
            "locale": "",
            "active": "y",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )


def _reset_link(runner, email: str) -> str:
    result = runner.invoke(args=["users", "reset-link", email])
    assert result.exit_code == 0, result.output
    match = LINK_RE.search(result.output)
    assert match, result.output
    return "/auth/set-password/" + match.group(1)


def _choose_password(client, link: str, password: str = NEW_PASSWORD):
    return client.post(
        link, data={"new_password": password, "confirm": password, "csrf_token": csrf_token(client, link)}
    )


def test_admin_page_creates_an_account_without_any_password(app, client, logged_in):
    logged_in("admin", "region")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'type="password"' not in page
    assert "helpdesk users reset-link" in page
    response = _create_on_admin_page(client)
    assert response.status_code == 302
    with app.app_context():
        user = get_session().scalar(select(User).where(User.email == "new.person@cpas.example"))
        assert user.password_hash == "" and user.awaits_confirmation
        link = get_session().scalar(select(PasswordLink))
        assert link.purpose == "invite" and len(link.token_hash) == 64
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "helpdesk users reset-link new.person@cpas.example" in follow


def test_new_operator_chooses_password_then_waits_for_the_coordinator(
    app, client, logged_in, make_user, runner
):
    coordinator = make_user("coordinator", "sud")
    logged_in("admin", "region")
    _create_on_admin_page(client)
    person = app.test_client()
    link = _reset_link(runner, "new.person@cpas.example")
    assert _choose_password(person, link).status_code == 302
    refused = login(person, "new.person@cpas.example", NEW_PASSWORD)
    assert refused.status_code == 403
    assert "coordinateur de votre territoire" in refused.get_data(as_text=True)
    # The coordinator of Sud sees the account and its history, and confirms it.
    boss = app.test_client()
    assert login(boss, coordinator.email).status_code == 302
    page = boss.get("/auth/confirmations").get_data(as_text=True)
    assert "new.person@cpas.example" in page
    with app.app_context():
        user_id = get_session().scalar(select(User.id).where(User.email == "new.person@cpas.example"))
    response = boss.post(
        f"/auth/confirmations/{user_id}", data={"csrf_token": csrf_token(boss, "/auth/confirmations")}
    )
    assert response.status_code == 302
    assert login(person, "new.person@cpas.example", NEW_PASSWORD).status_code == 302
    with app.app_context():
        actions = set(
            get_session().scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user_id)))
        )
    assert {"user.create", "user.password_set", "user.confirm"} <= actions
    history = boss.get("/auth/confirmations").get_data(as_text=True)
    assert history.count(coordinator.email) >= 1  # "confirmed by" the coordinator


def test_admin_account_needs_no_confirmation(client, logged_in, runner, app):
    logged_in("admin", "region")
    _create_on_admin_page(client, email="second.admin@cpas.example", role="admin", territory="region")
    person = app.test_client()
    assert _choose_password(person, _reset_link(runner, "second.admin@cpas.example")).status_code == 302
    assert login(person, "second.admin@cpas.example", NEW_PASSWORD).status_code == 302


def test_only_a_coordinator_of_the_accounts_territory_confirms_it(app, client, logged_in, make_user):
    logged_in("admin", "region")
    _create_on_admin_page(client, email="regional@cpas.example", territory="region")
    with app.app_context():
        user_id = get_session().scalar(select(User.id).where(User.email == "regional@cpas.example"))
    for role, territory, expected in [("coordinator", "sud", 404), ("operator", "region", 403)]:
        other = app.test_client()
        assert login(other, make_user(role, territory).email).status_code == 302
        token = csrf_token(other, "/")
        assert (
            other.post(f"/auth/confirmations/{user_id}", data={"csrf_token": token}).status_code == expected
        )
        if role == "coordinator":
            assert "regional@cpas.example" not in other.get("/auth/confirmations").get_data(as_text=True)
    regional = app.test_client()
    assert login(regional, make_user("coordinator", "region").email).status_code == 302
    assert "regional@cpas.example" in regional.get("/auth/confirmations").get_data(as_text=True)
    regional.post(
        f"/auth/confirmations/{user_id}", data={"csrf_token": csrf_token(regional, "/auth/confirmations")}
    )
    with app.app_context():
        assert not get_session().get(User, user_id).awaits_confirmation


def test_password_link_works_once(app, runner, make_user):
    user = make_user()
    link = _reset_link(runner, user.email)
    assert _choose_password(app.test_client(), link).status_code == 302
    assert app.test_client().get(link).status_code == 404
    assert _choose_password(app.test_client(), link, "another fine passphrase").status_code == 404
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_password_link_expires_after_a_day(app, runner, make_user):
    user = make_user()
    link = _reset_link(runner, user.email)
    with app.app_context():
        db = get_session()
        db.execute(update(PasswordLink).values(expires_at=accounts.utcnow() - timedelta(seconds=1)))
        db.commit()
    assert app.test_client().get(link).status_code == 404


def test_fresh_reset_link_cancels_the_earlier_one(app, runner, make_user):
    user = make_user()
    first = _reset_link(runner, user.email)
    second = _reset_link(runner, user.email)
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_password_link_is_stored_only_as_a_hash(app, runner, make_user):
    user = make_user()
    link = _reset_link(runner, user.email)
    with app.app_context():
        stored = get_session().scalar(select(PasswordLink.token_hash))
    assert link.rsplit("/", 1)[1] not in stored


def test_using_a_link_ends_every_session(app, runner, make_user):
    user = make_user()
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    _choose_password(app.test_client(), _reset_link(runner, user.email))
    assert browser.get("/").status_code == 302


def test_admin_reset_makes_the_account_wait_for_confirmation_again(app, client, logged_in, make_user, runner):
    operator = make_user("operator", "sud")
    coordinator = make_user("coordinator", "sud")
    logged_in("admin", "region")
    client.post(
        f"/admin/users/{operator.id}/password",
        data={"csrf_token": csrf_token(client, f"/admin/users/{operator.id}")},
    )
    assert login(app.test_client(), operator.email).status_code == 401
    _choose_password(app.test_client(), _reset_link(runner, operator.email))
    assert login(app.test_client(), operator.email, NEW_PASSWORD).status_code == 403
    boss = app.test_client()
    login(boss, coordinator.email)
    page = boss.get("/auth/confirmations").get_data(as_text=True)
    assert operator.email in page
    assert "Password reset by an administrator" in page or "réinitialisé" in page


def test_admin_reset_refuses_the_old_password_as_the_new_one(app, client, logged_in, make_user, runner):
    operator = make_user("admin", "region")
    logged_in("admin", "region")
    client.post(
        f"/admin/users/{operator.id}/password",
        data={"csrf_token": csrf_token(client, f"/admin/users/{operator.id}")},
    )
    response = _choose_password(app.test_client(), _reset_link(runner, operator.email), TEST_PASSWORD)
    assert response.status_code == 400


def test_moving_an_operator_to_another_territory_needs_its_coordinators_confirmation(
    app, client, logged_in, make_user
):
    operator = make_user("operator", "sud")
    logged_in("admin", "region")
    client.post(
        f"/admin/users/{operator.id}",
        data={
            "name": "Op",
            "role": "operator",
            "territory": "nord",
            "locale": "",
            "active": "y",
            "csrf_token": csrf_token(client, f"/admin/users/{operator.id}"),
        },
    )
    assert login(app.test_client(), operator.email).status_code == 403


def test_cli_create_makes_an_account_active_at_once_under_the_password_rules(app, runner):
    weak = runner.invoke(
        args=["users", "create", "ana@cpas.example", "--territory", "sud", "--password", "aaaaaaaaaaaa"]
    )
    assert weak.exit_code != 0 and "common" in weak.output
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "ana@cpas.example",
            "--territory",
            "sud",
            "--password",
            "long enough password",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert login(app.test_client(), "ana@cpas.example", "long enough password").status_code == 302


def test_demo_seed_accounts_sign_in_with_the_documented_password(app, runner):
    from helpdesk.cli import DEMO_ACCOUNTS, DEMO_PASSWORD

    makefile = Path(app.root_path).parent / "Makefile"
    assert DEMO_PASSWORD in makefile.read_text(encoding="utf-8")
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    for email, *_ in DEMO_ACCOUNTS:
        assert login(app.test_client(), email, DEMO_PASSWORD).status_code == 302, email


@pytest.mark.parametrize("path", ["/auth/set-password/nope", "/auth/set-password/" + "x" * 500])
def test_unknown_password_link_is_404(client, path):
    assert client.get(path).status_code == 404
