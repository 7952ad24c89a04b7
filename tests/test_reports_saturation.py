"""Saturation by directory category and by organisation, and searches that found nothing, as a coordinator
reads them on the report page and in its downloads."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from directory_import.models import Organisation
from helpdesk.db import get_session
from helpdesk.followup.models import Lead
from helpdesk.orientation.models import UnansweredSearch
from tests.fixtures.reports import add_request, utc

MM = [{"code": "mm", "label_fr": "Maison médicale", "label_nl": "Wijkgezondheidscentrum"}]
SSM = [
    {
        "code": "ssm",
        "label_fr": "Service de santé mentale",
        "label_nl": "Centrum voor geestelijke gezondheidszorg",
    }
]


@pytest.fixture
def saturation_world(app):
    """October 2026 in Sud: 12 leads to two medical centres and 6 to a mental health service."""
    with app.app_context():
        session = get_session()
        mm_a = Organisation(
            source="test", source_id="mm-a", name_fr="Centre Alpha", name_nl="Centrum Alpha", categories=MM
        )
        mm_b = Organisation(
            source="test", source_id="mm-b", name_fr="Centre Bêta", name_nl="Centrum Bèta", categories=MM
        )
        ssm = Organisation(
            source="test", source_id="ssm", name_fr="SSM Gamma", name_nl="CGG Gamma", categories=SSM
        )
        session.add_all([mm_a, mm_b, ssm])
        outcomes = {
            mm_a: ["waiting_list"] * 5 + ["accepted"] * 3,  # 5 of 8 saturated
            mm_b: ["refused"] * 2 + ["unreachable"] * 1 + ["accepted"],  # 3 of 4
            ssm: ["waiting_list"] * 6,  # 6 of 6
        }
        day = 1
        for org, listed in outcomes.items():
            for outcome in listed:
                request = add_request(session, f"2026-10-{day:02d}T09:00:00", "sud", themes=("housing",))
                session.add(
                    Lead(
                        request=request,
                        organisation=org,
                        outcome=outcome,
                        created_at=utc(f"2026-10-{day:02d}T10:00:00"),
                    )
                )
                day = day % 27 + 1
        for i in range(7):
            request = add_request(session, f"2026-10-{i + 1:02d}T11:00:00", "sud", themes=("health",))
            session.add(
                UnansweredSearch(
                    request_id=request.id,
                    territory="sud",
                    theme_code="health",
                    day=date(2026, 10, i + 1),
                    at=utc(f"2026-10-{i + 1:02d}T12:00:00"),
                )
            )
        request = add_request(session, "2026-10-09T11:00:00", "sud")
        session.add(
            UnansweredSearch(
                request_id=request.id,
                territory="sud",
                theme_code="",
                day=date(2026, 10, 9),
                at=utc("2026-10-09T12:00:00"),
            )
        )
        session.commit()


def _json(client, public: bool, language="en") -> dict:
    flag = "&public=1" if public else ""
    page = client.get(f"/reports/?month=2026-10&territory=sud&format=json&language={language}{flag}")
    assert page.status_code == 200
    return json.loads(page.get_data(as_text=True))


def test_saturation_by_category_counts_and_share_in_every_format(client, logged_in, saturation_world):
    logged_in("coordinator", "sud", locale="fr")
    data = _json(client, public=False)
    by_code = {row["category"]: row for row in data["saturation_by_category"]}
    assert by_code["mm"] | {"label": ""} == {
        "category": "mm",
        "label": "",
        "leads": 12,
        "waiting_list": 5,
        "refused": 2,
        "unreachable": 1,
        "share": pytest.approx(8 / 12),
    }
    assert by_code["ssm"]["share"] == 1.0
    assert [row["organisation"] for row in data["saturation_by_organisation"]][:2] == [
        "SSM Gamma",
        "Centre Alpha",
    ]
    assert "saturation_by_category" in data["definitions"]

    html = client.get("/reports/?month=2026-10&territory=sud").get_data(as_text=True)
    assert 'id="table-saturation_by_category"' in html and "Maison médicale" in html
    assert 'id="table-saturation_by_organisation"' in html and "67 %" in html.replace("\u00a0", " ").replace(
        "\u202f", " "
    )
    assert "Injoignable" in html

    text = client.get("/reports/?month=2026-10&territory=sud&format=csv").get_data(as_text=True)
    rows = {(r["dimension"], r["value"]): r["count"] for r in csv.DictReader(io.StringIO(text))}
    assert rows[("saturation_by_category.leads", "mm")] == "12"
    assert rows[("saturation_by_category.unreachable", "mm")] == "1"


def test_saturation_by_organisation_only_in_the_internal_version(client, logged_in, saturation_world):
    logged_in("coordinator", "sud", locale="nl")
    data = _json(client, public=True, language="nl")
    assert "saturation_by_organisation" not in data
    mm = next(row for row in data["saturation_by_category"] if row["category"] == "mm")
    # 2 refused and 1 unreachable are small: hidden, and the share that would give them back with them.
    assert (mm["leads"], mm["waiting_list"], mm["refused"], mm["unreachable"], mm["share"]) == (
        12,
        5,
        "<5",
        "<5",
        "x",
    )
    assert mm["label"] == "Wijkgezondheidscentrum"
    html = client.get("/reports/?month=2026-10&territory=sud&public=1").get_data(as_text=True)
    assert (
        'id="table-saturation_by_organisation"' not in html
        and "Centrum Alpha" not in html.split('id="table-saturation_by_category"')[1].split("</section>")[0]
    )


def test_unanswered_searches_by_theme_never_with_their_text(client, logged_in, saturation_world):
    logged_in("coordinator", "sud", locale="fr")
    assert _json(client, public=False)["unanswered_searches"] == {"": 1, "health": 7}
    assert _json(client, public=True)["unanswered_searches"] == {"": "<5", "health": "x"}
    html = client.get("/reports/?month=2026-10&territory=sud").get_data(as_text=True)
    section = html.split('id="table-unanswered_searches"')[1].split("</section>")[0]
    assert "Recherches sans résultat" in section or "Recherches qui n" in section
    assert "Sans thème" in section and ">8<" in section  # the total


def test_report_sections_empty_month_read_nothing(client, logged_in):
    logged_in("coordinator", "sud", locale="en")
    html = client.get("/reports/?month=2026-10&territory=sud").get_data(as_text=True)
    section = html.split('id="table-saturation_by_category"')[1].split("</section>")[0]
    assert "Nothing this month." in section
