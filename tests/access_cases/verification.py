"""Access cases of the verification by the helpdesk: the verify button (page and API) and the coordinators'
list of organisations to verify."""

from directory_import.models import Organisation
from helpdesk.db import get_session
from tests.access_cases import Case


def build(app, world):
    with app.app_context():
        db = get_session()
        org = Organisation(source="access", source_id="verify-1", name_fr="Service à vérifier", basin="nord")
        db.add(org)
        db.commit()
        world.ids["organisation_to_verify"] = org.id


def verifiers(user):
    """Operators and coordinators of every territory verify; admins do not."""
    if user is None:
        return "login"
    return "ok" if user[0] in ("operator", "coordinator") else "forbidden"


def coordinators(user):
    """Coordinators open the list (each their basin, the region's all); operators and admins do not."""
    if user is None:
        return "login"
    return "ok" if user[0] == "coordinator" else "forbidden"


CASES = [
    Case(
        "verification.verify",
        "POST",
        lambda w: f"/directory/organisations/{w.ids['organisation_to_verify']}/verify",
        {},
        expect=verifiers,
    ),
    Case("verification.to_verify", url="/directory/to-verify", expect=coordinators),
    Case(
        "verification.to_verify",
        url="/directory/to-verify?reason=stale&page=1",
        expect=coordinators,
        label="filtered",
    ),
    Case(
        "api_organisations.organisations_verify",
        "POST",
        lambda w: f"/api/v1/organisations/{w.ids['organisation_to_verify']}/verify",
        {"note": "called"},
        json=True,
        expect=verifiers,
    ),
]
