"""Access cases of the administration pages."""

from helpdesk.db import get_session
from tests.access_cases import Case, admin_only


def admin_or_regional_coordinator(user):
    if user is None:
        return "login"
    return "ok" if user == ("admin", "region") or user == ("coordinator", "region") else "forbidden"


def build(app, world):
    from helpdesk.auth import operations as accounts

    with app.app_context():
        db = get_session()
        target = accounts.create_user(
            db,
            app.extensions["passwords"],
            email="target@access.example",
            password="a long password",
            role="operator",
            territory="nord",
        )
        accounts.create_api_token(db, target, "access")
        world.ids["user_token"] = _token_id(db, target.id)
        db.commit()
        world.ids["user"] = target.id
    _build_directory(app, world)
    _build_outbox(app, world)


def _build_outbox(app, world):
    from helpdesk.mail.outbox import queue_mail

    with app.app_context():
        db = get_session()
        message = queue_mail(
            db,
            kind="test",
            to="pro@access.example.org",
            subject="s",
            text="t",
            html="<p>t</p>",
            language="fr",
        )
        db.commit()
        world.ids["outbox_message"] = message.id


def _token_id(db, user_id: int) -> int:
    from sqlalchemy import select

    from helpdesk.auth.models import ApiToken

    return db.scalar(select(ApiToken.id).where(ApiToken.user_id == user_id))


def _build_directory(app, world):
    """A dry-run import waiting for confirmation, and a pair of look-alike organisations."""
    from pathlib import Path

    from directory_import.models import ImportRun, Organisation
    from helpdesk.directory.importing import imports_dir

    with app.app_context():
        db = get_session()
        stored = imports_dir() / "access-case.json"
        stored.write_bytes(
            (Path(__file__).resolve().parent.parent / "data" / "directory_v1.json").read_bytes()
        )
        run = ImportRun(
            source="access-case.json",
            source_key="access-case",
            format="json",
            dry_run=True,
            status="dry-run",
            stored_path=str(stored),
        )
        first = Organisation(
            source="local", source_id="dup-1", name_fr="Maison médicale Le Méridien", postcode="1210"
        )
        second = Organisation(
            source="access-case", source_id="dup-2", name_fr="Maison Medicale le Meridien", postcode="1210"
        )
        from helpdesk.jobs.models import Job

        job = Job(
            kind="directory.import",
            payload={"source": "access-case.json", "dry_run": True},
            state="failed",
            attempts=3,
            error="its worker stopped before the end, every attempt",
            created_by="admin@access.example",
            progress={},
            result={},
        )
        db.add_all([run, first, second, job])
        db.commit()
        world.ids.update(import_run=run.id, dup_first=first.id, dup_second=second.id, import_job=job.id)


def _pair(world):
    return {"first_id": world.ids["dup_first"], "second_id": world.ids["dup_second"], "keep": "first"}


CASES = [
    Case("admin.index", url="/admin/", expect=admin_or_regional_coordinator),
    Case("admin_users.users", url="/admin/users", expect=admin_only),
    Case("admin_outbox.outbox", url="/admin/outbox", expect=admin_only),
    Case("admin_addresses.addresses", url="/admin/territory-addresses", expect=admin_only),
    Case(
        "admin_outbox.outbox_message",
        url=lambda w: f"/admin/outbox/{w.ids['outbox_message']}",
        expect=admin_only,
    ),
    Case(
        "admin_outbox.outbox_retry",
        "POST",
        lambda w: f"/admin/outbox/{w.ids['outbox_message']}/retry",
        {},
        expect=admin_only,
    ),
    Case("admin_users.user_new", url="/admin/users/new", expect=admin_only),
    Case("admin_users.user_new", "POST", "/admin/users/new", {"email": "x"}, expect=admin_only, label="post"),
    Case("admin_users.user_edit", url=lambda w: f"/admin/users/{w.ids['user']}", expect=admin_only),
    Case(
        "admin_users.user_edit",
        "POST",
        lambda w: f"/admin/users/{w.ids['user']}",
        {"name": "Target", "role": "operator", "territory": "nord", "locale": "", "active": "y"},
        expect=admin_only,
        label="post",
    ),
    Case(
        "admin_users.user_password",
        "POST",
        lambda w: f"/admin/users/{w.ids['user']}/password",
        {},
        expect=admin_only,
    ),
    Case(
        "admin_users.user_token_revoke",
        "POST",
        lambda w: f"/admin/users/{w.ids['user']}/tokens/{w.ids['user_token']}/revoke",
        {},
        expect=admin_only,
    ),
    Case("admin_imports.imports", url="/admin/imports", expect=admin_or_regional_coordinator),
    Case(
        "admin_imports.imports",
        "POST",
        "/admin/imports",
        {"url": "", "format": "auto"},
        expect=admin_or_regional_coordinator,
        label="post",
    ),
    Case(
        "admin_imports.import_run",
        url=lambda w: f"/admin/imports/{w.ids['import_run']}",
        expect=admin_or_regional_coordinator,
    ),
    Case(
        "admin_imports.import_confirm",
        "POST",
        lambda w: f"/admin/imports/{w.ids['import_run']}/confirm",
        {},
        expect=admin_or_regional_coordinator,
    ),
    Case(
        "admin_imports.import_job",
        url=lambda w: f"/admin/imports/jobs/{w.ids['import_job']}",
        expect=admin_or_regional_coordinator,
    ),
    Case(
        "admin_imports.import_job_status",
        url=lambda w: f"/admin/imports/jobs/{w.ids['import_job']}.json",
        expect=admin_or_regional_coordinator,
    ),
    Case("admin_duplicates.duplicates", url="/admin/duplicates", expect=admin_or_regional_coordinator),
    Case(
        "admin_duplicates.duplicate_merge",
        "POST",
        "/admin/duplicates/merge",
        _pair,
        expect=admin_or_regional_coordinator,
    ),
    Case(
        "admin_duplicates.duplicate_dismiss",
        "POST",
        "/admin/duplicates/dismiss",
        _pair,
        expect=admin_or_regional_coordinator,
    ),
]
