"""The report as a PDF, as a coordinator downloads it: over HTTP, read back with poppler (pdftotext, pdfinfo,
pdftoppm) as a reader's viewer would, in French and Dutch, internal and public."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpdesk.reports.pdf import css_string, static_only_fetcher


@pytest.fixture(autouse=True)
def _poppler():
    missing = [tool for tool in ("pdftotext", "pdfinfo", "pdftoppm") if not shutil.which(tool)]
    assert not missing, f"{missing} missing: `make system-deps` installs poppler-utils"


HEADINGS = {
    "fr": ("Graphiques", "Demandes par thème", "Définitions", "Demandes reçues"),
    "nl": ("Grafieken", "Aanvragen per thema", "Definities", "Ontvangen aanvragen"),
}
VERSION = {"fr": ("Version publique", "Version interne"), "nl": ("Publieke versie", "Interne versie")}
PAGE = {"fr": "Page {page} sur {pages}", "nl": "Pagina {page} van {pages}"}
# A4 (595.28 x 841.89 pt) at 72 dpi, in pixels, as pdftoppm rounds it (up).
A4_PIXELS = (596, 842)
SMALL = re.compile(r"(?<![\d,.\-])[1-4](?![\d,.\-%])")


def _download(client, tmp_path: Path, language: str, public: bool) -> Path:
    query = f"period=2026-Q4&territory=sud&format=pdf&language={language}" + ("&public=1" if public else "")
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    suffix = "-public" if public else ""
    assert f'filename="report-2026-Q4-sud-{language}{suffix}.pdf"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF-")
    path = tmp_path / f"{language}{suffix}.pdf"
    path.write_bytes(response.data)
    return path


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _read_ppm(path: Path) -> tuple[int, int, bytes]:
    """A binary PPM (P6) as pdftoppm writes it: width, height, RGB bytes."""
    data = path.read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and depth == b"255"
    return int(width), int(height), pixels


def _small_counts_by_theme(client) -> dict[str, int]:
    """The themes whose internal count is 1 to 4: what the public version must not print."""
    data = json.loads(client.get("/reports/?period=2026-Q4&territory=sud&format=json&language=fr").data)
    small = {row["label"]: row["count"] for row in data["by_theme"] if 1 <= row["count"] <= 4}
    assert small, "the fixture should have small counts by theme"
    return small


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_report_pdf_over_http_translated_paged_and_public_suppression(
    client, logged_in, october_world, tmp_path, language
):
    logged_in("coordinator", "region", locale="en")
    small = _small_counts_by_theme(client)
    internal, public = (_download(client, tmp_path, language, flag) for flag in (False, True))
    for path, version in zip((public, internal), VERSION[language], strict=True):
        pages = _pages(path)
        assert pages >= 2
        text = _text(path)
        for heading in HEADINGS[language]:
            assert heading in text, heading
        # Header and footer on every page: territory and period, version, "page n of N".
        assert text.count("Bassin Sud · T4 2026" if language == "fr" else "Zorgregio Zuid · K4 2026") >= pages
        assert text.count(version) >= pages
        for page in (1, pages):
            assert PAGE[language].format(page=page, pages=pages) in text
    public_text, internal_text = _text(public), _text(internal)
    assert "Médecin" in internal_text and "Médecin" not in public_text  # free text: internal only
    if language == "fr":  # the labels of the JSON are French; in the internal PDF they carry their count
        for label, count in small.items():
            lines = [line for line in internal_text.splitlines() if line.strip().startswith(label)]
            assert any(re.search(rf"(?<!\d){count}(?!\d)", line) for line in lines), label
            public_lines = [line for line in public_text.splitlines() if label in line]
            assert public_lines and any("<5" in line for line in public_lines), label
            assert not any(SMALL.search(line.replace(label, "")) for line in public_lines), public_lines
    assert "<5" in public_text and "<5" not in internal_text


@pytest.mark.slow
def test_report_pdf_pages_render_as_a4_images_not_blank_with_charts(
    client, logged_in, october_world, tmp_path
):
    logged_in("coordinator", "sud", locale="nl")
    response = client.get("/reports/?month=2026-10&format=pdf&public=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    pages = _pages(pdf)
    subprocess.run(["pdftoppm", "-r", "72", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.ppm"))
    assert len(images) == pages
    for image in images:
        width, height, pixels = _read_ppm(image)
        assert (width, height) == A4_PIXELS, image.name
        dark = sum(1 for i in range(0, len(pixels), 3) if pixels[i + 1] < 160)
        assert dark > width * height // 400, f"{image.name} is (almost) blank"
    # The first page has the charts: the blue of the columns (#0b5cad) is there.
    _, _, first = _read_ppm(images[0])
    blue = sum(1 for i in range(0, len(first), 3) if first[i + 2] > 150 and first[i] < 60)
    assert blue > 200


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [
        ("coordinator", "month=2026-10&territory=nord", 404),  # another basin's report
        ("coordinator", "month=2026-13", 400),  # no such month: explained, not rendered
        ("operator", "month=2026-10", 403),  # operators read no report
    ],
)
def test_report_pdf_follows_the_html_reports_access_rules(
    client, logged_in, october_world, role, query, status
):
    logged_in(role, "sud")
    assert client.get(f"/reports/?{query}&format=pdf").status_code == status


def test_report_page_offers_the_pdf_download(client, logged_in, october_world):
    logged_in("coordinator", "sud", locale="fr")
    html = client.get("/reports/?period=2026-Q4&public=1").get_data(as_text=True)
    assert "format=pdf" in html and ">PDF</a>" in html
    assert "imprimez cette page" not in html


@pytest.mark.slow
def test_report_period_command_writes_a_pdf(app, runner, october_world, tmp_path):
    output = tmp_path / "q4.pdf"
    result = runner.invoke(
        args=["report", "period", "--period", "2026-Q4", "--territory", "sud", "--format", "pdf"]
        + ["--language", "nl", "--public", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "(pdf, nl)" in result.output
    assert output.read_bytes().startswith(b"%PDF-") and _pages(output) >= 2
    assert "Publieke versie" in _text(output)


def test_pdf_fetcher_serves_only_the_apps_static_files(app):
    with app.app_context():
        fetcher = static_only_fetcher()
        response = fetcher.fetch("https://helpdesk.invalid/static/css/reports.css")
        assert response.content_type == "text/css" and b".report" in response.read()
        response.close()
        for url in (
            "https://example.org/static/css/reports.css",
            "http://127.0.0.1:5432/",
            "file:///etc/passwd",
            "https://helpdesk.invalid/static/../config.py",
            "https://helpdesk.invalid/static/%2e%2e/config.py",
            "https://helpdesk.invalid/reports/",
            "data:text/css,body{}",
        ):
            with pytest.raises(ValueError):
                fetcher.fetch(url)


def test_css_string_cannot_leave_its_quotes_nor_the_style_element():
    assert css_string('Sud "x" \\ </style>\n') == '"Sud \\22 x\\22  \\5c  \\3c /style\\3e \\a "'
