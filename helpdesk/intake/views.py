"""Recording a new request."""

from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/requests")
