"""The monthly figures against months of requests computed by hand (tests/fixtures/reports.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpdesk.db import get_session
from helpdesk.reports.periods import Month
from helpdesk.reports.queries import monthly_figures
from tests.fixtures.reports import EXPECTED_ALL, EXPECTED_SUD, TREND_MONTHS

BRUSSELS = ZoneInfo("Europe/Brussels")
OCTOBER = Month(2026, 10, BRUSSELS)


@pytest.fixture
def sud(app, october_world):
    with app.app_context():
        return monthly_figures(get_session(), OCTOBER, "sud")


@pytest.fixture
def everything(app, october_world):
    with app.app_context():
        return monthly_figures(get_session(), OCTOBER, "all")


def test_month_bounds_are_brussels_midnights_in_utc():
    assert OCTOBER.start == datetime(2026, 9, 30, 22, tzinfo=UTC)  # summer time
    assert OCTOBER.end == datetime(2026, 10, 31, 23, tzinfo=UTC)  # winter time since 25 October
    assert Month(2026, 1, BRUSSELS).shift(-1) == Month(2025, 12, BRUSSELS)
    assert str(Month.parse("2026-03", BRUSSELS).shift(12)) == "2027-03"


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-10", "", "2026-10-01", "octobre"])
def test_month_parse_refuses_what_is_not_a_month(text):
    with pytest.raises(ValueError):
        Month.parse(text, BRUSSELS)


def test_monthly_figures_requests_received_closed_open(sud):
    assert (sud.received, sud.closed, sud.open_at_end) == tuple(EXPECTED_SUD["requests"].values())


@pytest.mark.parametrize(
    "dimension",
    [
        "by_channel",
        "by_received_territory",
        "by_residence_basin",
        "by_function",
        "by_sector",
        "by_age_band",
        "by_theme",
        "by_situation_flag",
        "by_language",
    ],
)
def test_monthly_figures_request_dimensions(sud, dimension):
    assert getattr(sud, dimension) == EXPECTED_SUD[dimension]


def test_monthly_figures_leads_by_outcome(sud):
    assert sud.leads_by_outcome == EXPECTED_SUD["leads"]
    assert sud.leads_proposed == 6


def test_monthly_figures_saturation_by_organisation_and_theme(sud, october_world):
    orgs = october_world["organisations"]
    rows = [(r.organisation_id, r.name_fr, r.theme, r.waiting_list, r.refused) for r in sud.saturation]
    assert rows == [
        (orgs["a"], "Abri Sud", "housing", 2, 0),
        (orgs["a"], "Abri Sud", "mental_health", 1, 0),
        (orgs["c"], "Centre de santé mentale", "housing", 0, 1),
        (orgs["c"], "Centre de santé mentale", "mental_health", 0, 1),
    ]


def test_monthly_figures_unmet_needs_with_month_before_and_year_before(sud):
    assert sud.unmet_needs == EXPECTED_SUD["unmet_needs"]
    assert [sud.unmet_total(i) for i in range(3)] == [4, 1, 2]


def test_monthly_figures_time_to_first_answer_and_to_close(sud):
    answer, close = sud.time_to_first_answer, sud.time_to_close
    assert (answer.n, answer.median, answer.p90) == EXPECTED_SUD["time_to_first_answer"]
    assert (close.n, close.median, close.p90) == EXPECTED_SUD["time_to_close"]


def test_monthly_figures_even_count_median_is_the_mean_of_the_middle_two(app, make_report_request):
    for days in (1, 2, 3, 10):
        make_report_request("2026-10-05T10:00:00", closed_after=days)
    with app.app_context():
        close = monthly_figures(get_session(), OCTOBER, "sud").time_to_close
    assert (close.n, close.median, close.p90) == (4, 2.5, 10.0)


def test_monthly_figures_callbacks_overdue_and_feedback(sud):
    assert sud.callbacks_overdue == EXPECTED_SUD["callbacks_overdue"]
    assert sud.closed_with_feedback == EXPECTED_SUD["closed_with_feedback"]
    assert sud.feedback_rate == EXPECTED_SUD["feedback_rate"]


def test_monthly_figures_transfers_only_those_of_the_territory(sud, everything):
    assert sud.transfers == EXPECTED_SUD["transfers"]
    assert everything.transfers == EXPECTED_ALL["transfers"]


def test_monthly_figures_twelve_month_trend(sud):
    assert [p.month for p in sud.trend] == TREND_MONTHS
    assert [p.received for p in sud.trend] == EXPECTED_SUD["trend_received"]
    assert [p.closed for p in sud.trend] == EXPECTED_SUD["trend_closed"]
    assert [p.open_at_end for p in sud.trend] == EXPECTED_SUD["trend_open_at_end"]
    assert [p.unmet_needs for p in sud.trend] == EXPECTED_SUD["trend_unmet"]


def test_monthly_figures_for_all_territories(everything):
    assert (everything.received, everything.closed, everything.open_at_end) == tuple(
        EXPECTED_ALL["requests"].values()
    )
    assert everything.by_channel == EXPECTED_ALL["by_channel"]
    assert everything.by_received_territory == EXPECTED_ALL["by_received_territory"]
    assert everything.unmet_total(0) == EXPECTED_ALL["unmet_total"]


def test_monthly_figures_territories_partition_all(app, october_world):
    with app.app_context():
        session = get_session()
        parts = [
            monthly_figures(session, OCTOBER, t)
            for t in ("nord", "nord-est", "centre-ouest", "sud", "sud-est", "region")
        ]
        whole = monthly_figures(session, OCTOBER, "all")
    assert sum(p.received for p in parts) == whole.received
    assert sum(p.open_at_end for p in parts) == whole.open_at_end
    assert sum(p.unmet_total(0) for p in parts) == whole.unmet_total(0)


def test_monthly_figures_of_an_empty_month_are_zero(app):
    with app.app_context():
        figures = monthly_figures(get_session(), OCTOBER, "all")
    assert (figures.received, figures.closed, figures.open_at_end) == (0, 0, 0)
    assert figures.feedback_rate is None
    assert figures.time_to_close.median is None
    assert len(figures.trend) == 12


def test_a_reopened_request_keeps_its_closing_in_the_month_it_was_closed(app, make_user, make_request):
    """R1, created 5 Oct, closed 20 Oct with feedback, reopened 3 Nov, closed again 10 Nov without feedback.
    R2, created 10 Oct, closed 15 Oct with feedback, reopened 20 Nov, still open. October keeps both
    closings (as its report said before the reopenings); November counts R1's second closing and R2 open."""
    from helpdesk.followup import operations as ops
    from helpdesk.followup.models import HelpRequest, RequestEvent

    user = make_user("operator", "sud")
    first, second = make_request(user), make_request(user)
    steps = {
        first.id: [
            ("2026-10-05T10:00:00", None),
            ("2026-10-20T10:00:00", True),
            ("2026-11-03T10:00:00", "reopen"),
            ("2026-11-10T10:00:00", False),
        ],
        second.id: [
            ("2026-10-10T10:00:00", None),
            ("2026-10-15T10:00:00", True),
            ("2026-11-20T10:00:00", "reopen"),
        ],
    }
    with app.app_context():
        db = get_session()
        actor = db.merge(user)
        for request_id, timeline in steps.items():
            req = db.get(HelpRequest, request_id)
            req.created_at = datetime.fromisoformat(timeline[0][0]).replace(tzinfo=UTC)
            for when, what in timeline[1:]:
                if what == "reopen":
                    ops.reopen_request(db, actor, req, reason="rappel", expected_version=None)
                else:
                    closing = ops.ClosingRecord(
                        feedback_given=what,
                        feedback_text="ok" if what else "",
                        missing_reason="" if what else "injoignable",
                    )
                    ops.close_request(db, actor, req, closing, expected_version=None)
                    req.closed_at = datetime.fromisoformat(when).replace(tzinfo=UTC)
                event = db.scalars(
                    select(RequestEvent)
                    .where(RequestEvent.request_id == request_id)
                    .order_by(RequestEvent.id.desc())
                ).first()
                event.at = datetime.fromisoformat(when).replace(tzinfo=UTC)
                db.flush()
        db.commit()
        october = monthly_figures(db, OCTOBER, "sud")
        november = monthly_figures(db, Month(2026, 11, BRUSSELS), "sud")
        everywhere = monthly_figures(db, Month(2026, 11, BRUSSELS), "all")
    assert (october.received, october.closed, october.open_at_end) == (2, 2, 0)
    assert (october.closed_with_feedback, october.feedback_rate) == (2, 1.0)
    assert (october.time_to_close.n, october.time_to_close.median) == (2, 10.0)  # 15 and 5 days
    assert (november.received, november.closed, november.open_at_end) == (0, 1, 1)
    assert november.closed_with_feedback == 0
    assert (november.time_to_close.n, november.time_to_close.median) == (1, 36.0)
    assert [(p.month, p.closed, p.open_at_end) for p in november.trend[-2:]] == [
        ("2026-10", 2, 0),
        ("2026-11", 1, 1),
    ]
    assert (everywhere.closed, everywhere.open_at_end) == (1, 1)
