"""Access cases of the home page, language switcher, health check, sign-in and account pages."""

from helpdesk.db import get_session
from tests.access_cases import Case, anyone, signed_in


def coordinators(user) -> str:
    if user is None:
        return "login"
    return "ok" if user[0] == "coordinator" else "forbidden"


def coordinators_of_sud(user) -> str:
    """Confirming an account of Sud: its coordinators; other coordinators do not see it; others 403."""
    if user is None:
        return "login"
    if user[0] != "coordinator":
        return "forbidden"
    return "ok" if user[1] == "sud" else "hidden"


def build(app, world):
    from sqlalchemy import select

    from helpdesk.auth import operations as accounts
    from helpdesk.auth.models import ApiToken

    with app.app_context():
        db = get_session()
        owner = accounts.create_user(
            db,
            app.extensions["passwords"],
            email="token-owner@access.example",
            password="a long password",
            role="operator",
            territory="sud",
        )
        accounts.create_api_token(db, owner, "access")
        pending = accounts.create_user(
            db,
            app.extensions["passwords"],
            email="pending@access.example",
            password=None,
            role="operator",
            territory="sud",
            confirmed=False,
        )
        link = accounts.issue_password_link(db, pending, purpose="invite")
        db.commit()
        world.ids["token"] = db.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
        world.ids["pending_user"] = pending.id
        world.ids["password_link"] = link


CASES = [
    Case("main.home", url="/", expect=signed_in),
    Case("main.language", "POST", "/language", {"language": "fr", "next": "/"}, expect=anyone),
    Case("main.healthz", url="/healthz", expect=anyone),
    Case("auth.login", url="/auth/login", expect=anyone),
    Case("auth.logout", "POST", "/auth/logout", {}, expect=lambda user: "login"),  # back to the login page
    Case("auth.password", url="/auth/password", expect=signed_in),
    Case("auth.account", url="/auth/account", expect=signed_in),
    # Notifications: each user's own; marking one read that is not theirs changes nothing.
    Case("notify.index", url="/notifications/", expect=signed_in),
    Case("notify.preferences", url="/notifications/preferences", expect=signed_in),
    Case("notify.mark_read", "POST", "/notifications/read", {}, expect=signed_in),
    Case("notify.mark_read", "POST", "/notifications/1/read", {}, expect=signed_in, label="one"),
    # Only its owner revokes a token: for everyone else it does not exist.
    Case(
        "auth.token_revoke",
        "POST",
        lambda w: f"/auth/tokens/{w.ids['token']}/revoke",
        {},
        expect=lambda user: "login" if user is None else "hidden",
    ),
    Case("auth.set_password", url=lambda w: f"/auth/set-password/{w.ids['password_link']}", expect=anyone),
    Case(
        "auth.set_password",
        url="/auth/set-password/not-a-link",
        expect=lambda user: "hidden",
        label="unknown",
    ),
    Case("auth.confirmations", url="/auth/confirmations", expect=coordinators),
    Case(
        "auth.confirm_account",
        "POST",
        lambda w: f"/auth/confirmations/{w.ids['pending_user']}",
        {},
        expect=coordinators_of_sud,
    ),
]
