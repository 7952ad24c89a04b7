"""Retention with a frozen clock: past the period, no free text or contact detail of a request is left
anywhere in the database (every column of every table is searched), and not a day before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update

from directory_import.models import Base
from helpdesk.auth import operations as accounts
from helpdesk.auth.models import User
from helpdesk.db import get_engine, get_session
from helpdesk.followup.models import HelpRequest
from helpdesk.followup.operations import anonymise_closed_requests

SECRET = "Canari-RET-Zoë 0470 12 34 56 zoe@prive.example"
CLOSED_AT = datetime(2024, 3, 15, 10, 0, tzinfo=UTC)


def _everywhere(app) -> list[str]:
    """Tables and columns whose values hold the secret."""
    found = []
    with app.app_context(), get_engine().connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in row._mapping.items():
                    if value is not None and "Canari-RET" in str(value):
                        found.append(f"{table.name}.{column}")
    return sorted(set(found))


def test_retention_past_the_period_leaves_no_free_text_anywhere(
    app, client, make_user, make_organisation, themes
):
    operator = make_user("operator", "sud")
    org = make_organisation(name_fr="Maison médicale", postcode="1060")
    with app.app_context():
        db = get_session()
        token = accounts.create_api_token(db, db.get(User, operator.id), "t")
        db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "channel": "phone",
        "themes": ["housing"],
        "residence_postcode": "1060",
        "identity_confirmed": True,
        "question": f"{SECRET} cherche un logement",
        "caller": {
            "name": SECRET,
            "phone": "02 555 12 34",
            "email": "as@cpas.example",
            "organisation": SECRET,
        },
    }
    req = client.post("/api/v1/requests", json=body, headers=headers).get_json()
    assert (
        client.post(
            f"/api/v1/requests/{req['id']}/leads",
            headers=headers,
            json={"organisation_id": org.id, "note": SECRET, "identity_confirmed": True},
        ).status_code
        == 201
    )
    version = client.get(f"/api/v1/requests/{req['id']}", headers=headers).get_json()["version"]
    closed = client.post(
        f"/api/v1/requests/{req['id']}/close",
        headers=headers,
        json={"feedback": SECRET, "version": version, "identity_confirmed": True},
    )
    assert closed.status_code == 200, closed.get_json()
    with app.app_context():
        db = get_session()
        db.execute(update(HelpRequest).values(closed_at=CLOSED_AT))
        db.commit()
    assert "help_requests.question" in _everywhere(app)

    months = app.config["RETENTION_MONTHS"]
    with app.app_context():
        db = get_session()
        # The clock frozen one day before the end of the period: nothing is touched.
        assert (
            anonymise_closed_requests(
                db, older_than_months=months, now=CLOSED_AT + relativedelta(months=months) - timedelta(days=1)
            )
            == 0
        )
        db.commit()
    assert "help_requests.question" in _everywhere(app)
    with app.app_context():
        db = get_session()
        # One day after: every trace of the text is gone, the statistics stay.
        assert (
            anonymise_closed_requests(
                db, older_than_months=months, now=CLOSED_AT + relativedelta(months=months) + timedelta(days=1)
            )
            == 1
        )
        db.commit()
        saved = db.get(HelpRequest, req["id"])
        assert (
            saved.theme_codes == ["housing"] and saved.status == "closed" and saved.residence_basin == "sud"
        )
        assert (saved.caller_phone, saved.caller_email) == ("", "")
    assert _everywhere(app) == []
