"""Access cases of the reports area: coordinators read their own territory, the region's read every one."""

from tests.access_cases import Case


def _coordinators(territory: str | None):
    """Who reads the report of ``territory`` (None: the page's default territory)."""

    def expect(user) -> str:
        if user is None:
            return "login"
        role, own = user
        if role != "coordinator":
            return "forbidden"
        if own == "region" or territory in (None, own):
            return "ok"
        return "hidden"

    return expect


CASES = [
    Case("reports.monthly", url="/reports/?month=2026-10", expect=_coordinators(None)),
    Case(
        "reports.monthly",
        url="/reports/?month=2026-10&territory=sud",
        expect=_coordinators("sud"),
        label="sud",
    ),
    Case(
        "reports.monthly",
        url="/reports/?month=2026-10&territory=all&public=1",
        expect=_coordinators("all"),
        label="all public",
    ),
    Case(
        "reports.monthly",
        url="/reports/?month=2026-10&territory=region&format=csv",
        expect=_coordinators("region"),
        label="region csv",
    ),
    Case(
        "reports.monthly",
        url="/reports/?month=2026-10&territory=nord&format=xlsx",
        expect=_coordinators("nord"),
        label="nord xlsx",
    ),
]
CASES += [
    Case(
        "reports.monthly",
        url="/reports/?period=2026-Q4&territory=sud",
        expect=_coordinators("sud"),
        label="sud quarter",
    ),
    Case(
        "reports.monthly",
        url="/reports/?period=2026-01..2026-06&territory=all&format=json",
        expect=_coordinators("all"),
        label="all range json",
    ),
]


def _region_only(user) -> str:
    """The territories side by side: the regional coordinators (who read every territory's report)."""
    if user is None:
        return "login"
    role, own = user
    if role != "coordinator":
        return "forbidden"
    return "ok" if own == "region" else "hidden"


CASES += [
    Case("reports.territories", url="/reports/territories?period=2026-Q4", expect=_region_only),
    Case(
        "reports.territories",
        url="/reports/territories?period=2026&format=csv&public=1",
        expect=_region_only,
        label="year csv public",
    ),
]
