"""API resource: organisations of the directory (routes on ``helpdesk.api.views.bp``).

``GET /api/v1/organisations?q=&category=&public=&basin=&commune=&language=&limit=&page=`` searches;
``GET /api/v1/organisations/<id>`` gives one organisation. Highlights are HTML-escaped text with the
matching words in ``<mark>``.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from directory_import.models import Organisation
from helpdesk import access
from helpdesk.api.views import ApiError, bp
from helpdesk.db import get_session
from helpdesk.directory.params import parse_search_args
from helpdesk.directory.search import search_directory
from helpdesk.directory.views import user_territory
from helpdesk.i18n import current_language
from helpdesk.vocabularies.errors import FieldError, field_error_message


def _require_directory_reader() -> None:
    user = current_user if current_user.is_authenticated else None
    if not access.can_read_directory(user, current_app.config["DIRECTORY_PUBLIC"]):
        raise ApiError(_("Authentication required."), 401)


@bp.route("/organisations")
def organisations_search():
    _require_directory_reader()
    unknown = sorted(
        set(request.args) - {"q", "page", "limit", "category", "public", "basin", "commune", "language"}
    )
    params, errors = parse_search_args(request.args)
    fields = {name: field_error_message(code) for name, code in errors.items()}
    fields.update({name: field_error_message(FieldError.UNKNOWN_PARAMETER) for name in unknown})
    if fields:
        raise ApiError(_("Invalid parameters."), 400, fields)
    result = search_directory(
        get_session(),
        params.q,
        params.filters,
        limit=params.limit,
        page=params.page,
        territory=user_territory(),
    )
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "limit": result.limit,
            "hits": [
                {
                    "id": hit.id,
                    "source": hit.source,
                    "source_id": hit.source_id,
                    "name": hit.name_in(current_language()),
                    "name_fr": hit.name_fr,
                    "name_nl": hit.name_nl,
                    "acronym": hit.acronym,
                    "postcode": hit.postcode,
                    "basin": hit.basin,
                    "score": hit.score,
                    "highlights": {name: snippet.html() for name, snippet in hit.highlights.items()},
                }
                for hit in result.hits
            ],
            "facets": {
                name: [
                    {"value": f.value, "count": f.count, "label_fr": f.label_fr, "label_nl": f.label_nl}
                    for f in counts
                ]
                for name, counts in result.facets.items()
            },
            "suggestion": result.suggestion,
            "degraded": result.degraded,
        }
    )


ORGANISATION_FIELDS = (
    "id",
    "source",
    "source_id",
    "name_fr",
    "name_nl",
    "acronym",
    "legal_form",
    "description_fr",
    "description_nl",
    "categories",
    "publics",
    "languages",
    "street_fr",
    "street_nl",
    "number",
    "box",
    "postcode",
    "commune_fr",
    "commune_nl",
    "basin",
    "latitude",
    "longitude",
    "phones",
    "emails",
    "websites",
    "opening_hours_fr",
    "opening_hours_nl",
    "parent_id",
    "source_updated_at",
    "archived",
)


@bp.route("/organisations/<int:organisation_id>")
def organisations_detail(organisation_id: int):
    _require_directory_reader()
    org = get_session().get(Organisation, organisation_id)
    if org is None:
        raise ApiError(_("No such organisation."), 404)
    return jsonify(
        {"name": org.name_in(current_language())} | {name: getattr(org, name) for name in ORGANISATION_FIELDS}
    )
