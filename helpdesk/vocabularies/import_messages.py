"""What the import library's codes say, in the reader's language: why a row was rejected or a value dropped
(``ROW_MESSAGES``), why a whole source could not be imported (``SOURCE_MESSAGES``), a run's status and a
background import's stage. The admin pages and the ``helpdesk directory`` commands (in the shell's language,
``helpdesk.i18n.cli_language``) say the same."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory_import.models import ImportRun
from directory_import.readers.base import CodedError
from helpdesk.vocabularies.base import Vocabulary

# Reasons and warnings of the import library, by code, in the reader's language.
ROW_MESSAGES = {
    "not_object": _l("This record is not an object with fields."),
    "cell_count": _l("This row has %(cells)s cells where the header has %(columns)s columns."),
    "no_id": _l("No id."),
    "id_too_long": _l("The id is longer than %(max)s characters."),
    "no_name": _l("Organisation %(id)s has no name (neither French nor Dutch)."),
    "duplicate_id": _l("The id %(id)s appears twice (first on line %(first_line)s); this one is skipped."),
    "bad_postcode": _l("Postcode “%(value)s” dropped: not a Belgian postcode."),
    "bad_phone": _l("Phone number “%(value)s” dropped: not a phone number."),
    "bad_email": _l("E-mail address “%(value)s” dropped: not an e-mail address."),
    "bad_url": _l("Website “%(value)s” dropped: not a web address."),
    "bad_language": _l("Language “%(value)s” dropped: unknown language."),
    "bad_coordinates": _l("Coordinates “%(value)s” dropped: not in Belgium."),
    "field_too_long": _l("The value of %(field)s is longer than %(max)s characters."),
    "record_too_large": _l("This record is larger than %(max)s bytes."),
    "bad_company_number": _l("Company number “%(value)s” dropped: not a Belgian company number."),
    "record_fetch_failed": _l(
        "Record %(id)s could not be fetched (%(detail)s); its organisation is left as it was."
    ),
    "record_garbage": _l(
        "Record %(id)s could not be fetched (%(detail)s); its organisation is left as it was."
    ),
    "record_deferred": _l(
        "Record %(id)s was not fetched before the crawl's deadline; the next sync goes on from there."
    ),
}
# Why a whole source could not be imported (or downloaded), by code, in the reader's language. A
# "detail" is the parser's or the server's own words, quoted as they are.
SOURCE_MESSAGES = {
    "no_file": _l("There is no file at %(path)s."),
    "empty": _l("The file is empty."),
    "unknown_format": _l("Unknown format “%(format)s” (expected one of %(expected)s)."),
    "no_separator": _l("No column separator in the first line (expected ; or ,)."),
    "csv_header": _l(
        "The header has no id column or no name column (nameFr, nameNl): is this the right file?"
    ),
    "csv_unreadable": _l("The CSV cannot be read near line %(line)s: is this a CSV export of the directory?"),
    "csv_utf16": _l("The file is UTF-16 text: save it as UTF-8 (in a spreadsheet: “CSV UTF-8”)."),
    "html_page": _l(
        "This is a web page (HTML), not an export of the directory: check the file or the address."
    ),
    "json_not_export": _l("This is not a JSON export: it does not start with { or [."),
    "json_broken": _l(
        "This is not valid JSON: the file is damaged, or it is not an export of the directory."
    ),
    "json_no_list": _l("No list of organisations in this JSON (expected a key “organisations”)."),
    "json_broken_after": _l(
        "The JSON is damaged after record %(record)s: the rest of the file cannot be read."
    ),
    "zip_unreadable": _l("This is not a readable zip file: it is damaged or was cut off."),
    "member_unreadable": _l("%(name)s in the package cannot be read."),
    "hsds_datapackage": _l("datapackage.json is not valid JSON."),
    "hsds_no_organizations": _l("There is no organizations.csv in this HSDS package."),
    "bad_source_key": _l(
        "“%(key)s” cannot be a source key (lower-case letters, digits, “-”, “.”, “_”; not “local”)."
    ),
    "nothing_usable": _l("Not one organisation could be read from this source."),
    "rolled_back": _l("The import failed and was rolled back: nothing changed."),
    # Every network failure says the same, whatever the server or the network did: the details are in the
    # server's log, not on a page that could be used to probe the network.
    "unreachable": _l("The export could not be fetched from this address."),
    "address_refused": _l(
        "%(host)s is an address of an internal network: imports only reach public "
        "addresses, unless the server's administrator lists this host in "
        "HELPDESK_FETCH_ALLOWED_HOSTS."
    ),
    "bad_scheme": _l("Only http and https addresses can be imported."),
    "too_large": _l("The export is larger than the limit of %(limit)s bytes."),
    "json_encoding": _l("The file is not UTF-8 text (invalid bytes near byte %(offset)s): save it as UTF-8."),
    "json_too_deep": _l(
        "The JSON is nested deeper than %(max)s levels (near record %(record)s): this is not a "
        "directory export."
    ),
    "json_value_too_long": _l(
        "The file holds a single value longer than %(limit)s bytes: this is not a directory export."
    ),
    "line_too_long": _l("Line %(line)s is longer than %(max)s characters: this is not a directory export."),
    "zip_too_large": _l("Uncompressed, %(name)s is larger than the limit of %(limit)s bytes."),
    "zip_ratio": _l(
        "%(name)s is compressed %(ratio)s times (more than %(limit)s): this looks like a zip bomb, "
        "not an export."
    ),
    "too_many_rejected": _l(
        "More than %(limit)s rows were rejected, so the file is refused as a whole. The first "
        "%(examples)s are listed below."
    ),
    "record_url": _l("The record URL %(url)s must hold {id}, where each organisation's id goes."),
    "list_too_many_pages": _l(
        "The list has more than %(limit)s pages (setting SOCIALBRUSSELS_MAX_PAGES): nothing was imported."
    ),
    "list_page_elsewhere": _l(
        "The list's next page %(url)s is on another host than the list: nothing was imported."
    ),
    "vocabulary_unreadable": _l("The reference list cannot be read."),
    "vocabulary_empty": _l("No term in the reference list (expected objects with an id and labels)."),
    "vocabulary_kind": _l("Unknown reference list “%(kind)s” (expected one of %(expected)s)."),
    "vocabulary_settings": _l(
        "DIRECTORY_VOCABULARIES must map a kind (sectors, categories…) to a file or URL."
    ),
}
# What a parser's own words (a reason's "detail") mean, for the reasons that quote them: the page says the
# meaning, the words go under "Technical details".
DETAIL_MESSAGES = {
    "truncated": _l(
        "The file stops in the middle: it was cut off (an interrupted download or copy?). Export it again."
    ),
    "truncated_after": _l(
        "The file stops in the middle, after record %(record)s: it was cut off (an interrupted download or "
        "copy?). Export it again."
    ),
    "encoding": _l("The file is not UTF-8 text: save it as UTF-8."),
}
_TRUNCATED_WORDS = ("premature eof", "incomplete json", "unexpected end", "end of file", "truncated")
_ENCODING_WORDS = ("utf8", "utf-8", "invalid bytes", "codec can't decode", "unicode")
FAILED_UNKNOWN = _l("The import failed.")

for _old_code in ("download_failed", "http_status", "retries_exhausted"):  # runs recorded before
    SOURCE_MESSAGES[_old_code] = SOURCE_MESSAGES["unreachable"]


class ImportStatus(Vocabulary):
    """Where an import run ended (``ImportRun.status``)."""

    APPLIED = "applied", _l("Applied")
    UNCHANGED = "unchanged", _l("No change")
    DRY_RUN = "dry-run", _l("Dry run")
    FAILED = "failed", _l("Failed")
    RUNNING = "running", _l("Running")


class ImportStage(Vocabulary):
    """Where a background import is (its job's progress)."""

    WAITING = "", _l("Waiting for a worker")
    DOWNLOADING = "downloading", _l("Downloading")
    READING = "reading", _l("Reading and checking")
    APPLYING = "applying", _l("Applying")


def _with_meaning(code: str, params: dict | None) -> tuple[dict, str, dict]:
    """The messages, code and parameters that say what a JSON parser's words mean, when they do."""
    params = dict(params or {})
    if code not in ("json_broken", "json_broken_after"):
        return SOURCE_MESSAGES, code, params
    detail = str(params.get("detail", "")).lower()
    after = code == "json_broken_after" and str(params.get("record", "0")) not in ("0", "")
    if any(word in detail for word in _ENCODING_WORDS):
        return DETAIL_MESSAGES, "encoding", params
    if any(word in detail for word in _TRUNCATED_WORDS):
        return DETAIL_MESSAGES, "truncated_after" if after else "truncated", params
    return SOURCE_MESSAGES, code if after else "json_broken", params


def _failure(code: str, params: dict | None, fallback: str) -> str:
    messages, code, params = _with_meaning(code or "", params)
    if code not in messages:
        return str(FAILED_UNKNOWN) if fallback else ""
    return _translated(messages, code, params, str(FAILED_UNKNOWN))


def _translated(messages: dict, code: str, params: dict | None, fallback: str) -> str:
    """The message of ``code`` in the reader's language, else the import library's English ``fallback``."""
    template = messages.get(code or "")
    if template is None:
        return fallback
    try:
        return str(template) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return fallback


def row_message(row: dict) -> str:
    """A rejected row's reason or a warning, translated when its code is known."""
    return _translated(
        ROW_MESSAGES, row.get("code", ""), row.get("params"), row.get("reason") or row.get("message") or ""
    )


def run_error_message(run: ImportRun, technical: bool = False) -> str:
    """Why a failed run imported nothing, in the reader's language, without the parser's own words (they are
    ``run.error``, for "Technical details"); ``technical`` adds them in brackets (the command line)."""
    message = _failure(run.error_code, run.error_params, run.error)
    return _with_words(message, run.error, technical)


def run_error_details(run: ImportRun) -> str:
    """The words of a parser or a server behind a failed run, for "Technical details": the library's own
    message when it quotes them (a "detail") or when its code has no translation; "" when the translated
    reason says it all."""
    if (run.error_params or {}).get("detail") or (run.error_code or "") not in SOURCE_MESSAGES:
        return run.error or ""
    return ""


def coded_error_message(error: CodedError, technical: bool = False) -> str:
    """A ``SourceError`` or ``FetchError`` in the reader's language, as ``run_error_message`` says it."""
    return _with_words(_failure(error.code, error.params, str(error)), str(error), technical)


def _with_words(message: str, words: str, technical: bool) -> str:
    return f"{message} ({words})" if technical and words and words != message else message


def started_by_label(started_by: str) -> str:
    """Who or what started an import run, as the history says it: an e-mail as it is, ``cli:root`` as
    "command line (root)", ``sync:root`` (the scheduled ``helpdesk directory sync``) as "scheduled sync
    (root)"."""
    kind, _sep, user = (started_by or "").partition(":")
    if kind == "cli":
        return _("command line (%(user)s)", user=user) if user else _("command line")
    if kind == "sync":
        return _("scheduled sync (%(user)s)", user=user) if user else _("scheduled sync")
    return started_by or "—"
