"""Directory search pages and organisation pages."""

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")
from helpdesk.directory import notes  # noqa: E402,F401  (operators' notes: routes on bp)
