"""Password rules (NIST SP 800-63B): 12 characters, no common or breached password, nothing built on the
e-mail address, not the same password again; a hint on the forms, in the reader's language."""

from __future__ import annotations

import pytest

from helpdesk.auth.password_policy import password_problem
from tests.conftest import TEST_PASSWORD, csrf_token, login


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("aaaaaaaaaa", "password_too_short"),
        ("1234567890", "password_too_short"),
        ("short pass", "password_too_short"),
        ("aaaaaaaaaaaa", "password_common"),
        ("123456789012", "password_common"),
        ("passwordpassword", "password_common"),
        ("qwertyuiopasdfgh", "password_common"),
        ("iloveyou1234", "password_common"),
        ("Jean.Dupont2026!", "password_contains_email"),
        ("dupont family holidays", "password_contains_email"),
        ("correct horse battery", None),
        ("demo-password-2026", None),
        ("tulips under the canal bridge", None),
    ],
)
def test_password_problem(password, problem):
    assert password_problem(password, "jean.dupont@cpas.example") == problem


def _change(client, new: str):
    return client.post(
        "/auth/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(client, "/auth/password"),
        },
    )


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "aaaaaaaaaaaa", "123456789012"])
def test_password_change_refuses_weak_passwords_with_a_message(client, logged_in, weak):
    logged_in("operator", "sud", locale="fr")
    response = _change(client, weak)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Le mot de passe est trop court" in html or "trop courant" in html


def test_password_change_refuses_the_same_password_again(client, logged_in):
    logged_in("operator", "sud", locale="nl")
    response = _change(client, TEST_PASSWORD)
    assert response.status_code == 400
    assert "Dit is uw huidige wachtwoord" in response.get_data(as_text=True)


def test_password_change_refuses_the_email_name(client, logged_in):
    user = logged_in("operator", "sud", email="marie.claes@cpas.example")
    response = _change(client, "claes marie 2026 ok")
    assert response.status_code == 400
    assert login(client.application.test_client(), user.email).status_code == 302


def test_password_form_shows_a_strength_hint_in_the_readers_language(client, logged_in):
    logged_in("operator", "sud", locale="nl")
    html = client.get("/auth/password").get_data(as_text=True)
    assert "Minstens 12 tekens" in html


def test_accepted_but_guessable_password_gets_a_hint(client, logged_in):
    logged_in("operator", "sud", locale="en")
    response = _change(client, "monkeybanana12")
    assert response.status_code == 302
    assert "could be guessed" in client.get("/").get_data(as_text=True)
