"""schemathesis against the API's own OpenAPI document: no 500, and every answer matches the schema."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from helpdesk.auth import operations as accounts
from helpdesk.auth.models import User
from helpdesk.db import get_session

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = int(os.environ.get("HELPDESK_SCHEMA_EXAMPLES", "25"))


@pytest.mark.slow
def test_api_schema_every_operation_answers_per_its_schema_never_500(
    app, make_user, make_request, make_organisation
):
    operator = make_user("operator", "sud")
    make_organisation(name_fr="Maison médicale Test", postcode="1060")
    make_request(operator)
    with app.app_context():
        db = get_session()
        token = accounts.create_api_token(db, db.get(User, operator.id), "schemathesis")
        db.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"
    failures = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{operation.label}: {response.status_code}")
                return
            try:
                case.validate_response(
                    response,
                    checks=[
                        schemathesis.checks.response_schema_conformance,
                        schemathesis.checks.not_a_server_error,
                    ],
                )
            except Exception as error:  # noqa: BLE001 - collect them all
                failures.append(f"{operation.label}: {str(error)[:300]}")

        check()
    assert failures == []
