"""API resource: the organisations suggested for a request, with their reasons and warnings.

Scoped like the request itself: outside one's access it answers 404.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from helpdesk import access
from helpdesk.api.views import ApiError, api_blueprint
from helpdesk.db import get_session
from helpdesk.i18n import current_language
from helpdesk.orientation.labels import suggestion_json
from helpdesk.orientation.suggestions import suggest_for_request

bp = api_blueprint("api_suggestions", __name__)

MAX_SUGGESTIONS = 50


@bp.route("/requests/<int:request_id>/suggestions", methods=["GET"])
@login_required
def requests_suggestions(request_id: int):
    try:
        req = access.get_request_or_404(get_session(), current_user, request_id)
    except NotFound:
        raise ApiError(_("No such request."), 404) from None
    limit = request.args.get("limit", "10")
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_SUGGESTIONS):
        raise ApiError(_("Some fields are not valid."), 400, {"limit": _("This value is not valid.")})
    suggestions = suggest_for_request(get_session(), req, limit=int(limit))
    locale = current_language()
    return jsonify({"suggestions": [suggestion_json(s, locale) for s in suggestions]})
