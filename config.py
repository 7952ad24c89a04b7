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
# Rebuild a missing or broken index in a background thread while pages answer from SQL (True), or in the
# request that found it (False). None: in the background, except when the app is testing (TESTING).
SEARCH_REBUILD_IN_BACKGROUND = None
# PostgreSQL: seconds to wait for a connection before answering "temporarily unavailable" (503).
DATABASE_CONNECT_TIMEOUT_SECONDS = 5

# None means: generate one on first start and keep it in the instance folder (never a fixed secret).
SECRET_KEY = None

# Languages of the interface; English is the source language.
LANGUAGES = ["fr", "nl", "en"]
BABEL_DEFAULT_LOCALE = "fr"
# The helpdesk's time zone: the times pages show and read, the months of reports, the CLI's defaults.
# Times are stored in UTC whatever this says. (Flask-Babel's BABEL_DEFAULT_TIMEZONE follows it.)
TIMEZONE = "Europe/Brussels"

# Sessions and login.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True  # set HELPDESK_SESSION_COOKIE_SECURE=false only for plain-HTTP development
SESSION_IDLE_MINUTES = 60
SESSION_MAX_HOURS = 12
REMEMBER_COOKIE_DURATION = 0  # Flask-Login's remember-me cookie (seconds): none, sessions end as above
# Sign-in throttle, counted in the database over the window: failures for one account from one client
# address stop that address for that account (its owner elsewhere still signs in); failures from one address
# over any accounts first space its attempts (1 s, 2 s, 4 s... up to 60 s), then stop it (429, Retry-After).
LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW_MINUTES = 15
LOGIN_ADDRESS_SLOW_AFTER = 10
LOGIN_ADDRESS_MAX_FAILURES = 30
# Password checks (Argon2) running at once in one app process, sign-ins allowed to wait for their turn and
# for how long; the others are answered 429 (Retry-After: 5 s) at once, so a storm of logins leaves threads
# and CPU to the other pages.
LOGIN_CHECKS_PER_PROCESS = 1
LOGIN_QUEUE_LENGTH = 2
LOGIN_QUEUE_SECONDS = 1
# API tokens expire after this many days; links to choose a password after this many hours (single use).
API_TOKEN_DAYS = 90
PASSWORD_LINK_HOURS = 24
# Where the app is reached, to print the password links of ``helpdesk users reset-link``.
PUBLIC_URL = "http://127.0.0.1:5000"
# Argon2id cost (OWASP: m=19 MiB, t=2, p=1 at least). Raising it rehashes passwords at the next login.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65536
ARGON2_PARALLELISM = 2
# Password hashing runs on its own thread(s) at this lower scheduling priority (Linux niceness, 0 to keep
# it in the request thread at normal priority): under a storm of sign-ins the pages come first.
PASSWORD_HASHING_NICENESS = 10

WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

# Directory.
DIRECTORY_SOURCES = []  # e.g. ["https://example.org/export.json", "/srv/exports/directory.csv"]
SUGGESTIONS_SHOWN = 8  # organisations proposed on a request page (the API takes ?limit=, up to 50)
DIRECTORY_PUBLIC = False  # open the directory pages and API to visitors without login
# Proposals on the directory are decided by the regional coordinators; with this on, the coordinators of the
# organisation's basin decide them too (and settle its overlays flagged after a sync).
STEWARDSHIP_BASIN_COORDINATORS_VALIDATE = False
FETCH_TIMEOUT_SECONDS = 30  # the whole download's budget (connections, retries, body), not one read's
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
# A source entry {"url": ..., "format": "socialbrussels", "record_url": ".../organisation/{id}"} reads a list of
# summaries at "url", then each record at "record_url", politely:
SOCIALBRUSSELS_CONCURRENCY = 2  # requests at the same time
SOCIALBRUSSELS_DELAY_SECONDS = 0.5  # between the starts of two requests
SOCIALBRUSSELS_RETRIES = (
    2  # per record (errors, timeouts, 429 and 5xx), waits doubling from FETCH_BACKOFF_SECONDS
)
SOCIALBRUSSELS_TIMEOUT_SECONDS = 30  # per request
SOCIALBRUSSELS_DEADLINE_SECONDS = 3600  # for a whole crawl; the next sync resumes what is left
SOCIALBRUSSELS_RESUME_HOURS = 12  # an interrupted crawl younger than this is resumed, not started afresh
SOCIALBRUSSELS_MAX_PAGES = 1000  # of a paged list (next links, page numbers); past it nothing is imported
# The source's reference lists, a file or an http(s) URL each, read as bilingual vocabularies by
# `helpdesk directory vocabularies` and before each `helpdesk directory sync`. Keys: sectors, categories,
# actionzones, languageoffer, legalstatus. E.g. {"sectors": "https://example.org/rest/sectors"}
DIRECTORY_VOCABULARIES = {}

