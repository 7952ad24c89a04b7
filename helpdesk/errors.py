"""Error pages in the user's language, JSON errors for the API, 503 when the database is unreachable."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from helpdesk.vocabularies.errors import RequestRefusal

logger = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Authentication required."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not allowed here."),
        413: _("The file or form is too large."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        500: _("Something went wrong on our side. The team has been notified."),
        503: _("The service is temporarily unavailable. Try again in a moment."),
    }


def _render(code: int, message: str | None = None) -> Response:
    message = message or _messages().get(code, _messages()[500])
    if _wants_json():
        return make_response(jsonify({"error": message, "fields": {}}), code)
    return make_response(render_template("errors/error.html", code=code, message=message), code)


def database_unreachable(error: BaseException) -> bool:
    """A lost or refused connection, a lock timeout: worth a 503. A bad statement or value is a bug (500)."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _forget_database_state() -> None:
    """Render the 503 page without touching the database again (no user loading, no open session)."""
    from flask_login import AnonymousUserMixin

    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.rollback()
            session.close()
        except Exception:  # noqa: BLE001 - the connection is already broken
            logger.debug("could not close the broken session")
    g._login_user = AnonymousUserMixin()
    g.database_unavailable = True


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, _("Your form expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        return _render(code)

    @app.before_request
    def _load_user_first() -> None:
        # Load the signed-in user before anything else: if the database is down this is where it shows,
        # inside the request, so the 503 handler answers (not an error page that itself needs the user).
        from flask_login import current_user

        current_user._get_current_object()

    @app.errorhandler(StaleDataError)
    def _changed_meanwhile(error: StaleDataError):
        # Two writers loaded the same version; the database let only the first one through (the row's
        # version column). The second is told, as with a stale form: a conflict, never a lost update.
        session = g.get("db_session")
        if session is not None:
            session.rollback()
        if _wants_json():
            return make_response(
                jsonify(
                    {
                        "error": str(RequestRefusal.CONFLICT.label),
                        "fields": {"version": "conflict"},
                    }
                ),
                409,
            )
        return _render(409, str(RequestRefusal.CONFLICT.label))

    @app.errorhandler(DBAPIError)
    def _database(error: DBAPIError):
        if not database_unreachable(error):
            return _unexpected(error)
        # The class name only: the message may quote SQL parameters, i.e. data about a request.
        logger.error(
            "database unavailable on %s %s: %s",
            request.method,
            request.path,
            type(error.orig).__name__ if error.orig is not None else type(error).__name__,
        )
        _forget_database_state()
        response = _render(503)
        response.headers["Retry-After"] = "10"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        # Engines hide SQL parameters (helpdesk.db), so the traceback holds no request data.
        logger.exception("unhandled error on %s %s", request.method, request.path)
        session = g.get("db_session")
        if session is not None:
            # The error page reads the signed-in user again: from a clean transaction, not the failed one.
            try:
                session.rollback()
            except Exception:  # noqa: BLE001
                _forget_database_state()
        return _render(500)
