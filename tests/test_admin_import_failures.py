"""A failed import page, with real broken files uploaded as an admin would: one translated reason, said once,
the parser's own words folded under "Technical details", no dry-run heading nor table of zeros; the history
names command-line and scheduled runs in words (issue 18, part 4)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from directory_import.models import ImportRun, Organisation
from helpdesk.db import get_session
from tests.conftest import csrf_token, login
from tests.fixtures.jobs import follow_job, run_jobs

TWO_RECORDS = b'{"organisations": [{"id": "a1", "nameFr": "A"}, {"id": "a2", "nameFr": "B"'


def upload(client, name: str, content: bytes) -> str:
    """Upload ``content`` as the file ``name``, let the worker read it; the run page's HTML."""
    data = {
        "csrf_token": csrf_token(client, "/admin/imports"),
        "format": "auto",
        "url": "",
        "file": (io.BytesIO(content), name),
    }
    response = client.post("/admin/imports", data=data, content_type="multipart/form-data")
    answer = follow_job(client, client.application, response)
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def outside_details(html: str) -> str:
    return re.sub(r"<details.*?</details>", "", main_of(html), flags=re.S)


@pytest.mark.parametrize(
    ("name", "content", "reason", "technical"),
    [
        (
            "coupe.json",
            b'{"organisations": [{"id": "a1", "nameFr": "Maison',
            "Le fichier s’arrête au milieu : il a été tronqué (téléchargement ou copie interrompus ?).",
            "premature EOF",
        ),
        (
            "coupe-apres.json",
            TWO_RECORDS,
            "Le fichier s’arrête au milieu, après la fiche 1 : il a été tronqué",
            "premature EOF",
        ),
        (
            "latin1.json",
            '{"organisations": [{"id": "a1", "nameFr": "Café social"}]}'.encode("cp1252"),
            "Le fichier n’est pas du texte UTF-8 (octets invalides vers l’octet 46) : enregistrez-le en UTF-8.",
            None,
        ),
        (
            "virgule.json",
            b'{"organisations": [{"id": "a1" "nameFr": "A"}]}',
            "Ce n’est pas du JSON valide : le fichier est abîmé, ou ce n’est pas un export du répertoire.",
            "I expect &#39;,&#39; or &#39;}&#39;",
        ),
        ("vide.csv", b"", "Le fichier est vide.", None),
        ("vide.json", b"  \n", "Le fichier est vide.", None),
        (
            "export.zip",
            b"PK\x03\x04" + b"\x00" * 40,
            "Ce n’est pas un fichier zip lisible : il est abîmé ou tronqué.",
            "bad zip file",
        ),
        (
            "export.csv",
            b"<!DOCTYPE html><html><body>Page introuvable</body></html>",
            "C’est une page web (HTML), pas un export du répertoire : vérifiez le fichier ou l’adresse.",
            None,
        ),
        (
            "utf16.csv",
            "id;nameFr\na1;Café\n".encode("utf-16"),
            "Le fichier est du texte UTF-16 : enregistrez-le en UTF-8",
            None,
        ),
    ],
)
def test_admin_import_failure_says_why_once_in_french(
    app, client, logged_in, name, content, reason, technical
):
    logged_in("admin", "region", locale="fr")
    html = upload(client, name, content)
    text = outside_details(html)
    assert text.count(reason) == 1, text  # one message, not a flash and the page both
    assert "Ce fichier ne peut pas être importé." in text
    assert "Essai à blanc" not in text and "report-counts" not in text  # no dry-run heading, no zeros
    assert "Import " in re.search(r"<h1>(.*?)</h1>", html).group(1) and "échec" in html
    for raw in ("premature EOF", "lexical error", "parse error", "bad zip file", "the file is"):
        assert raw not in text
    if technical:
        details = re.search(
            r"<details[^>]*><summary>Détails techniques</summary><pre>(.*?)</pre>", html, re.S
        )
        assert details and technical in details.group(1)
    else:
        assert "Détails techniques" not in html
    with app.app_context():
        assert get_session().scalars(select(Organisation)).first() is None


def test_admin_import_failure_in_dutch(client, logged_in):
    logged_in("admin", "region", locale="nl")
    text = outside_details(upload(client, "afgebroken.json", TWO_RECORDS))
    assert text.count("Het bestand stopt halverwege, na fiche 1: het werd afgebroken") == 1
    assert "premature EOF" not in text and "Proefimport" not in text


def test_admin_import_run_recorded_with_the_parsers_raw_utf8_words_says_what_they_mean(
    app, client, logged_in
):
    """Runs recorded before the readers checked UTF-8 themselves quote yajl's bytes: the page reads them."""
    with app.app_context():
        db = get_session()
        run = ImportRun(
            source="export.json",
            dry_run=True,
            status="failed",
            error="the JSON is broken after record 3: b'lexical error: invalid bytes in UTF8 string'",
            error_code="json_broken_after",
            error_params={"record": 3, "detail": "b'lexical error: invalid bytes in UTF8 string'"},
        )
        db.add(run)
        db.commit()
        run_id = run.id
    logged_in("admin", "region", locale="fr")
    html = client.get(f"/admin/imports/{run_id}").get_data(as_text=True)
    text = outside_details(html)
    assert text.count("Le fichier n’est pas du texte UTF-8 : enregistrez-le en UTF-8.") == 1
    assert "lexical error" not in text and "lexical error: invalid bytes in UTF8 string" in html


def test_admin_import_of_a_cp1252_csv_is_read_with_its_accents(app, client, logged_in):
    """A CSV saved by a spreadsheet in Windows-1252 is not refused: its accents come through."""
    logged_in("admin", "region", locale="fr")
    content = "id;nameFr;nameNl;postcode\na1;Café des santés;Gezondheidscafé;1060\n".encode("cp1252")
    html = upload(client, "tableur.csv", content)
    assert "Essai à blanc" in html and "report-counts" in html and "Détails techniques" not in html
    run_page = re.search(r'action="(/admin/imports/\d+)/confirm"', html).group(1)
    token = csrf_token(client, run_page)
    assert client.post(f"{run_page}/confirm", data={"csrf_token": token}).status_code == 302
    run_jobs(app)
    with app.app_context():
        names = get_session().scalars(select(Organisation.name_fr)).all()
    assert names == ["Café des santés"]


def test_admin_import_history_names_the_command_line_and_the_scheduled_sync(
    app, client, runner, logged_in, make_user, data_dir
):
    result = runner.invoke(args=["directory", "import", str(data_dir / "directory_v1.json"), "--quiet"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = get_session()
        cli_author = db.scalars(select(ImportRun.started_by)).one()
        assert cli_author.startswith("cli")
        db.add(ImportRun(source="https://example.org/export.json", status="unchanged", started_by="sync:www"))
        db.commit()
    logged_in("admin", "region", locale="fr")
    html = client.get("/admin/imports").get_data(as_text=True)
    history = html[html.index("<table") :]
    user = cli_author.partition(":")[2]
    assert (f"<td>ligne de commande ({user})</td>" if user else "<td>ligne de commande</td>") in history
    assert "<td>synchronisation planifiée (www)</td>" in history
    assert "cli:" not in history and "sync:www" not in history
    dutch = app.test_client()
    assert login(dutch, make_user("admin", "region", locale="nl").email).status_code == 302
    html = dutch.get("/admin/imports").get_data(as_text=True)
    assert "geplande synchronisatie (www)" in html and "opdrachtregel" in html
