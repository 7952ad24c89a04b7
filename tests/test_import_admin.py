"""The admin pages of the directory: upload or address, dry-run report, confirm, history; duplicates."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from directory_import.models import DuplicateDismissal, ImportRun, Organisation, utcnow
from directory_import.sync import import_path
from helpdesk.db import get_session
from helpdesk.directory.models import OrganisationNote
from tests.conftest import csrf_token, login
from tests.fixtures.jobs import follow_job, run_jobs


def _upload(client, path, name=None, **extra):
    """Upload a file, let the worker read it, and return the job page's answer (a redirect to the run)."""
    data = {
        "csrf_token": csrf_token(client, "/admin/imports"),
        "format": "auto",
        "url": "",
        "file": (io.BytesIO(path.read_bytes()), name or path.name),
        **extra,
    }
    return follow_job(
        client,
        client.application,
        client.post("/admin/imports", data=data, content_type="multipart/form-data"),
    )


def _count(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Organisation))


def test_import_admin_upload_shows_the_dry_run_then_confirm_applies(app, client, logged_in, data_dir):
    logged_in("admin", "region")
    response = _upload(client, data_dir / "directory_v1.json")
    assert response.status_code == 302
    run_page = response.headers["Location"]
    html = client.get(run_page).get_data(as_text=True)
    assert "Apply this import" in html or "Appliquer cet import" in html
    assert _count(app) == 0
    run_id = int(re.search(r"/admin/imports/(\d+)", run_page).group(1))
    confirmed = client.post(
        f"/admin/imports/{run_id}/confirm", data={"csrf_token": csrf_token(client, run_page)}
    )
    assert confirmed.status_code == 302
    run_jobs(app)
    assert _count(app) == 8
    with app.app_context():
        db = get_session()
        dry, applied = (
            db.get(ImportRun, run_id),
            db.scalar(select(ImportRun).where(ImportRun.dry_run.is_(False))),
        )
        assert dry.confirmed_run_id == applied.id and applied.added == 8
        assert applied.started_by.startswith("admin.region")
    history = client.get("/admin/imports").get_data(as_text=True)
    assert "directory_v1.json" in history


def test_import_admin_confirm_twice_applies_once(app, client, logged_in, data_dir):
    logged_in("coordinator", "region")
    run_page = _upload(client, data_dir / "directory_v1.json").headers["Location"]
    token = csrf_token(client, run_page)
    client.post(f"{run_page}/confirm", data={"csrf_token": token})
    run_jobs(app)
    again = client.post(f"{run_page}/confirm", data={"csrf_token": token}, follow_redirects=True)
    assert "already applied" in again.get_data(as_text=True) or "déjà été appliqué" in again.get_data(
        as_text=True
    )
    with app.app_context():
        assert (
            get_session().scalar(
                select(func.count()).select_from(ImportRun).where(ImportRun.dry_run.is_(False))
            )
            == 1
        )


def test_import_admin_rejected_rows_are_listed_with_lines_in_dutch(client, logged_in, data_dir):
    logged_in("admin", "region", locale="nl")
    response = _upload(client, data_dir / "directory_malformed.csv", follow_redirects=True)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Afgewezen rijen" in html
    assert "<td>3</td><td>Deze rij heeft 5 cellen terwijl de kop 23 kolommen heeft.</td>" in html


def test_import_admin_rejected_rows_in_french(client, logged_in, data_dir):
    logged_in("admin", "region", locale="fr")
    html = client.get(_upload(client, data_dir / "directory_malformed.json").headers["Location"]).get_data(
        as_text=True
    )
    assert "<td>2</td><td>Pas d’identifiant.</td>" in html


def test_import_admin_broken_file_changes_nothing_and_says_why(app, client, logged_in, data_dir):
    logged_in("admin", "region", locale="en")
    page = client.get(_upload(client, data_dir / "directory_broken.json").headers["Location"])
    html = page.get_data(as_text=True)
    assert "This file cannot be imported. The file stops in the middle, after record 1" in html
    assert _count(app) == 0


def test_import_admin_says_why_a_file_failed_in_the_readers_language(
    app, client, logged_in, make_user, tmp_path
):
    """The reason comes from the import library as a code: the page says it in Dutch, the parser's own words
    under "Technical details"; the run page says it again in the language of whoever opens it later
    (tests/test_admin_import_failures.py: more broken files)."""
    logged_in("admin", "region", locale="nl")
    broken = tmp_path / "afgebroken.json"
    broken.write_text(
        '{"exportDate": "2026-11-01", "organisations": [{"id": 1, "nameFr": "A"}, {"id": 2, "nam'
    )
    run_page = _upload(client, broken).headers["Location"]
    html = client.get(run_page).get_data(as_text=True)
    assert "Dit bestand kan niet worden geïmporteerd. Het bestand stopt halverwege, na fiche 1" in html
    french = app.test_client()
    login(french, make_user("admin", "region", locale="fr").email)
    html = french.get(run_page).get_data(as_text=True)
    assert "Ce fichier ne peut pas être importé. Le fichier s’arrête au milieu, après la fiche 1" in html
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    html = french.get(_upload(french, empty).headers["Location"]).get_data(as_text=True)
    assert "Le fichier est vide." in html and "the file is empty" not in html
    assert _count(app) == 0


def test_import_admin_failed_download_is_explained_in_dutch(app, client, logged_in):
    """Refused, or not found: the page says the same whatever the network did (no port scanning)."""
    app.config.update(FETCH_RETRIES=0, FETCH_TIMEOUT_SECONDS=2, FETCH_ALLOWED_HOSTS=["127.0.0.1"])
    logged_in("admin", "region", locale="nl")
    response = client.post(
        "/admin/imports",
        data={
            "csrf_token": csrf_token(client, "/admin/imports"),
            "url": "http://127.0.0.1:9/export.json",
            "format": "auto",
        },
    )
    run_page = follow_job(client, app, response)
    html = client.get(run_page.headers["Location"]).get_data(as_text=True)
    assert "De export kon niet worden opgehaald van dit adres." in html
    assert "Connection refused" not in html and "Errno" not in html
    assert _count(app) == 0


