"""API resource: organisations of the directory (blueprint ``api_organisations``).

``GET /api/v1/organisations?q=&category=&public=&basin=&commune=&language=&limit=&page=`` searches;
``GET /api/v1/organisations/<id>`` gives one organisation, with its last verification by the helpdesk;
``POST /api/v1/organisations/<id>/verify`` marks it verified now. Highlights are HTML-escaped text with the
matching words in ``<mark>``.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_import.models import LOCAL_SOURCE, Organisation
from helpdesk import access
from helpdesk.api.views import ApiError, api_blueprint
from helpdesk.db import get_session
from helpdesk.directory.empty import explain_empty
from helpdesk.directory.params import parse_search_args
from helpdesk.directory.search import search_directory
from helpdesk.directory.views import user_territory
from helpdesk.i18n import current_language
from helpdesk.identity import REFUSED_KINDS, IdentityFound
from helpdesk.verification import operations
from helpdesk.verification.views import identity_refusal, refusal_message
from helpdesk.vocabularies.errors import FieldError, field_error_message

bp = api_blueprint("api_organisations", __name__)


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
                    "via_needs": list(hit.via_needs),
                }
                for hit in result.hits
            ],
            "needs": [_need_json(m.entry) for m in result.needs],
            "facets": {
                name: [
                    {"value": f.value, "count": f.count, "label_fr": f.label_fr, "label_nl": f.label_nl}
                    for f in counts
                ]
                for name, counts in result.facets.items()
            },
            "suggestion": result.suggestion,
            "degraded": result.degraded,
            "empty": _empty_json(explain_empty(get_session(), params.q, params.filters, result)),
        }
    )


def _need_json(entry) -> dict:
    return {
        "code": entry.code,
        "label_en": entry.label_en,
        "label_fr": entry.label("fr"),
        "label_nl": entry.label("nl"),
    }


def _empty_json(empty) -> dict | None:
    """Why nothing was found and what the words resemble (None when something was)."""
    if empty is None:
        return None
    return {
        "reason": empty.reason,
        "without_filters": empty.without_filters,
        "blocking_filters": empty.blocking,
        "resembling_needs": [_need_json(e) for e in empty.needs],
        "resembling_categories": [
            {"code": c.code, "label_fr": c.label_fr, "label_nl": c.label_nl} for c in empty.categories
        ],
    }


# Plain values, as the directory holds them (``_fr``/``_nl`` pairs where the source is bilingual).
ORGANISATION_FIELDS = (
    "id",
    "source",
    "source_id",
    "name_fr",
    "name_nl",
    "official_name_fr",
    "official_name_nl",
    "acronym",
    "legal_form",
    "legal_form_nl",
    "legal_form_code",
    "company_numbers",
    "description_fr",
    "description_nl",
    "activities_fr",
    "activities_nl",
    "access_fr",
    "access_nl",
    "target_public_fr",
    "target_public_nl",
    "remark_fr",
    "remark_nl",
    "opening_hours_fr",
    "opening_hours_nl",
    "languages",
    "language_regime",
    "interpreting",
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
    "lambert_x",
    "lambert_y",
    "phones",
    "faxes",
    "emails",
    "websites",
    "parent_id",
    "source_updated_at",
    "archived",
)
TEXT_LISTS = ("company_numbers", "languages", "phones", "faxes", "emails", "websites")


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _term(item: object) -> dict[str, str]:
    """A category, sector, action zone: ``{"code", "label_fr", "label_nl"}`` whatever shape it was kept in."""
    if isinstance(item, dict):
        fr = _text(item.get("label_fr") or item.get("fr") or item.get("label"))
        nl = _text(item.get("label_nl") or item.get("nl"))
        return {"code": _text(item.get("code")), "label_fr": fr, "label_nl": nl}
    return {"code": "", "label_fr": _text(item), "label_nl": _text(item)}


def _public(item: object) -> dict[str, str]:
    if isinstance(item, dict):
        return {
            "fr": _text(item.get("fr") or item.get("label_fr")),
            "nl": _text(item.get("nl") or item.get("label_nl")),
        }
    return {"fr": _text(item), "nl": _text(item)}


def _other_name(item: object) -> dict[str, object]:
    data = item if isinstance(item, dict) else {"name": item}
    return {
        "kind": _text(data.get("kind")) or "alternative",
        "lang": _text(data.get("lang")),
        "name": _text(data.get("name")),
        "acronym": bool(data.get("acronym")),
    }


def organisation_json(org: Organisation) -> dict[str, object]:
    """Everything the directory knows of ``org``, as the API gives it (see ``openapi.ORGANISATION``)."""
    data: dict[str, object] = {name: getattr(org, name) for name in ORGANISATION_FIELDS}
    for name in TEXT_LISTS:
        data[name] = [_text(v) for v in getattr(org, name) or [] if _text(v)]
    data["acronyms"] = org.acronyms()
    data["other_names"] = [_other_name(n) for n in org.other_names or []]
    data["categories"] = [_term(c) for c in org.categories or []]
    data["sectors"] = [_term(c) for c in org.sectors or []]
    data["action_zones"] = [_term(z) for z in org.action_zones or []]
    data["served_communes"] = [code for code in (org.served_communes or "").split("|") if code]
    data["publics"] = [_public(p) for p in org.publics or []]
    return data


def _verified_json(verification) -> dict[str, object]:
    """The helpdesk's last verification: when (ISO, UTC) and by whom (their name), both null when never."""
    return {
        "verified_at": verification.verified_at.isoformat() if verification is not None else None,
        "verified_by": (operations.verifier_name(verification) or None) if verification is not None else None,
    }


