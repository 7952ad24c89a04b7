"""Access cases of the requests area (intake, follow-up, operators' notes on organisations, themes admin).

The world holds a request of basin Sud (``sud``) and one recorded by Sud then transferred to the region
(``moved``). Writes send invalid data on purpose, so that the first allowed user does not change the state
the next users are checked against: an allowed user gets 400, a refused one 404 / 403.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from helpdesk.db import get_session
from tests.access_cases import Case, signed_in


def works(user):
    if user is None:
        return "login"
    return "forbidden" if user[0] == "admin" else "ok"


def sees(*territories):
    """Operators and coordinators of ``territories`` and of the region; nobody else (404)."""

    def expect(user):
        if user is None:
            return "login"
        if user[0] == "admin":
            return "hidden"
        return "ok" if user[1] in territories + ("region",) else "hidden"

    return expect


def regional_reviewers(user):
    if user is None:
        return "login"
    return "ok" if user[1] == "region" else "forbidden"


def admin_or_regional_coordinator(user):
    if user is None:
        return "login"
    return "ok" if user in (("admin", "region"), ("coordinator", "region")) else "forbidden"


def note_writers(user):
    if user is None:
        return "login"
    return "forbidden" if user[0] == "admin" else "ok"


def build(app, world):
    from directory_import.models import Organisation
    from helpdesk.auth import operations as accounts
    from helpdesk.directory.notes import add_note
    from helpdesk.followup import operations as ops
    from helpdesk.followup.models import Theme
    from helpdesk.followup.themes import seed_themes

    with app.app_context():
        db = get_session()
        seed_themes(db)
        sud = accounts.create_user(
            db,
            app.extensions["passwords"],
            email="sofia@access.example",
            password="a long password",
            role="operator",
            territory="sud",
        )
        org = Organisation(
            source="test", source_id="access-org", name_fr="Maison médicale du Midi", postcode="1060"
        )
        db.add(org)
        db.flush()
        record = ops.IntakeRecord(
            territory="sud",
            caller=ops.CallerRecord(name="Marie"),
            themes=["housing"],
            question="Un hébergement pour un homme à la rue.",
        )
        held = ops.create_request(db, sud, record)
        lead = ops.add_lead(db, sud, held, org.id)
        callback = ops.add_callback(db, sud, held, due_at=datetime.now(UTC) + timedelta(days=1))
        moved = ops.create_request(db, sud, record)
        ops.transfer_request(db, sud, moved, to="region", note="Pour le régional", expected_version=None)
        note = add_note(db, sud, org, "Liste d'attente de 3 mois", is_correction=True)
        db.commit()
        world.ids.update(
            sud=held.id,
            moved=moved.id,
            lead=lead.id,
            callback=callback.id,
            organisation=org.id,
            note=note.id,
            theme=db.scalar(select(Theme.id).where(Theme.code == "housing")),
        )


def _sud(suffix=""):
    return lambda w: f"/requests/{w.ids['sud']}{suffix}"


def _moved(suffix=""):
    return lambda w: f"/requests/{w.ids['moved']}{suffix}"


CASES = [
    # Intake and lists.
    Case("intake.new", url="/requests/new", expect=works),
    Case("intake.new", "POST", "/requests/new", {"question": ""}, expect=works, label="post"),
    Case("followup.todo", url="/requests/todo", expect=works),
    Case("followup.queue", url="/requests/", expect=works),
    # A request of basin Sud: Sud and the region read and change it.
    Case("followup.detail", url=_sud(), expect=sees("sud")),
    Case("followup.detail", url=_moved(), expect=sees("sud"), label="transferred away"),
    Case("followup.update", "POST", _sud(), {"upd-status": "new"}, expect=sees("sud")),
    Case("followup.update", "POST", _moved(), {"upd-status": "new"}, expect=sees(), label="transferred away"),
    Case("followup.edit", url=_sud("/edit"), expect=sees("sud")),
    Case("followup.edit", url=_moved("/edit"), expect=sees(), label="transferred away"),
    Case("followup.edit", "POST", _sud("/edit"), {"question": ""}, expect=sees("sud"), label="post"),
    Case("followup.take", "POST", _sud("/take"), {}, expect=sees("sud")),
    Case("followup.lead_results", url=_sud("/lead-search?lead_q=midi"), expect=sees("sud")),
    Case(
        "followup.lead_results",
        url=_moved("/lead-search?lead_q=midi"),
        expect=sees(),
        label="transferred away",
    ),
    Case("followup.add_lead", "POST", _sud("/leads"), {}, expect=sees("sud")),
    Case(
        "followup.update_lead",
        "POST",
        lambda w: f"/requests/{w.ids['sud']}/leads/{w.ids['lead']}",
        {},
        expect=sees("sud"),
    ),
    Case("followup.add_unmet_need", "POST", _sud("/unmet-needs"), {}, expect=sees("sud")),
    Case("followup.add_callback", "POST", _sud("/callbacks"), {}, expect=sees("sud")),
    Case(
        "followup.complete_callback",
        "POST",
        lambda w: f"/requests/{w.ids['sud']}/callbacks/{w.ids['callback']}/done",
        {},
        expect=sees("sud"),
    ),
    Case("followup.transfer", "POST", _sud("/transfer"), {}, expect=sees("sud")),
    Case("followup.transfer", "POST", _moved("/transfer"), {}, expect=sees(), label="transferred away"),
    Case("followup.share", "POST", _sud("/share"), {}, expect=sees("sud")),
    Case("followup.comment", "POST", _moved("/comments"), {}, expect=sees("sud")),
    Case("followup.close", "POST", _sud("/close"), {}, expect=sees("sud")),
    Case("followup.close", "POST", _moved("/close"), {}, expect=sees(), label="transferred away"),
    Case("followup.reopen", "POST", _sud("/reopen"), {}, expect=sees("sud")),
    Case("followup.reopen", "POST", _moved("/reopen"), {}, expect=sees(), label="transferred away"),
    Case("followup.orientation_preview", url=_sud("/orientation"), expect=sees("sud")),
    Case("followup.orientation_preview", url=_moved("/orientation"), expect=sees(), label="transferred away"),
    Case("followup.orientation_send", "POST", _sud("/orientation"), {"language": "xx"}, expect=sees("sud")),
    # Operators' notes on organisations: every territory; the corrections queue is regional.
    Case(
        "directory_notes.organisation_notes",
        url=lambda w: f"/directory/organisations/{w.ids['organisation']}/notes",
        expect=signed_in,
    ),
    Case(
        "directory_notes.organisation_notes",
        "POST",
        lambda w: f"/directory/organisations/{w.ids['organisation']}/notes",
        {"text": ""},
        expect=note_writers,
        label="post",
    ),
    Case("directory_notes.corrections", url="/directory/corrections", expect=regional_reviewers),
    Case("directory_notes.corrections_export", url="/directory/corrections.csv", expect=regional_reviewers),
    Case(
        "directory_notes.correction_done",
        "POST",
        lambda w: f"/directory/corrections/{w.ids['note']}/done",
        {},
        expect=regional_reviewers,
    ),
    # Themes admin.
    Case("admin_themes.themes", url="/admin/themes", expect=admin_or_regional_coordinator),
    Case(
        "admin_themes.themes",
        "POST",
        "/admin/themes",
        {"code": ""},
        expect=admin_or_regional_coordinator,
        label="post",
    ),
    Case(
        "admin_themes.themes_seed",
        "POST",
        "/admin/themes/seed",
        {},
        expect=admin_or_regional_coordinator,
    ),
    Case(
        "admin_themes.theme_edit",
        "POST",
        lambda w: f"/admin/themes/{w.ids['theme']}",
        {},
        expect=admin_or_regional_coordinator,
    ),
]