def test_import_admin_needs_a_file_or_an_address(client, logged_in):
    logged_in("admin", "region", locale="en")
    response = client.post(
        "/admin/imports",
        data={"csrf_token": csrf_token(client, "/admin/imports"), "url": "", "format": "auto"},
    )
    assert response.status_code == 400
    assert "Choose a file or give the address of an export." in response.get_data(as_text=True)


def test_import_admin_refuses_a_post_without_csrf(app, client, logged_in, data_dir):
    logged_in("admin", "region")
    response = client.post(
        "/admin/imports",
        data={"url": "", "format": "auto", "file": (io.BytesIO(b"{}"), "x.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _count(app) == 0


def test_import_admin_imports_from_an_address(app, client, logged_in, export_server, data_dir):
    export_server.serve((data_dir / "directory_v1.json").read_bytes(), '"v1"')
    logged_in("admin", "region")
    app.config["FETCH_ALLOWED_HOSTS"] = ["127.0.0.1"]
    response = follow_job(
        client,
        app,
        client.post(
            "/admin/imports",
            data={
                "csrf_token": csrf_token(client, "/admin/imports"),
                "url": export_server.url,
                "format": "json",
            },
        ),
    )
    assert response.status_code == 302
    client.post(
        f"{response.headers['Location']}/confirm",
        data={"csrf_token": csrf_token(client, response.headers["Location"])},
    )
    run_jobs(app)
    assert _count(app) == 8
    with app.app_context():
        assert (
            get_session().scalar(select(ImportRun.source).where(ImportRun.dry_run.is_(False)))
            == export_server.url
        )


def test_import_admin_internal_address_is_a_form_error(app, client, logged_in):
    logged_in("admin", "region", locale="en")
    response = client.post(
        "/admin/imports",
        data={
            "csrf_token": csrf_token(client, "/admin/imports"),
            "url": "http://127.0.0.1:9/export.json",
            "format": "auto",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The export could not be downloaded" in html and "HELPDESK_FETCH_ALLOWED_HOSTS" in html


def _look_alikes(app, data_dir):
    with app.app_context():
        db = get_session()
        import_path(db, data_dir / "directory_v1.json")
        imported = db.scalar(select(Organisation).where(Organisation.source_id == "1001"))
        local = Organisation(
            source="local", source_id="ours-1", name_fr="Maison Medicale le Meridien", postcode="1210"
        )
        db.add(local)
        db.flush()
        db.add(OrganisationNote(organisation_id=imported.id, text="Liste d'attente de 3 mois"))
        db.commit()
        return local.id, imported.id


def test_import_admin_duplicates_merge_keeps_notes_and_survives_a_sync(app, client, logged_in, data_dir):
    local_id, imported_id = _look_alikes(app, data_dir)
    logged_in("admin", "region")
    html = client.get("/admin/duplicates").get_data(as_text=True)
    assert "Maison Medicale le Meridien" in html
    first, second = sorted((local_id, imported_id))
    keep = "first" if first == local_id else "second"
    response = client.post(
        "/admin/duplicates/merge",
        data={
            "csrf_token": csrf_token(client, "/admin/duplicates"),
            "first_id": first,
            "second_id": second,
            "keep": keep,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        db = get_session()
        import_path(db, data_dir / "directory_v1.json")
        db.commit()
        dropped = db.get(Organisation, imported_id)
        assert dropped.archived and dropped.merged_into_id == local_id
        assert [n.organisation_id for n in db.scalars(select(OrganisationNote))] == [local_id]
    assert 'name="first_id"' not in client.get("/admin/duplicates").get_data(as_text=True)


def test_import_admin_duplicates_dismiss_for_good(app, client, logged_in, data_dir):
    local_id, imported_id = _look_alikes(app, data_dir)
    logged_in("coordinator", "region")
    response = client.post(
        "/admin/duplicates/dismiss",
        data={
            "csrf_token": csrf_token(client, "/admin/duplicates"),
            "first_id": imported_id,
            "second_id": local_id,
        },
    )
    assert response.status_code == 302
    assert 'name="first_id"' not in client.get("/admin/duplicates").get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(DuplicateDismissal)) == 1


def test_import_admin_dry_run_warns_before_archiving_most_of_a_source(
    app, client, logged_in, data_dir, write_export, v1_organisations
):
    with app.app_context():
        db = get_session()
        import_path(db, data_dir / "directory_v1.json")
        db.commit()
    logged_in("admin", "region", locale="en")
    page = client.get(_upload(client, write_export(v1_organisations[:2])).headers["Location"])
    assert "This import would archive 6 of the 8 organisations of this source." in page.get_data(as_text=True)


def test_import_admin_files_of_forgotten_dry_runs_are_let_go(app, client, logged_in, data_dir):
    logged_in("admin", "region")
    old_page = _upload(client, data_dir / "directory_v1.json").headers["Location"]
    old_id = int(old_page.rsplit("/", 1)[1])
    with app.app_context():
        db = get_session()
        old = db.get(ImportRun, old_id)
        old.started_at = utcnow() - timedelta(days=3)
        stored = old.stored_path
        db.commit()
    _upload(client, data_dir / "directory_v2.json")
    with app.app_context():
        assert get_session().get(ImportRun, old_id).stored_path == ""
    assert not Path(stored).exists()
    assert "Apply this import" not in client.get(old_page).get_data(as_text=True)