def _organisation_or_404(organisation_id: int) -> Organisation:
    org = get_session().get(Organisation, organisation_id)
    if org is None:
        raise ApiError(_("No such organisation."), 404)
    return org


@bp.route("/organisations/<int:organisation_id>")
def organisations_detail(organisation_id: int):
    _require_directory_reader()
    org = _organisation_or_404(organisation_id)
    verified = _verified_json(operations.last_verification(get_session(), org.id))
    if not current_user.is_authenticated:  # a visitor of the public directory: not the staff's names
        verified["verified_by"] = None
    from helpdesk.api.proposals import overlay_json
    from helpdesk.stewardship.overlays import overlays_in_force

    # The values above are those in force; "overlays" says which of them the helpdesk corrected.
    overlays = [overlay_json(o) for o in overlays_in_force(get_session(), org.id)]
    return jsonify(
        {
            "name": org.name_in(current_language()),
            **organisation_json(org),
            **verified,
            "local": org.source == LOCAL_SOURCE,
            "overlays": overlays,
        }
    )


@bp.route("/organisations/<int:organisation_id>/verify", methods=["POST"])
@login_required
def organisations_verify(organisation_id: int):
    """Mark the organisation verified now (optional ``{"note": "...", "identity_confirmed": true}``)."""
    if not access.can_verify_organisation(current_user):
        raise ApiError(_("You do not have access to this page."), 403)
    org = _organisation_or_404(organisation_id)
    data = request.get_json(silent=True) if request.get_data(cache=True) else {}
    if not isinstance(data, dict):
        raise ApiError(_("The body must be a JSON object."), 400)
    unknown = sorted(set(data) - {"note", "identity_confirmed"})
    note = data.get("note") or ""
    if unknown or not isinstance(note, str):
        fields = {name: field_error_message(FieldError.UNKNOWN_PARAMETER) for name in unknown}
        if not isinstance(note, str):
            fields["note"] = field_error_message(FieldError.INVALID)
        raise ApiError(_("Some fields are not valid."), 400, fields)
    db = get_session()
    try:
        verification = operations.verify_organisation(
            db,
            current_user,
            org,
            note=note,
            identity_confirmed=data.get("identity_confirmed") is True,
            via="api",
        )
    except operations.VerificationError as error:
        db.rollback()
        status = 409 if error.code == "archived" else 400
        field = "note" if error.code == "note_too_long" else "organisation"
        raise ApiError(refusal_message(error.code), status, {field: error.code}) from None
    except IdentityFound as found:
        db.rollback()
        refused = any(kind in REFUSED_KINDS for kinds in found.fields.values() for kind in kinds)
        code = "identity_refused" if refused else "identity_suspected"
        raise ApiError(" ".join(identity_refusal(found.fields, api=True)), 400, {"note": code}) from None
    db.commit()
    return jsonify({"id": org.id, **_verified_json(verification)})
