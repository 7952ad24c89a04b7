"""Every page an operator, a coordinator and an administrator use, on a 375 px wide phone, in French and in
Dutch: the page never scrolls sideways, and axe-core finds no serious or critical accessibility violation.

The world is the demo's, built as ``make run`` builds it (the sample directory imported, ``demo seed``, the index
rebuilt), once for the module; one browser context per role and language, signed in once, its tab reused from
page to page. axe-core is the npm package, fetched by ``make`` into ``tests/browser/vendor/`` (git-ignored) and
injected from that file: nothing is fetched while the tests run.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from helpdesk import create_app
from helpdesk.cli import DEMO_PASSWORD
from tests.browser.conftest import sign_in
from tests.conftest import SHARED_BYTECODE, _empty_pg, app_config

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
VIEWPORT = {"width": 375, "height": 740}
LANGUAGES = {"fr": "fr-BE", "nl": "nl-BE"}  # the browser's language: the demo accounts follow it
ACCOUNTS = {
    "operator": "operator.sud@demo.example",
    "coordinator": "coordinator.region@demo.example",
    "admin": "admin@demo.example",
    "visitor": None,  # signed out
}
FAILING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class Screen:
    role: str
    name: str
    path: str  # may name ids of the world: {request}, {organisation}, {run}, {user}, {need}, {message}
    shows: str = "h1"  # a selector the page must show: the page is the one meant, with its data

    @property
    def id(self) -> str:
        return f"{self.role}-{self.name}"


def _screens(role: str, *pages: tuple[str, ...]) -> list[Screen]:
    return [Screen(role, *page) for page in pages]


LEADS = "main a[href*='/directory/organisations/']"  # the request's leads, the search's results: links to organisations
MAIL = "main a[href^='mailto:']"  # the organisation's e-mail address

# The pages each role uses, from the navigation and the links of its pages (helpdesk/navigation.py,
# helpdesk/blueprints.py). One list: both tests walk it.
SCREENS: list[Screen] = [
    *_screens("visitor", ("login", "/auth/login", "form input[name=password]")),
    *_screens(
        "operator",
        ("home", "/", "#day-queue"),
        ("notifications", "/notifications/"),
        ("notification-preferences", "/notifications/preferences", "form select, form input[type=radio]"),
        ("todo", "/requests/todo"),
        ("queue", "/requests/", "main table tbody tr, main li a[href*='/requests/']"),
        ("new-request", "/requests/new", "main form textarea"),
        ("request", "/requests/{request}", LEADS),
        ("request-edit", "/requests/{request}/edit", "form"),
        ("orientation-mail", "/requests/{request}/orientation"),
        ("directory-search", "/directory/?q=maison+medicale", LEADS),
        ("directory-search-empty", "/directory/"),
        ("organisation", "/directory/organisations/{organisation}", MAIL),
        ("organisation-print", "/directory/organisations/{organisation}/print", MAIL),
        ("organisation-notes", "/directory/organisations/{organisation}/notes"),
        ("propose-correction", "/directory/organisations/{organisation}/propose", "main form"),
        ("propose-new", "/directory/proposals/new?name=Nouvelle+maison", "main form"),
        ("my-proposals", "/directory/proposals/mine"),
        ("account", "/auth/account"),
        ("password", "/auth/password", "input[type=password]"),
    ),
    *_screens(
        "coordinator",
        ("home", "/"),
        ("queue", "/requests/"),
        ("todo", "/requests/todo"),
        ("request", "/requests/{request}", LEADS),
        ("report", "/reports/", "main table"),
        ("report-territories", "/reports/territories", "main table"),
        ("confirmations", "/auth/confirmations"),
        ("proposals", "/directory/proposals"),
        ("to-verify", "/directory/to-verify", LEADS),
        ("administration", "/admin/"),
        ("imports", "/admin/imports", "main table"),
        ("import-run", "/admin/imports/{run}"),
        ("duplicates", "/admin/duplicates"),
        ("needs", "/admin/needs"),
        ("synonyms", "/admin/synonyms"),
        ("organisation", "/directory/organisations/{organisation}", MAIL),
    ),
    *_screens(
        "admin",
        ("home", "/"),
        ("administration", "/admin/"),
        ("users", "/admin/users", "main table"),
        ("user-new", "/admin/users/new", "form"),
        ("user-edit", "/admin/users/{user}", "form"),
        ("imports", "/admin/imports", "main table"),
        ("import-run", "/admin/imports/{run}"),
        ("duplicates", "/admin/duplicates"),
        ("themes", "/admin/themes"),
        ("synonyms", "/admin/synonyms"),
        ("needs", "/admin/needs"),
        ("need-edit", "/admin/needs/{need}", "form"),
        ("outbox", "/admin/outbox"),
        ("outbox-message", "/admin/outbox/{message}"),
        ("territory-addresses", "/admin/territory-addresses", "form"),
        ("directory-search", "/directory/?q=maison+medicale", LEADS),
        ("account", "/auth/account"),
    ),
]
CASES = [
    pytest.param(screen, language, id=f"{screen.id}-{language}")
    for screen in SCREENS
    for language in LANGUAGES
]

# An organisation as the real directory holds some: long web addresses and e-mails without a space to break at.
LONG_CONTACT = {
    "websiteOfficialFr": [
        "https://www.cpas-ocmw-saint-gilles-sint-gillis.example/fr/nos-services/action-sociale/aide-au-logement-et-energie"
    ],
    "websiteInfoFr": [
        "https://social.brussels.example/organisation/12345/centre-public-action-sociale-saint-gilles?lang=fr"
    ],
    "emailFr": ["service.social.logement-huisvesting@cpas-ocmw-saint-gilles-sint-gillis.example"],
}


def _import_sample(runner, path: Path) -> str:
    """The sample directory in the social.brussels shape, as ``make run`` imports it, its first record given
    the long contact details of ``LONG_CONTACT``."""
    from directory_import.sample import write_sample

    write_sample(path, count=120, fmt="socialbrussels")
    records = json.loads(path.read_text(encoding="utf-8"))
    records[0].update(LONG_CONTACT)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    _invoke(runner, "directory", "import", str(path), "--quiet")
    return str(records[0]["id"])


def _invoke(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def build_world(app, tmp: Path) -> dict[str, int]:
    """``make run``'s world (the sample directory, the demo accounts and their activity, the index) and the ids
    the pages need."""
    from directory_import.models import ImportRun, Organisation
    from helpdesk.auth import operations as accounts
    from helpdesk.db import get_session
    from helpdesk.directory.notes import add_note
    from helpdesk.followup import operations as ops
    from helpdesk.mail.outbox import queue_mail
    from helpdesk.notify.finders import find_notifications
    from helpdesk.orientation.models import Need

    runner = app.test_cli_runner()
    long_source_id = _import_sample(runner, tmp / "sample_directory.json")
    _invoke(runner, "demo", "seed", "--requests", "120")
    with app.app_context():
        db = get_session()
        operator = accounts.get_user_by_email(db, ACCOUNTS["operator"])
        long_org = db.scalars(select(Organisation).where(Organisation.source_id == long_source_id)).one()
        # The call of issue 18, recorded by the operator: three leads (the long organisation among them),
        # an unmet need and a callback planned for tomorrow.
        request = ops.create_request(
            db,
            operator,
            ops.IntakeRecord(
                territory="sud",
                caller=ops.CallerRecord(
                    function="assistant social",
                    organisation_text="Service d'aide aux justiciables de Bruxelles",
                    phone="02 555 12 34",
                    email="accueil.service-social@aide-justiciables-bruxelles.example",
                ),
                age_band="45-64",
                languages=["ar"],
                residence_postcode="1060",
                situation_flags=["no_fixed_address"],
                themes=["housing", "after_prison"],
                question="Homme sorti de prison la semaine passée, sans logement : cherche un hébergement "
                "et un suivi médical.",
            ),
        )
        others = db.scalars(
            select(Organisation.id).where(Organisation.id != long_org.id).order_by(Organisation.id).limit(2)
        )
        for organisation_id in (long_org.id, *others):
            ops.add_lead(db, operator, request, organisation_id, note="Permanence sociale le mardi matin.")
        ops.add_unmet_need(db, operator, request, reason="waiting_list", theme_code="housing")
        ops.add_callback(db, operator, request, due_at=datetime.now(UTC) + timedelta(days=1), note="Rappeler")
        add_note(
            db, operator, long_org, "Le lien du site ne mène plus à la page logement.", is_correction=True
        )
        find_notifications(db)
        message = queue_mail(
            db,
            kind="orientation",
            to=LONG_CONTACT["emailFr"][0],
            subject="Orientation SUD-2026-00001",
            text="Bonjour,\nvoici les coordonnées proposées.",
            html="<p>Bonjour,</p><p>voici les coordonnées proposées.</p>",
            language="fr",
        )
        db.commit()
        world = {
            "request": request.id,
            "organisation": long_org.id,
            "run": db.scalar(select(func.max(ImportRun.id))),
            "user": operator.id,
            "need": db.scalar(select(func.min(Need.id))),
            "message": message.id,
        }
    _invoke(runner, "index", "rebuild", "--quiet")
    return world


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, pg_base_url) -> Iterator[object]:
    """One app for the module, on a database of its own (SQLite) or on the worker's emptied schema."""
    from directory_import.models import Base
    from helpdesk.db import get_engine

    tmp = tmp_path_factory.mktemp("screens")
    if pg_base_url:
        _empty_pg(pg_base_url)
    url = pg_base_url or f"sqlite:///{tmp / 'test.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HELPDESK_INSTANCE_PATH", str(tmp / "instance"))
        application = create_app(app_config(url, tmp))
        application.jinja_env.bytecode_cache = SHARED_BYTECODE
        with application.app_context():
            if not pg_base_url:
                Base.metadata.create_all(get_engine())
        application.config["SCREENS_WORLD"] = build_world(application, tmp)
        yield application
        with application.app_context():
            get_engine().dispose()


