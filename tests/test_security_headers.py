import pytest


@pytest.mark.parametrize("path", ["/auth/login", "/", "/does-not-exist"])
def test_security_headers_on_every_page(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_security_signed_in_pages_are_never_cached(client, logged_in):
    logged_in()
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_security_session_cookie_flags(app, client, make_user):
    from tests.conftest import login

    user = make_user()
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_cookie_is_secure_by_default():
    import config

    assert config.SESSION_COOKIE_SECURE is True and config.SECRET_KEY is None


def test_security_secret_key_is_generated_once_per_instance(tmp_path, monkeypatch):
    from helpdesk import create_app

    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(tmp_path))
    cfg = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    first = create_app(cfg).config["SECRET_KEY"]
    second = create_app(cfg).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize("where", ["query", "form", "json"])
def test_security_nul_characters_are_refused_with_400(client, logged_in, where):
    from tests.conftest import csrf_token

    logged_in()
    token = csrf_token(client, "/")
    if where == "query":
        response = client.get("/", query_string={"q": "a\x00b"})
    elif where == "form":
        response = client.post("/language", data={"language": "nl\x00", "csrf_token": token})
    else:
        response = client.post("/api/v1/anything", json={"name": "a\x00b"}, headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_security_ids_too_big_for_the_database_are_404_not_500(client, logged_in):
    logged_in("admin", "region")
    for path in (
        "/admin/users/99999999999999999999999",
        "/admin/users/2147483648",
        "/admin/imports/" + "9" * 12,
    ):
        assert client.get(path).status_code == 404
