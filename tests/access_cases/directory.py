"""Access cases of the directory area: search, organisation pages, print view; the synonyms and needs admin
pages."""

from directory_import.models import Organisation
from helpdesk.db import get_session
from helpdesk.directory.models import SearchSynonym
from helpdesk.orientation.models import Need
from helpdesk.stewardship.models import Overlay, Proposal, ProposalChange
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
        db.flush()
        proposal = Proposal(
            kind="change", organisation_id=org.id, basin="sud", territory="sud", duplicates_seen=[]
        )
        proposal.changes = [
            ProposalChange(field="phones", directory_value=[], proposed_value=["+32 2 538 11 22"]),
        ]
        refused = Proposal(
            kind="change", organisation_id=org.id, basin="sud", territory="sud", duplicates_seen=[]
        )
        refused.changes = [ProposalChange(field="emails", directory_value=[], proposed_value=["a@b.example"])]
        overlays = [
            Overlay(
                organisation_id=org.id, field=field, value="x", source_value="y", state="review", history=[]
            )
            for field in ("opening_hours_fr", "opening_hours_nl")
        ]
        db.add_all([proposal, refused, *overlays])
        db.commit()
        world.ids["proposal"] = proposal.id
        world.ids["refused_proposal"] = refused.id
        world.ids["overlay_kept"], world.ids["overlay_dropped"] = (o.id for o in overlays)
        world.ids["organisation"] = org.id
        world.ids["synonym_group"] = group.id
        world.ids["need"] = need.id


def directory_managers(user):
    if user is None:
        return "login"
    return "ok" if user in (("admin", "region"), ("coordinator", "region")) else "forbidden"


def proposers(user):
    """Operators and coordinators propose; admins do not work on the directory's content."""
    if user is None:
        return "login"
    return "forbidden" if user[0] == "admin" else "ok"


def regional_coordinators(user):
    """Decisions on proposals (STEWARDSHIP_BASIN_COORDINATORS_VALIDATE off, as by default)."""
    if user is None:
        return "login"
    return "ok" if user == ("coordinator", "region") else "forbidden"


def proposal_readers(user):
    """A proposal is read by its author and by those who decide it; to the others it does not exist."""
    if user is None:
        return "login"
    return "ok" if user == ("coordinator", "region") else "hidden"


def _propose_url(w):
    return f"/directory/organisations/{w.ids['organisation']}/propose"


CASES = [
    Case("stewardship.propose", url=_propose_url, expect=proposers),
    Case(
        "stewardship.propose",
        "POST",
        _propose_url,
        {"phones": "02 538 99 00"},
        expect=proposers,
        label="post",
    ),
    Case("stewardship.propose_new", url="/directory/proposals/new?name=Nouveau", expect=proposers),
    Case(
        "stewardship.propose_new",
        "POST",
        "/directory/proposals/new",
        {"name_fr": "Centre tout neuf", "postcode": "1000", "distinct": "y"},
        expect=proposers,
        label="post",
    ),
    Case("stewardship.queue", url="/directory/proposals", expect=regional_coordinators),
    Case("stewardship.mine", url="/directory/proposals/mine", expect=proposers),
    Case(
        "stewardship.export",
        "POST",
        "/directory/proposals/export",
        {"since": "2026-01-01", "format": "csv"},
        expect=regional_coordinators,
    ),
    Case(
        "stewardship.detail",
        url=lambda w: f"/directory/proposals/{w.ids['proposal']}",
        expect=proposal_readers,
    ),
    Case(
        "stewardship.accept",
        "POST",
        lambda w: f"/directory/proposals/{w.ids['proposal']}/accept",
        {},
        expect=regional_coordinators,
    ),
    Case(
        "stewardship.refuse",
        "POST",
        lambda w: f"/directory/proposals/{w.ids['refused_proposal']}/refuse",
        {"reason": "Déjà connu."},
        expect=regional_coordinators,
    ),
    Case(
        "stewardship.overlay_keep",
        "POST",
        lambda w: f"/directory/overlays/{w.ids['overlay_kept']}/keep",
        {},
        expect=regional_coordinators,
    ),
    Case(
        "stewardship.overlay_drop",
        "POST",
        lambda w: f"/directory/overlays/{w.ids['overlay_dropped']}/drop",
        {},
        expect=regional_coordinators,
    ),
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
