"""Intake and follow-up through the pages, as operators use them (real HTTP, CSRF on)."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.audit import AuditEvent
from helpdesk.db import get_session
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest, RequestEvent
from tests.conftest import csrf_token, login

INTAKE = {
    "channel": "phone",
    "territory": "sud",
    "urgency": "normal",
    "caller_name": "Marie Dupont",
    "caller_function": "assistante sociale",
    "caller_sector": "cpas",
    "caller_organisation": "CPAS de Forest",
    "caller_phone": "02 555 12 34",
    "age_band": "45-64",
    "languages": ["fr", "ar"],
    "residence": "Sint-Gillis",
    "situation_flags": ["no_fixed_address"],
    "themes": ["housing"],
    "question": "Cherche un hébergement d'urgence pour ce soir.",
}


def post_intake(client, **changes):
    data = {**INTAKE, **changes, "csrf_token": csrf_token(client, "/requests/new")}
    return client.post("/requests/new", data=data)


def version_on(page: str, prefix: str) -> str:
    return re.search(
        rf'id="{prefix}-version" name="{prefix}-version" type="hidden" value="(\d+)"', page
    ).group(1)


def only_request(app) -> HelpRequest | None:
    with app.app_context():
        return (
            get_session().scalars(select(HelpRequest).options(selectinload(HelpRequest.themes))).one_or_none()
        )


def test_intake_records_the_request_with_reference_and_derived_basin(app, client, logged_in, themes):
    logged_in("operator", "sud")
    response = post_intake(client)
    assert response.status_code == 302
    request = only_request(app)
    assert re.fullmatch(rf"SUD-{datetime.now(UTC).year}-00001", request.reference)
    assert (request.residence_postcode, request.residence_basin) == ("1060", "sud")
    assert request.theme_codes == ["housing"] and request.languages == ["ar", "fr"]
    # the operator who records it follows it (tests/test_intake_taken.py: leaving it in the queue)
    assert request.status == "in_progress" and request.assigned_to_id == request.created_by_id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert request.reference in page and "Logement et sans-abrisme" in page


def test_intake_territory_defaults_to_the_operators_and_others_are_refused(client, logged_in, themes):
    logged_in("operator", "nord")
    page = client.get("/requests/new").get_data(as_text=True)
    # one receiving territory: not shown, sent as it is
    assert re.search(r'<input type="hidden" name="territory" value="nord"\s*/?>', page), page[
        page.find('name="territory"') - 40 :
    ][:120]
    assert 'value="sud"' not in page
    assert post_intake(client, territory="sud").status_code == 400


def test_intake_warns_about_an_identity_and_saves_once_confirmed(app, client, logged_in, themes):
    logged_in("operator", "sud")
    question = "Madame, NN 85073003329, appelle-la au 0470 12 34 56"  # checksum wrong: only "looks like"
    response = post_intake(client, question=question)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "numéro de registre national" in page and "numéro de téléphone" in page
    assert only_request(app) is None
    assert post_intake(client, question=question, confirm_identity="y").status_code == 302


@pytest.mark.parametrize(
    "residence, postcode",
    [("1190", "1190"), ("B-1180", "1180"), ("Ukkel", "1180"), ("saint gilles", "1060"), ("", "")],
)
def test_intake_residence_accepts_postcode_or_commune(app, client, logged_in, themes, residence, postcode):
    logged_in("operator", "sud")
    assert post_intake(client, residence=residence).status_code == 302
    assert only_request(app).residence_postcode == postcode


def test_intake_unknown_commune_is_an_error_not_a_crash(client, logged_in, themes):
    logged_in("operator", "sud")
    response = post_intake(client, residence="Atlantis")
    assert response.status_code == 400 and "Code postal ou commune inconnu" in response.get_data(as_text=True)


def test_reference_counts_per_territory_and_year(app, make_user, make_request):
    sud, nord = make_user("operator", "sud"), make_user("operator", "nord")
    refs = [make_request(sud).reference, make_request(sud).reference, make_request(nord).reference]
    year = datetime.now(UTC).year
    assert refs == [f"SUD-{year}-00001", f"SUD-{year}-00002", f"NORD-{year}-00001"]


def test_reference_is_unique_under_concurrent_intakes(app, make_user, themes):
    user = make_user("operator", "sud")
    references, errors = [], []

    def intake():
        try:
            with app.app_context():
                db = get_session()
                record = ops.IntakeRecord(territory="sud", caller=ops.CallerRecord(name="X"), question="?")
                references.append(ops.create_request(db, db.merge(user), record).reference)
                db.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=intake) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(int(r.rsplit("-", 1)[1]) for r in references) == list(range(1, 9))


def test_two_operators_saving_at_once_the_second_gets_the_current_state(app, client, make_user, make_request):
    first, second = make_user("operator", "sud"), make_user("operator", "sud")
    req = make_request(first)
    other = app.test_client()
    login(client, first.email)
    login(other, second.email)
    page_one = client.get(f"/requests/{req.id}").get_data(as_text=True)
    page_two = other.get(f"/requests/{req.id}").get_data(as_text=True)
    data = {"upd-version": version_on(page_one, "upd"), "upd-urgency": "normal", "upd-assigned_to": ""}
    assert (
        client.post(
            f"/requests/{req.id}",
            data={**data, "upd-status": "waiting", "csrf_token": csrf_token(client, "/")},
        ).status_code
        == 302
    )
    response = other.post(
        f"/requests/{req.id}",
        data={
            **data,
            "upd-version": version_on(page_two, "upd"),
            "upd-status": "answered",
            "csrf_token": csrf_token(other, "/"),
        },
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "a modifié cette demande entre-temps" in page and "En attente" in page
    with app.app_context():
        assert get_session().get(HelpRequest, req.id).status == "waiting"


def test_close_requires_the_feedback_or_why_none(app, client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    token = csrf_token(client, "/")
    data = {
        "cl-version": version_on(page, "cl"),
        "cl-feedback_given": "yes",
        "cl-feedback_channel": "phone",
        "csrf_token": token,
    }
    response = client.post(f"/requests/{req.id}/close", data=data)
    assert response.status_code == 400 and "Ce champ est obligatoire" in response.get_data(as_text=True)
    response = client.post(
        f"/requests/{req.id}/close",
        data={**data, "cl-feedback_given": "no", "cl-missing_reason": "Injoignable"},
    )
    assert response.status_code == 302
    closed = only_request(app)
    assert closed.status == "closed" and closed.feedback_given is False


def test_transfer_only_to_the_region_or_a_neighbouring_basin(client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    options = re.findall(
        r'<option value="([\w-]+)"',
        page[page.find('id="tr-to"') : page.find("</select>", page.find('id="tr-to"'))],
    )
    assert options == ["region", "centre-ouest", "sud-est"]
    response = client.post(
        f"/requests/{req.id}/transfer",
        data={
            "tr-version": version_on(page, "tr"),
            "tr-to": "nord",
            "tr-note": "x",
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 400


def test_share_for_advice_lets_the_other_territory_read_and_comment_not_change(
    app, client, make_user, make_request
):
    sud, nord = make_user("operator", "sud"), make_user("operator", "nord")
    req = make_request(sud)
    with app.app_context():
        db = get_session()
        ops.share_request(db, db.merge(sud), db.get(HelpRequest, req.id), to="nord", note="Un avis ?")
        db.commit()
    login(client, nord.email)
    assert client.get(f"/requests/{req.id}").status_code == 200
    token = csrf_token(client, "/")
    assert (
        client.post(
            f"/requests/{req.id}/comments", data={"cm-note": "Essayez le CPAS", "csrf_token": token}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/requests/{req.id}/share", data={"sh-to": "sud", "sh-note": "x", "csrf_token": token}
        ).status_code
        == 404
    )
    with app.app_context():
        kinds = [
            e.kind
            for e in get_session().scalars(select(RequestEvent).where(RequestEvent.request_id == req.id))
        ]
    assert kinds == ["created", "shared", "comment"]


def test_reading_a_request_is_audited_without_free_text(app, client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user)
    client.get(f"/requests/{req.id}")
    with app.app_context():
        events = (
            get_session()
            .scalars(
                select(AuditEvent).where(AuditEvent.object_type == "help_request").order_by(AuditEvent.id)
            )
            .all()
        )
    assert [e.action for e in events] == ["request.create", "request.view"]
    assert all(req.question not in str(e.details) for e in events)


def test_todo_sorts_callbacks_into_overdue_today_and_upcoming(app, client, make_user, make_request):
    user = make_user("operator", "sud")
    now = datetime.now(UTC)
    due = {"overdue": now - timedelta(hours=30), "upcoming": now + timedelta(days=3)}
    ids = {key: make_request(user).id for key in due}
    with app.app_context():
        db = get_session()
        for key, when in due.items():
            req = db.get(HelpRequest, ids[key])
            ops.add_callback(db, db.merge(user), req, due_at=when, note=f"cb-{key}")
        db.commit()
    login(client, user.email)
    page = client.get("/requests/todo").get_data(as_text=True)
    overdue, upcoming = page.find('id="overdue"'), page.find('id="upcoming"')
    assert overdue < page.find("cb-overdue") < page.find('id="today"') < upcoming < page.find("cb-upcoming")
    waiting = page[page.find('id="waiting"') : page.find('id="following"')]
    with app.app_context():
        references = [get_session().get(HelpRequest, i).reference for i in ids.values()]
    assert all(reference in waiting for reference in references)


def test_queue_shows_new_requests_and_transferred_ones_land_in_the_target_queue(
    app, client, make_user, make_request
):
    sud, region = make_user("operator", "sud"), make_user("operator", "region")
    req = make_request(sud)
    with app.app_context():
        db = get_session()
        ops.transfer_request(
            db, db.merge(sud), db.get(HelpRequest, req.id), to="region", note="à vous", expected_version=None
        )
        db.commit()
    login(client, region.email)
    page = client.get("/requests/").get_data(as_text=True)
    assert req.reference in page[page.find('id="queue"') : page.find('id="all"')]
    other = app.test_client()
    login(other, sud.email)
    page = other.get("/requests/").get_data(as_text=True)
    assert req.reference in page[page.find('id="passed-on"') : page.find('id="all"')]


def test_anonymise_blanks_old_closed_requests_and_keeps_statistics(app, runner, make_user, make_request):
    user = make_user("operator", "sud")
    old, recent = make_request(user, residence_postcode="1060"), make_request(user)
    with app.app_context():
        db = get_session()
        for req, closed in ((old, datetime.now(UTC) - timedelta(days=800)), (recent, datetime.now(UTC))):
            item = db.get(HelpRequest, req.id)
            ops.close_request(
                db,
                db.merge(user),
                item,
                ops.ClosingRecord(feedback_given=True, feedback_text="ok"),
                expected_version=None,
            )
            item.closed_at = closed
        db.commit()
    result = runner.invoke(args=["requests", "anonymise", "--older-than", "24m", "--json"])
    assert result.exit_code == 0 and '"anonymised": 1' in result.output
    with app.app_context():
        db = get_session()
        gone, kept = db.get(HelpRequest, old.id), db.get(HelpRequest, recent.id)
        assert (gone.question, gone.caller_name, gone.caller_phone, gone.feedback_text) == ("", "", "", "")
        assert gone.theme_codes == ["housing"] and gone.residence_basin == "sud" and gone.status == "closed"
        assert all("Looking for" not in str(e.changes) for e in gone.events)
        assert kept.question and kept.caller_name


def test_anonymise_rejects_a_bad_period(runner):
    result = runner.invoke(args=["requests", "anonymise", "--older-than", "soon"])
    assert result.exit_code != 0


def edit_data(page: str, **changes) -> dict:
    """The edit form as the browser would send it, from the page's current values."""
    data = {"version": re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)}
    data.update({k: v for k, v in INTAKE.items() if k != "territory"})
    data.update(changes)
    return data


