"""Access cases of the directory area: search, organisation pages, print view; the synonyms admin page."""

from directory_import.models import Organisation
from helpdesk.db import get_session
from helpdesk.directory.models import SearchSynonym
from tests.access_cases import Case, signed_in


def build(app, world):
    with app.app_context():
        db = get_session()
        org = Organisation(
            source="access",
            source_id="org-1",
            name_fr="Maison médicale Access",
            name_nl="Wijkgezondheidscentrum Access",
            postcode="1060",
            basin="sud",
        )
        group = SearchSynonym(terms="caw, centre d'action sociale globale", created_by="test")
        db.add_all([org, group])
        db.commit()
        world.ids["organisation"] = org.id
        world.ids["synonym_group"] = group.id


def directory_managers(user):
    if user is None:
        return "login"
    return "ok" if user in (("admin", "region"), ("coordinator", "region")) else "forbidden"


CASES = [
    Case("directory.search", url="/directory/?q=maison", expect=signed_in),
    Case(
        "directory.organisation",
        url=lambda w: f"/directory/organisations/{w.ids['organisation']}",
        expect=signed_in,
    ),
    Case(
        "directory.organisation_print",
        url=lambda w: f"/directory/organisations/{w.ids['organisation']}/print",
        expect=signed_in,
    ),
    Case("admin_synonyms.synonyms", url="/admin/synonyms", expect=directory_managers),
    Case(
        "admin_synonyms.synonyms",
        "POST",
        "/admin/synonyms",
        {"terms": "ocmw, sociaal huis"},
        expect=directory_managers,
        label="add",
    ),
    Case(
        "admin_synonyms.synonyms_delete",
        "POST",
        lambda w: f"/admin/synonyms/{w.ids['synonym_group']}/delete",
        {},
        expect=directory_managers,
    ),
]
