"""The JSON API, version 1: the blueprint and its error format; resources live in sibling modules.

Errors are JSON ``{"error": "...", "fields": {...}}`` with the right status code.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    """Raised by API views; rendered as ``{"error", "fields"}`` with ``status``."""

    def __init__(self, message: str, status: int = 400, fields: dict | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.fields = message, status, fields or {}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return jsonify({"error": error.message, "fields": error.fields}), error.status


# Resources register their routes on ``bp`` when imported.
from helpdesk.api import openapi, organisations, requests_api, suggestions  # noqa: E402,F401
