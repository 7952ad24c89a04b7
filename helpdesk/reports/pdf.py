"""The report as a PDF rendered on the server (WeasyPrint): A4, header and footer, page numbers, charts.

The PDF is the standalone HTML document (``reports/document.html``: figures, inline SVG charts, tables,
definitions, the public suppression as the report computed it) laid out by WeasyPrint with the app's own
stylesheets. Nothing is fetched from the network while rendering: ``StaticOnlyFetcher`` serves the app's
static files and refuses every other URL, and the fonts are the system's (Debian's DejaVu, see the Makefile's
``system-deps``).
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from helpdesk.reports.model import MonthlyReport

# The document's base URL: a name that resolves nowhere, so that no relative URL can reach a real host.
ORIGIN = "https://helpdesk.invalid"
PDF_STYLESHEETS = ("reports.css", "report-pdf.css")
_CSS_UNSAFE = re.compile(r'[\\"<>\n\r\f\x00-\x1f\x7f]')


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes, control characters and ``<``/``>`` escaped
    (the string goes inside a <style> element)."""
    return '"' + _CSS_UNSAFE.sub(lambda m: "\\%x " % ord(m.group()), text) + '"'


def _page_css(report: MonthlyReport, title: str) -> Markup:
    """The @page rules: the header names the territory, the period and the version; the footer the report's
    title and the page."""
    running = css_string(
        _("%(territory)s · %(period)s", territory=report.territory_label, period=report.period_label)
    )
    version = css_string(_("Public version") if report.public else _("Internal version"))
    # The translated "Page 1 of 3" with the counters put in place of its placeholders.
    page = css_string(_("Page %(page)s of %(pages)s", page="\x01", pages="\x02"))
    page = page.replace("\\1 ", '" counter(page) "').replace("\\2 ", '" counter(pages) "')
    return Markup(
        "@page { @top-left { content: %s; } @top-right { content: %s; } "
        "@bottom-left { content: %s; } @bottom-right { content: %s; } }"
        % (running, version, css_string(title), page)
    )


def _stylesheets() -> Markup:
    folder = Path(current_app.static_folder or "") / "css"
    return Markup("\n".join((folder / name).read_text(encoding="utf-8") for name in PDF_STYLESHEETS))


def pdf_html(report: MonthlyReport, title: str, note: str, charts: list[tuple[str, Markup]]) -> str:
    """The HTML that WeasyPrint lays out (kept apart so that it can be read in a test)."""
    return render_template(
        "reports/document.html",
        report=report,
        title=title,
        note=note,
        charts=charts,
        styles=_stylesheets(),
        print_styles=_page_css(report, title),
    )


def static_only_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``ORIGIN/static/...`` from the app's static folder; refuses every other URL (no network,
        no file outside the static folder)."""

        def __init__(self, static_folder: Path, static_url_path: str) -> None:
            super().__init__(allowed_protocols=())
            self.folder = static_folder.resolve()
            self.prefix = f"{ORIGIN}{static_url_path.rstrip('/')}/"

        def fetch(self, url, headers=None):
            if not url.startswith(self.prefix):
                raise ValueError(f"the PDF renderer fetches only the app's static files, not {url}")
            relative = url[len(self.prefix) :].split("?", 1)[0].split("#", 1)[0]
            path = (self.folder / relative).resolve()
            if not path.is_relative_to(self.folder) or not path.is_file():
                raise ValueError(f"no static file {relative}")
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mimetype})

    return StaticOnlyFetcher(Path(current_app.static_folder or ""), current_app.static_url_path or "/static")


def to_pdf(report: MonthlyReport, title: str, note: str, charts: list[tuple[str, Markup]]) -> bytes:
    """The report as an A4 PDF; needs a request context (templates, ``url_for``) in the report's locale."""
    from weasyprint import HTML  # imported here: the pages that do not render a PDF do not load it

    html = pdf_html(report, title, note, charts)
    document = HTML(string=html, base_url=f"{ORIGIN}/", url_fetcher=static_only_fetcher(), media_type="print")
    return document.write_pdf()
