"""Administration: the index page; each section lives in its own module and adds routes to ``bp``."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from helpdesk import access

bp = Blueprint("admin", __name__, url_prefix="/admin")

# (endpoint, label, who may use it): each section module appends its entry.
SECTIONS: list[tuple[str, object, Callable[[object], bool]]] = []


@bp.context_processor
def _sections():
    def admin_sections():
        return [(endpoint, label) for endpoint, label, allowed in SECTIONS if allowed(current_user)]

    return {"admin_sections": admin_sections}


def require(allowed: bool) -> None:
    """Admin pages are not secret: a signed-in user without the right gets 403."""
    if not allowed:
        abort(403)


@bp.route("/")
@login_required
def index():
    require(access.can_manage_users(current_user) or access.can_manage_directory(current_user))
    return render_template("admin/index.html")


# Sections register their routes on ``bp`` when imported.
from helpdesk.admin import duplicates, imports, needs, synonyms, themes, users  # noqa: E402,F401
