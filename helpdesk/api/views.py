"""The JSON API, version 1: what its resources share. Each resource is a blueprint of its own
(``api_organisations``, ``api_requests``, ``api_openapi``) made by ``api_blueprint``, registered by
``helpdesk.blueprints``; this module imports none of them.

Errors are JSON ``{"error": "...", "fields": {...}}`` with the right status code.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

URL_PREFIX = "/api/v1"


class ApiError(Exception):
    """Raised by API views; rendered as ``{"error", "fields"}`` with ``status``."""

    def __init__(self, message: str, status: int = 400, fields: dict | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.fields = message, status, fields or {}


def _api_error(error: ApiError):
    return jsonify({"error": error.message, "fields": error.fields}), error.status


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A resource's blueprint under ``/api/v1``, answering its ``ApiError`` as JSON."""
    bp = Blueprint(name, import_name, url_prefix=URL_PREFIX)
    bp.register_error_handler(ApiError, _api_error)
    return bp
