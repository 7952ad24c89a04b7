"""Directory search pages and organisation pages."""

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")
