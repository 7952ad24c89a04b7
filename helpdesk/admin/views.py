"""Administration: the index page. Each section is a blueprint of its own (``admin_users``, ``admin_imports``,
``admin_duplicates``, ``admin_themes``, ``admin_synonyms``, ``admin_needs``, ``admin_outbox``), registered by ``helpdesk.blueprints``; they share
``require`` from here, and this module imports none of them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from helpdesk import access
from helpdesk.auth.models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")

# (endpoint, label, who may use it): the sections the index page lists.
SECTIONS: tuple[tuple[str, object, Callable[[User], bool]], ...] = (
    ("admin_duplicates.duplicates", _l("Duplicates"), access.can_manage_directory),
    ("admin_imports.imports", _l("Directory imports"), access.can_manage_directory),
    ("admin_needs.needs", _l("Needs thesaurus"), access.can_edit_needs),
    ("admin_outbox.outbox", _l("Outbox"), access.can_read_outbox),
    ("admin_synonyms.synonyms", _l("Search synonyms"), access.can_manage_directory),
    ("admin_addresses.addresses", _l("Territory addresses"), access.can_read_outbox),
    ("admin_themes.themes", _l("Themes"), access.can_manage_directory),
    ("admin_users.users", _l("Accounts"), access.can_manage_users),
)


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
    require(any(allowed(current_user) for _endpoint, _label, allowed in SECTIONS))
    return render_template("admin/index.html")
