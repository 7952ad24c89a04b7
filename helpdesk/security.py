"""CSRF on every form, security headers on every response, no caching of pages that show requests."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask, Response, abort, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in URLs, bounded to what an INTEGER column holds: a bigger number is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(_refuse_nul_characters)
    csrf.init_app(app)
    app.after_request(_headers)


def _refuse_nul_characters() -> None:
    """NUL has no place in text a person typed; PostgreSQL refuses it in text columns. Answer 400 up front.

    Uploaded files are left alone: they are binary and go through the export readers.
    """
    sources = [request.args]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        sources.append(request.form)
        if request.is_json and b"\\u0000" in request.get_data(cache=True):
            abort(400)
    for source in sources:
        for key, values in source.lists():
            if any(isinstance(text, str) and "\x00" in text for text in (key, *values)):
                abort(400)


def exempt_api_from_csrf(app: Flask, api: Iterable[Blueprint]) -> None:
    """A call with an ``Authorization`` header is authenticated by it alone (a cookie sent along is ignored),
    so no CSRF risk; cookie-authenticated API writes still need the CSRF token. ``api``: the API's blueprints."""
    names = set()
    for blueprint in api:
        csrf.exempt(blueprint)
        names.add(blueprint.name)

    @app.before_request
    def _csrf_for_cookie_sessions() -> None:
        if (
            request.blueprint in names
            and request.method in ("POST", "PUT", "PATCH", "DELETE")
            and "Authorization" not in request.headers
        ):
            csrf.protect()


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Anything shown to a signed-in user may hold request data: never store it in a cache.
    if getattr(current_user, "is_authenticated", False) or request.headers.get("Authorization"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