# Imports from a URL reach only public addresses; hosts listed here (a JSON list of names or IP addresses,
# e.g. ["exports.cpas.local", "10.0.0.12"]) are allowed on the premises' network too.
FETCH_ALLOWED_HOSTS = []

# Background jobs (imports started from the web pages), run by `helpdesk worker` or under `helpdesk run`.
JOBS_POLL_SECONDS = 2.0  # how often an idle worker looks for due jobs
JOBS_LEASE_SECONDS = 120  # a running job not heard of for this long is taken again (its worker died)

# Verification by the helpdesk: the coordinators' list of organisations to verify (Directory → To verify).
VERIFICATION_MAX_AGE_DAYS = 365  # never verified, or last verified longer ago than this: "stale"
VERIFICATION_UNREACHABLE_DAYS = (
    60  # a lead answered "unreachable" within this many days (and not verified since)
)
VERIFICATION_SOURCE_CHANGED_DAYS = (
    30  # the source's own update date within this many days (not verified since)
)
VERIFICATION_PAGE_SIZE = 50  # organisations per page of the list

# Requests.
RETENTION_MONTHS = 24

MAX_CONTENT_LENGTH = 64 * 1024 * 1024

# Mail, sent from the outbox by `helpdesk worker` (or `helpdesk mail send`). No server: nothing is sent, the
# messages stay in the outbox, where admins read them (Administration → Outbox).
MAIL_SERVER = ""
MAIL_PORT = 25
MAIL_SECURITY = "none"  # none, starttls or tls (SMTPS, usually port 465)
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_FROM = "helpdesk@example.org"  # set your own: the address the messages come from
MAIL_FROM_NAME = ""
MAIL_TIMEOUT_SECONDS = 30
MAIL_MAX_ATTEMPTS = 8  # then the message is failed (retry it from the outbox page)
MAIL_RETRY_SECONDS = 60  # the first wait after a failed attempt, doubling each time...
MAIL_RETRY_MAX_SECONDS = 3600  # ...up to this
MAIL_LEASE_SECONDS = 300  # a message claimed this long ago by a sender that died is taken again
MAIL_BATCH_SIZE = 50  # messages claimed at once and sent over one connection
# Each territory's address, for the Reply-To of mail sent on its behalf: {"sud": "sud@example.org"}.
TERRITORY_REPLY_TO = {}

# Notifications (in the application, and by e-mail through the outbox), found by the worker's poller and by
# `helpdesk notify run`. Each user chooses per kind in their account page: off, immediate, digest.
NOTIFY_DEFAULTS = {
    "transfer": "immediate",
    "callback": "digest",
    "unassigned": "immediate",
    "proposal": "digest",
}
NOTIFY_DIGEST_HOUR = 8  # the daily digest leaves from this hour on (TIMEZONE), once a day per user
# A request still unassigned this long after it reached its territory tells the territory's coordinators
# (once per request): hours for these urgencies...
NOTIFY_UNASSIGNED_HOURS = {"urgent": 1, "high": 4}
# ...working days (Saturdays and Sundays skipped) for the others.
NOTIFY_UNASSIGNED_WORKING_DAYS = {"normal": 1, "low": 1}
# Transfers and shares older than this when the poller first sees them are not notified (a first start on
# an existing database does not tell of last year's transfers).
NOTIFY_LOOKBACK_HOURS = 48
NOTIFY_POLL_SECONDS = 60  # the worker looks for new notifications at most this often
