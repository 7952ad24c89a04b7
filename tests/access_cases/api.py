"""Access cases of the api area: the directory's organisations (session or bearer token)."""

from tests.access_cases import Case, signed_in

CASES = [
    Case("api.organisations_search", url="/api/v1/organisations?q=maison", expect=signed_in),
    Case("api.organisations_detail", url=lambda w: f"/api/v1/organisations/{w.ids['organisation']}",
         expect=signed_in),
]