@pytest.fixture(scope="module")
def demo_server(demo_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def tabs(browser, demo_server) -> Iterator[dict]:
    """``tabs[(role, language)]``: one signed-in tab per role and language, opened on first use."""
    contexts: list = []

    class Tabs(dict):
        def __missing__(self, key):
            role, language = key
            context = browser.new_context(locale=LANGUAGES[language], viewport=VIEWPORT)
            if AXE.exists():
                # An init script, evaluated in each page before its own scripts: the app's Content Security
                # Policy (script-src 'self') rightly refuses a <script> tag added by the test, and turning
                # the policy off (bypass_csp) would test pages unlike those users get.
                context.add_init_script(path=str(AXE))
            contexts.append(context)
            tab = context.new_page()
            if ACCOUNTS[role]:
                sign_in(tab, demo_server, ACCOUNTS[role], password=DEMO_PASSWORD)
            self[key] = tab
            return tab

    yield Tabs()
    for context in contexts:
        context.close()


def open_screen(tabs, base: str, world: dict, screen: Screen, language: str):
    """The screen in the role's tab, loaded (unless the tab shows it already), in the language asked."""
    tab = tabs[(screen.role, language)]
    url = base + screen.path.format(**world)
    if tab.url != url:
        response = tab.goto(url)
        assert response is not None and response.status == 200, (
            f"{screen.id}: {url} answered {response and response.status}"
        )
    assert tab.locator("html").get_attribute("lang") == language, f"{screen.id}: not in {language}"
    tab.locator(screen.shows).first.wait_for(state="attached")
    return tab


# What sticks out of the viewport, as "tag#id.class (width, right edge): text": the outermost elements past the
# edge (their parent fits), then the widest of the innermost (none of their children sticks out), where the
# unbreakable content usually is. Elements inside a container that scrolls or clips on its own do not count.
STICKING_OUT = """() => {
  const limit = document.documentElement.clientWidth + 0.5;
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = (el) => el.getBoundingClientRect().right > limit;
  const past = [...document.body.querySelectorAll('*')].filter(
    (el) => el.getBoundingClientRect().width > 0 && out(el) && !clipped(el));
  const describe = (el) => {
    const box = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map((c) => '.' + c).join('');
    const text = (el.innerText || el.value || '').replace(/\\s+/g, ' ').trim().slice(0, 70);
    return `${name} (${Math.round(box.width)} px wide, right edge at ${Math.round(box.right)} px): ${text}`;
  };
  const width = (el) => el.getBoundingClientRect().width;
  const outermost = past.filter((el) => el.parentElement === document.body || !out(el.parentElement));
  const innermost = past.filter((el) => ![...el.children].some(out)).sort((a, b) => width(b) - width(a));
  return [...outermost.slice(0, 2), ...innermost.slice(0, 3)].map(describe);
}"""


@pytest.mark.parametrize(("screen", "language"), CASES)
def test_small_screen_page_never_scrolls_sideways(screen, language, tabs, demo_server, demo_app):
    tab = open_screen(tabs, demo_server, demo_app.config["SCREENS_WORLD"], screen, language)
    width, viewport = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > viewport:
        widest = "\n  ".join(tab.evaluate(STICKING_OUT))
        pytest.fail(f"{screen.id} in {language} ({tab.url}) is {width} px wide at {viewport} px:\n  {widest}")


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        message = f"axe-core is missing at {AXE}: `make axe` fetches it (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.mark.parametrize(("screen", "language"), CASES)
def test_small_screen_page_has_no_serious_accessibility_violation(
    screen, language, tabs, demo_server, demo_app, axe_script
):
    tab = open_screen(tabs, demo_server, demo_app.config["SCREENS_WORLD"], screen, language)
    assert tab.evaluate("typeof window.axe === 'object'"), f"{screen.id}: axe-core was not injected"
    results = tab.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}\n    "
        + "\n    ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:8])
        for violation in results["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]
    assert not found, f"{screen.id} in {language} ({tab.url}):\n  " + "\n  ".join(found)


def test_small_screen_accessibility_check_finds_a_known_violation(tabs, demo_server, demo_app, axe_script):
    """The check is not vacuous: an image without a text alternative and an unlabelled field, added to a page
    of the app, are reported with their impact."""
    tab = open_screen(tabs, demo_server, demo_app.config["SCREENS_WORLD"], SCREENS[0], "fr")
    tab.evaluate(
        """() => { const img = document.createElement('img'); img.src = 'data:,';
        const input = document.createElement('input'); document.querySelector('main').append(img, input); }"""
    )
    results = tab.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    impacts = {violation["id"]: violation["impact"] for violation in results["violations"]}
    assert impacts.get("image-alt") == "critical" and impacts.get("label") == "critical", impacts
    tab.reload()  # leave the login page as the app serves it


def test_small_screen_wide_table_scrolls_by_keyboard_and_leaves_the_tab_order_when_it_fits(
    browser, demo_server, demo_app
):
    """static/js/tables.js: a table wider than the phone takes the focus and scrolls with the arrow keys, its
    caption in sight; on a wide screen, where it fits, it is no tab stop."""
    context = browser.new_context(locale="fr-BE", viewport=VIEWPORT)
    tab = context.new_page()
    sign_in(tab, demo_server, ACCOUNTS["admin"], password=DEMO_PASSWORD)
    tab.goto(f"{demo_server}/admin/imports")
    table = tab.locator("main table").first
    assert table.get_attribute("tabindex") == "0"
    table.focus()
    tab.keyboard.press("ArrowRight")
    tab.wait_for_function("() => document.querySelector('main table').scrollLeft > 0")
    assert tab.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    tab.goto(f"{demo_server}/admin/imports/{demo_app.config['SCREENS_WORLD']['run']}")
    assert tab.locator("main table").first.get_attribute("tabindex") == "0"
    caption = tab.evaluate(
        """() => { const text = document.createRange();
        text.selectNodeContents(document.querySelector('main table caption'));
        const box = text.getBoundingClientRect(); return [box.left, box.right]; }"""
    )
    assert 0 <= caption[0] < caption[1] <= VIEWPORT["width"], caption
    tab.set_viewport_size({"width": 1600, "height": 900})
    tab.wait_for_function("() => !document.querySelector('main table').hasAttribute('tabindex')")
    context.close()
