"""The life of a request: leads, callbacks, transfers, feedback, closing."""

from flask import Blueprint

bp = Blueprint("followup", __name__, url_prefix="/requests")
