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
FETCH_TIMEOUT_SECONDS = 30  # the whole download's budget (connections, retries, body), not one read's
FETCH_MAX_BYTES = 200 * 1024 * 1024
FETCH_RETRIES = 3  # connection errors, timeouts, 429 and 5xx answers; waits double each time
FETCH_BACKOFF_SECONDS = 1.0
# Imports from a URL reach only public addresses; hosts listed here (a JSON list of names or IP addresses,
# e.g. ["exports.cpas.local", "10.0.0.12"]) are allowed on the premises' network too.
FETCH_ALLOWED_HOSTS = []

# Background jobs (imports started from the web pages), run by `helpdesk worker` or under `helpdesk run`.
JOBS_POLL_SECONDS = 2.0  # how often an idle worker looks for due jobs
JOBS_LEASE_SECONDS = 120  # a running job not heard of for this long is taken again (its worker died)

# Requests.
RETENTION_MONTHS = 24

MAX_CONTENT_LENGTH = 64 * 1024 * 1024
