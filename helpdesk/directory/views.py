"""Directory search pages and organisation pages."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory_import.models import Organisation
from directory_import.territory import BASINS
from helpdesk import access
from helpdesk.db import get_or_404, get_session
from helpdesk.directory.cards import cards_for
from helpdesk.directory.empty import explain_empty
from helpdesk.directory.near import distance_order, place_of
from helpdesk.directory.params import parse_search_args
from helpdesk.directory.search import FACET_NAMES, search_directory
from helpdesk.directory.zones import served_commune_names
from helpdesk.i18n import current_language
from helpdesk.verification.views import organisation_verification

bp = Blueprint("directory", __name__, url_prefix="/directory")


def directory_reader(view):
    """Signed-in users read the directory; visitors too when DIRECTORY_PUBLIC is on."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = current_user if current_user.is_authenticated else None
        if not access.can_read_directory(user, current_app.config["DIRECTORY_PUBLIC"]):
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapper


def user_territory() -> str | None:
    """The basin whose nearby results are raised a little (none for the region or a visitor)."""
    territory = getattr(current_user, "territory", None) if current_user.is_authenticated else None
    return territory if territory in BASINS else None


def facet_labels() -> dict:
    return {
        "category": _("Category"),
        "public": _("Public"),
        "basin": _("Basin"),
        "commune": _("Commune"),
        "language": _("Language spoken"),
    }


FACET_SHOWN = 6  # values of a facet shown; the others behind "more values"


@bp.route("/")
@directory_reader
def search():
    params, errors = parse_search_args(request.args)
    if errors:
        params.page = 1
    db = get_session()
    # The "near" sort: from the place typed in its own field, else from one the words name ("… 1070").
    place = place_of(params.near) if params.near else place_of(params.q)
    near_sorted = place is not None and (
        params.sort == "near" or (params.near and params.sort != "relevance")
    )
    result = search_directory(
        db,
        params.q,
        params.filters,
        limit=params.limit,
        page=params.page,
        territory=user_territory(),
        order=distance_order(current_app._get_current_object(), db, place) if near_sorted and place else None,
    )
    empty = explain_empty(db, params.q, params.filters, result, territory=user_territory())
    template = "directory/_results.html" if request.args.get("partial") == "1" else "directory/search.html"
    signed_in = current_user.is_authenticated
    return render_template(
        template,
        params=params,
        result=result,
        cards=cards_for(db, [hit.id for hit in result.hits], place=place),
        place=place,
        near_sorted=near_sorted,
        near_unknown=bool(params.near) and place is None,
        facet_shown=FACET_SHOWN,
        empty=empty,
        empty_url=lambda q: url_for("directory.search", q=params.q if q is None else q),
        errors=errors,
        facet_names=FACET_NAMES,
        facet_labels=facet_labels(),
        locale=current_language(),
        can_propose=signed_in and access.can_propose_changes(current_user),
        can_review=signed_in
        and access.can_review_proposals(
            current_user, bool(current_app.config["STEWARDSHIP_BASIN_COORDINATORS_VALIDATE"])
        ),
    )


def contact_text(organisation: Organisation, locale: str) -> str:
    """The organisation's contact as plain lines, for the "copy contact" button and the print view."""
    street = (
        (organisation.street_nl or organisation.street_fr)
        if locale == "nl"
        else (organisation.street_fr or organisation.street_nl)
    )
    commune = (
        (organisation.commune_nl or organisation.commune_fr)
        if locale == "nl"
        else (organisation.commune_fr or organisation.commune_nl)
    )
    lines = [organisation.name_in(locale)]
    address = " ".join(filter(None, [street, organisation.number]))
    if organisation.box:
        address += f" / {organisation.box}"
    if address.strip():
        lines.append(address.strip())
    if organisation.postcode or commune:
        lines.append(" ".join(filter(None, [organisation.postcode, commune])))
    lines += [str(v) for v in (organisation.phones or [])]
    lines += [str(v) for v in (organisation.emails or [])]
    lines += [str(v) for v in (organisation.websites or [])]
    return "\n".join(lines)


@bp.route("/organisations/<int:organisation_id>")
@directory_reader
def organisation(organisation_id: int):
    org = get_or_404(Organisation, organisation_id)
    locale = current_language()
    return render_template(
        "directory/organisation.html",
        org=org,
        organisation=org,
        locale=locale,
        contact=contact_text(org, locale),
        served_commune_names=served_commune_names,
        **organisation_verification(org),
    )


@bp.route("/organisations/<int:organisation_id>/print")
@directory_reader
def organisation_print(organisation_id: int):
    org = get_or_404(Organisation, organisation_id)
    locale = current_language()
    return render_template(
        "directory/organisation_print.html",
        org=org,
        locale=locale,
        contact=contact_text(org, locale),
        served_commune_names=served_commune_names,
        **organisation_verification(org),
    )
