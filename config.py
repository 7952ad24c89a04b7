"""Default settings of the helpdesk.

Every value here can be overridden by an environment variable with the ``HELPDESK_`` prefix
(``HELPDESK_DATABASE_URL=postgresql+psycopg://...``); values that look like JSON are parsed as JSON.
Tests pass a dict to ``create_app``.
"""

# Where the data lives. A relative SQLite path is taken from the instance folder.
DATABASE_URL = "sqlite:///helpdesk.sqlite"
SEARCH_INDEX_DIR = "search-index"
# Each machine keeps its own index and catches up from the database: at most this often (seconds), a
# search first re-indexes the organisations changed since the index's watermark (by another machine, or by
# a script). 0: before every search.
SEARCH_CATCH_UP_SECONDS = 10
# More changed organisations than this (a whole import made elsewhere): a background rebuild instead.
SEARCH_CATCH_UP_MAX_IN_SEARCH = 2000
# PostgreSQL: seconds to wait for a connection before answering "temporarily unavailable" (503).
DATABASE_CONNECT_TIMEOUT_SECONDS = 5

# None means: generate one on first start and keep it in the instance folder (never a fixed secret).
SECRET_KEY = None

# Languages of the interface; English is the source language.
LANGUAGES = ["fr", "nl", "en"]
BABEL_DEFAULT_LOCALE = "fr"
BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"

# Sessions and login.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True  # set HELPDESK_SESSION_COOKIE_SECURE=false only for plain-HTTP development
SESSION_IDLE_MINUTES = 60
SESSION_MAX_HOURS = 12
LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW_MINUTES = 15
# Argon2id cost (OWASP: m=19 MiB, t=2, p=1 at least). Raising it rehashes passwords at the next login.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65536
ARGON2_PARALLELISM = 2

WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

# Directory.
DIRECTORY_SOURCES = []  # e.g. ["https://example.org/export.json", "/srv/exports/directory.csv"]
DIRECTORY_PUBLIC = False  # open the directory pages and API to visitors without login
FETCH_TIMEOUT_SECONDS = 30
FETCH_MAX_BYTES = 200 * 1024 * 1024
FETCH_RETRIES = 3  # connection errors, timeouts, 429 and 5xx answers; waits double each time
FETCH_BACKOFF_SECONDS = 1.0
# What an export may hold before a row or the whole file is refused, so that any file is read within bounded
# memory and time (see directory_import.readers.ReadLimits).
IMPORT_MAX_DEPTH = 32  # nesting of JSON arrays and objects; the file is refused beyond it
IMPORT_MAX_FIELD_CHARS = 100_000  # one value; its row is rejected beyond it
IMPORT_MAX_RECORD_BYTES = 1_000_000  # one record or CSV line; its row (or, for one line or value, the file)
IMPORT_MAX_REJECTED = 1000  # more rejected rows: the file is refused as a whole, the first ones shown
IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # the tables of an HSDS zip, once uncompressed
IMPORT_MAX_COMPRESSION_RATIO = 100  # an HSDS table compressed more than this (above 1 MB) is a zip bomb

# Requests.
RETENTION_MONTHS = 24

MAX_CONTENT_LENGTH = 64 * 1024 * 1024