def test_edit_corrects_the_situation_and_the_timeline_says_what(app, client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user, residence_postcode="1060")
    page = client.get(f"/requests/{req.id}/edit").get_data(as_text=True)
    assert "Marie Dupont" in page
    response = client.post(
        f"/requests/{req.id}/edit",
        data={
            **edit_data(
                page, residence="1190", themes=["housing", "mental_health"], caller_phone="02 555 99 99"
            ),
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 302
    edited = only_request(app)
    assert (edited.residence_postcode, edited.residence_basin) == ("1190", "sud")
    assert sorted(edited.theme_codes) == ["housing", "mental_health"]
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    timeline = page[page.find('id="timeline"') :]
    assert (
        "Demande corrigée" in timeline and "Téléphone pour rappeler" in timeline and "1060 → 1190" in timeline
    )
    assert "02 555 99 99" not in timeline


def test_edit_by_two_operators_at_once_never_loses_the_first_change(app, client, make_user, make_request):
    first, second = make_user("operator", "sud"), make_user("operator", "sud")
    req = make_request(first)
    other = app.test_client()
    login(client, first.email)
    login(other, second.email)
    page_one = client.get(f"/requests/{req.id}/edit").get_data(as_text=True)
    page_two = other.get(f"/requests/{req.id}/edit").get_data(as_text=True)
    assert (
        client.post(
            f"/requests/{req.id}/edit",
            data={**edit_data(page_one, question="Version de Sofia"), "csrf_token": csrf_token(client, "/")},
        ).status_code
        == 302
    )
    response = other.post(
        f"/requests/{req.id}/edit",
        data={**edit_data(page_two, question="Version de Sam"), "csrf_token": csrf_token(other, "/")},
    )
    assert response.status_code == 409
    assert "Version de Sofia" in response.get_data(as_text=True)
    assert only_request(app).question == "Version de Sofia"


def test_edit_warns_about_an_identity_in_the_new_question(app, client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/requests/{req.id}/edit",
        data={
            **edit_data(page, question="Écrire à jean.dupont@example.org"),
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 400 and "une adresse e-mail" in response.get_data(as_text=True)
    assert only_request(app).question == req.question


def test_a_name_in_a_handover_note_needs_confirmation(app, client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    data = {
        "tr-version": version_on(page, "tr"),
        "tr-to": "region",
        "tr-note": "Monsieur Mohamed El Amrani, sans logement",
        "csrf_token": csrf_token(client, "/"),
    }
    response = client.post(f"/requests/{req.id}/transfer", data=data)
    assert response.status_code == 400
    assert "« Note de transmission » semble contenir le nom d’une personne" in response.get_data(as_text=True)
    assert only_request(app).territory == "sud"
    assert (
        client.post(f"/requests/{req.id}/transfer", data={**data, "tr-confirm_identity": "y"}).status_code
        == 302
    )
    assert only_request(app).territory == "region"


def test_a_closed_request_is_reopened_with_a_reason_then_closed_again(app, client, logged_in, make_request):
    """The professional calls back a week later: the proposed shelter had no place after all."""
    user = logged_in("operator", "sud")
    req = make_request(user)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Rouvrir la demande" not in page
    token = csrf_token(client, "/")
    closing = {
        "cl-feedback_given": "yes",
        "cl-feedback_channel": "phone",
        "cl-feedback_text": "Orientée vers l'asile de nuit Pierre d'Angle",
        "csrf_token": token,
    }
    response = client.post(
        f"/requests/{req.id}/close", data={**closing, "cl-version": version_on(page, "cl")}
    )
    assert response.status_code == 302
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Rouvrir la demande" in page and 'id="cl-version"' not in page
    reopen = {"ro-version": version_on(page, "ro"), "csrf_token": token}

    response = client.post(f"/requests/{req.id}/reopen", data={**reopen, "ro-reason": "  "})
    assert response.status_code == 400 and "Ce champ est requis" in response.get_data(as_text=True)
    assert only_request(app).status == "closed"

    response = client.post(
        f"/requests/{req.id}/reopen",
        data={**reopen, "ro-reason": "Rappel : plus de place à Pierre d'Angle, chercher ailleurs"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f"Demande {req.reference} rouverte." in page
    reopened = only_request(app)
    assert (reopened.status, reopened.closed_at, reopened.feedback_given, reopened.feedback_text) == (
        "in_progress",
        None,
        None,
        "",
    )
    timeline = page[page.find('id="timeline"') :]
    assert "Rouverte" in timeline and "plus de place à Pierre d&#39;Angle" in timeline
    assert "Orientée vers l&#39;asile de nuit" in timeline  # the first closing stays in the history
    assert 'id="outcome"' not in page and 'id="cl-version"' in page  # open: the closing form is back

    # A stale form (the version seen before reopening) and a second reopen are both refused.
    response = client.post(f"/requests/{req.id}/reopen", data={**reopen, "ro-reason": "encore"})
    assert response.status_code == 409
    response = client.post(
        f"/requests/{req.id}/reopen",
        data={**reopen, "ro-version": version_on(page, "cl"), "ro-reason": "encore"},
    )
    assert response.status_code == 400 and "pas clôturée" in response.get_data(as_text=True)

    response = client.post(
        f"/requests/{req.id}/close",
        data={
            **closing,
            "cl-version": version_on(page, "cl"),
            "cl-feedback_text": "Place trouvée au Samusocial",
        },
    )
    assert response.status_code == 302
    again = only_request(app)
    assert again.status == "closed" and again.feedback_text == "Place trouvée au Samusocial"
    with app.app_context():
        db = get_session()
        kinds = list(
            db.scalars(
                select(RequestEvent.kind).where(RequestEvent.request_id == req.id).order_by(RequestEvent.id)
            )
        )
        assert kinds[-3:] == ["closed", "reopened", "closed"]
        actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(req.id))))
        assert "request.reopen" in actions


def test_an_anonymised_request_cannot_be_reopened(app, client, logged_in, make_request):
    user = logged_in("operator", "sud")
    req = make_request(user)
    with app.app_context():
        db = get_session()
        item = db.get(HelpRequest, req.id)
        closing = ops.ClosingRecord(feedback_given=True, feedback_text="ok")
        ops.close_request(db, db.merge(user), item, closing, expected_version=None)
        item.closed_at = datetime.now(UTC) - timedelta(days=800)
        db.commit()
        assert ops.anonymise_closed_requests(db, older_than_months=24) == 1
        db.commit()
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Rouvrir la demande" not in page
    response = client.post(
        f"/requests/{req.id}/reopen",
        data={
            "ro-version": str(only_request(app).version),
            "ro-reason": "rappel",
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 400 and "anonymisée" in response.get_data(as_text=True)
    assert only_request(app).status == "closed"


def test_intake_without_name_nor_organisation_says_the_rule_once_and_marks_both(
    app, client, logged_in, themes
):
    logged_in("operator", "sud")
    response = post_intake(client, caller_name="", caller_organisation="", caller_organisation_id="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count('id="caller-rule"') == 1
    assert "one of the two" in page or "l'un des deux" in page or "l&#39;un des deux" in page
    for name in ("caller_name", "caller_organisation"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert "caller-rule" in tag and 'aria-invalid="true"' in tag
    assert only_request(app) is None
