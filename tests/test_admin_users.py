"""An administrator manages accounts from the admin pages."""

from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.db import get_session
from tests.conftest import csrf_token, login


def test_admin_users_creates_an_account_that_waits_for_its_password(app, client, logged_in):
    logged_in("admin", "region")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Person@CPAS.example",
            "name": "New Person",
            "role": "operator",
            "territory": "sud-est",
            "locale": "nl",
            "password": "a very long secret",
            "active": "y",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )
    assert response.status_code == 302
    assert "new.person@cpas.example" in client.get("/admin/users").get_data(as_text=True)
    # A password in the form is ignored: only its owner will choose one, through a link.
    assert login(app.test_client(), "new.person@cpas.example", "a very long secret").status_code == 401


def test_admin_users_bad_values_get_messages_in_the_users_language(client, logged_in, make_user):
    logged_in("admin", "region", locale="nl")
    existing = make_user()
    response = client.post(
        "/admin/users/new",
        data={
            "email": existing.email,
            "name": "X",
            "role": "operator",
            "territory": "sud",
            "locale": "",
            "password": "a very long secret",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )
    assert response.status_code == 400
    assert "Er bestaat al een account met dit e-mailadres." in response.get_data(as_text=True)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "not-an-address",
            "name": "X",
            "role": "pope",
            "territory": "mars",
            "locale": "",
            "password": "short",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Geef een geldig e-mailadres in." in html
    assert "Not a valid choice" not in html


def test_admin_users_deactivation_ends_the_persons_sessions(app, client, logged_in, make_user):
    operator = make_user("operator", "sud")
    other = app.test_client()
    login(other, operator.email)
    assert other.get("/").status_code == 200
    logged_in("admin", "region")
    response = client.post(
        f"/admin/users/{operator.id}",
        data={
            "name": "Op",
            "role": "operator",
            "territory": "sud",
            "locale": "",
            "csrf_token": csrf_token(client, f"/admin/users/{operator.id}"),
        },
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302


def test_admin_users_moving_someone_to_another_territory_signs_them_out(app, client, logged_in, make_user):
    operator = make_user("operator", "sud")
    other = app.test_client()
    login(other, operator.email)
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
    assert other.get("/").status_code == 302
    with app.app_context():
        assert get_session().scalar(select(User.territory).where(User.id == operator.id)) == "nord"


def test_admin_users_cannot_remove_own_admin_access(client, logged_in):
    admin = logged_in("admin", "region")
    response = client.post(
        f"/admin/users/{admin.id}",
        data={
            "name": "Me",
            "role": "operator",
            "territory": "region",
            "locale": "",
            "active": "y",
            "csrf_token": csrf_token(client, f"/admin/users/{admin.id}"),
        },
    )
    assert response.status_code == 400
    assert client.get("/admin/users").status_code == 200


def test_admin_users_password_reset_closes_sessions(app, client, logged_in, make_user):
    operator = make_user("operator", "sud")
    other = app.test_client()
    login(other, operator.email)
    logged_in("admin", "region")
    client.post(
        f"/admin/users/{operator.id}/password",
        data={"csrf_token": csrf_token(client, f"/admin/users/{operator.id}")},
    )
    assert other.get("/").status_code == 302
    assert login(app.test_client(), operator.email).status_code == 401
