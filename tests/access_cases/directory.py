"""Access cases of the directory area: search, organisation pages, print view; the synonyms and needs admin
pages."""

from directory_import.models import Organisation
from helpdesk.db import get_session
from helpdesk.directory.models import SearchSynonym
from helpdesk.orientation.models import Need
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
        need = Need(
            code="access_need",
            label_en="Access need",
            phrases_fr="besoin d'accès",
            phrases_nl="toegangsnood",
            categories={"ssm": 1.0},
            publics={},
            themes={},
        )
        db.add_all([org, group, need])
        db.commit()
        world.ids["organisation"] = org.id
        world.ids["synonym_group"] = group.id
        world.ids["need"] = need.id


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
    Case("admin_needs.needs", url="/admin/needs", expect=directory_managers),
    Case("admin_needs.need_new", url="/admin/needs/new", expect=directory_managers),
    Case(
        "admin_needs.need_new",
        "POST",
        "/admin/needs/new",
        {"code": "spleen", "label_en": "Spleen", "phrases_fr": "spleen", "categories": "ssm:1"},
        expect=directory_managers,
        label="post",
    ),
    Case("admin_needs.need_edit", url=lambda w: f"/admin/needs/{w.ids['need']}", expect=directory_managers),
    Case(
        "admin_needs.need_edit",
        "POST",
        lambda w: f"/admin/needs/{w.ids['need']}",
        {"label_en": "Access need", "phrases_fr": "besoin d'accès", "categories": "ssm:1"},
        expect=directory_managers,
        label="post",
    ),
    Case(
        "admin_needs.need_delete",
        "POST",
        lambda w: f"/admin/needs/{w.ids['need']}/delete",
        {},
        expect=directory_managers,
    ),
]
