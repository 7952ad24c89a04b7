"""Access cases of the api area: the directory's organisations and help requests (session or bearer token)."""

from tests.access_cases import Case, anyone, signed_in
from tests.access_cases.directory import proposers, regional_coordinators
from tests.access_cases.requests import sees, works

# ---- organisations of the directory (helpdesk/api/organisations.py)
CASES: list = [
    Case("api_organisations.organisations_search", url="/api/v1/organisations?q=maison", expect=signed_in),
    Case(
        "api_organisations.organisations_detail",
        url=lambda w: f"/api/v1/organisations/{w.ids['organisation']}",
        expect=signed_in,
    ),
]

# ---- proposals on the directory (helpdesk/api/proposals.py); the world comes from access_cases/directory.py.
CASES += [
    Case(
        "api_proposals.proposals_create",
        "POST",
        lambda w: f"/api/v1/organisations/{w.ids['organisation']}/proposals",
        {},
        json=True,
        expect=proposers,
    ),
    Case(
        "api_proposals.proposals_create_organisation",
        "POST",
        "/api/v1/organisations/proposals",
        {},
        json=True,
        expect=proposers,
    ),
    Case("api_proposals.proposals_list", url="/api/v1/proposals", expect=proposers),
    Case(
        "api_proposals.proposals_accept",
        "POST",
        lambda w: f"/api/v1/proposals/{w.ids['proposal']}/accept",
        {},
        json=True,
        expect=regional_coordinators,
    ),
    Case(
        "api_proposals.proposals_refuse",
        "POST",
        lambda w: f"/api/v1/proposals/{w.ids['refused_proposal']}/refuse",
        {"reason": "Déjà connu."},
        json=True,
        expect=regional_coordinators,
    ),
]

# ---- help requests (helpdesk/api/requests_api.py); the world comes from tests/access_cases/requests.py.
# Writes send invalid bodies: an allowed user gets 400, others 404 (403 for accounts without request work).
CASES += [
    Case("api_openapi.openapi", url="/api/v1/openapi.json", expect=anyone),
    Case("api_requests.requests_create", "POST", "/api/v1/requests", {}, json=True, expect=works),
    Case("api_requests.requests_list", url="/api/v1/requests", expect=works),
    Case(
        "api_requests.requests_detail", url=lambda w: f"/api/v1/requests/{w.ids['sud']}", expect=sees("sud")
    ),
    Case(
        "api_requests.requests_detail",
        url=lambda w: f"/api/v1/requests/{w.ids['moved']}",
        expect=sees("sud"),
        label="transferred away",
    ),
    Case(
        "api_requests.requests_add_lead",
        "POST",
        lambda w: f"/api/v1/requests/{w.ids['sud']}/leads",
        {},
        json=True,
        expect=sees("sud"),
    ),
    Case(
        "api_suggestions.requests_suggestions",
        url=lambda w: f"/api/v1/requests/{w.ids['sud']}/suggestions",
        expect=sees("sud"),
    ),
    Case(
        "api_suggestions.requests_suggestions",
        url=lambda w: f"/api/v1/requests/{w.ids['moved']}/suggestions?limit=3",
        expect=sees("sud"),
        label="transferred away",
    ),
    Case(
        "api_requests.requests_transfer",
        "POST",
        lambda w: f"/api/v1/requests/{w.ids['sud']}/transfer",
        {},
        json=True,
        expect=sees("sud"),
    ),
    Case(
        "api_requests.requests_transfer",
        "POST",
        lambda w: f"/api/v1/requests/{w.ids['moved']}/transfer",
        {},
        json=True,
        expect=sees(),
        label="transferred away",
    ),
    Case(
        "api_requests.requests_close",
        "POST",
        lambda w: f"/api/v1/requests/{w.ids['sud']}/close",
        {},
        json=True,
        expect=sees("sud"),
    ),
    Case(
        "api_requests.requests_send_orientation",
        "POST",
        lambda w: f"/api/v1/requests/{w.ids['sud']}/send-orientation",
        {"language": "xx"},
        json=True,
        expect=sees("sud"),
    ),
    Case(
        "api_requests.requests_send_orientation",
        "POST",
        lambda w: f"/api/v1/requests/{w.ids['moved']}/send-orientation",
        {"language": "xx"},
        json=True,
        expect=sees(),
        label="transferred away",
    ),
    Case(
        "api_requests.requests_reopen",
        "POST",
        lambda w: f"/api/v1/requests/{w.ids['sud']}/reopen",
        {},
        json=True,
        expect=sees("sud"),
    ),
]
# ---- end of help requests
