"""The import direction of ARCHITECTURE.md: helpdesk -> search_index -> directory_import, never upward."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "directory_import": {
        "flask",
        "flask_babel",
        "flask_login",
        "flask_wtf",
        "helpdesk",
        "search_index",
        "whoosh",
    },
    "search_index": {"flask", "flask_babel", "flask_login", "flask_wtf", "helpdesk"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_architecture_lower_layers_do_not_import_upwards(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & FORBIDDEN[package])
        for path in python_files(package)
        if imported_modules(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_architecture_only_search_index_imports_whoosh():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("helpdesk", "directory_import", "bench", "scripts")
        if "whoosh" in imported_modules(path)
    ]
    assert offenders == []


def test_architecture_no_module_reads_current_app_config_below_helpdesk():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("directory_import", "search_index")
        if "current_app" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def module_imports(path: Path) -> set[str]:
    """Dotted names imported by ``path`` (``from a.b import c`` gives ``a.b`` and ``a.b.c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_architecture_request_domain_does_not_import_the_intake_page():
    """``intake`` is a thin page over the request domain: imports go from intake to followup, never back."""
    offenders = {
        str(path.relative_to(ROOT)): intake
        for path in python_files("helpdesk/followup")
        if (intake := sorted(n for n in module_imports(path) if n.startswith("helpdesk.intake")))
    }
    assert offenders == {}


REQUEST_DOMAIN_MAX_LINES = 350


def test_architecture_request_domain_modules_stay_short_or_say_why():
    """A module of the request domain over ~350 lines is split by task, or its docstring says why not."""
    offenders = []
    for path in python_files("helpdesk/followup", "helpdesk/intake"):
        text = path.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > REQUEST_DOMAIN_MAX_LINES and "Long because" not in docstring:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_architecture_tests_do_not_import_bench():
    """Benches print figures; what tests and benches share lives in the libraries or in tests/."""
    offenders = [
        str(path.relative_to(ROOT)) for path in python_files("tests") if "bench" in imported_modules(path)
    ]
    assert offenders == []


# The libraries' own tests: they give directory_import and search_index a plain session, never an app.
LIBRARY_TESTS = [
    "test_import_sync.py",
    "test_import_dedupe.py",
    "test_import_fetch.py",
    "test_import_normalize.py",
    "test_import_readers.py",
    "test_import_readers_properties.py",
    "test_search_index.py",
    "test_territory.py",
    "test_geography.py",
]
APP_FIXTURES = {
    "app",
    "client",
    "runner",
    "logged_in",
    "make_user",
    "live_server",
    "index",
    "reindex",
    "search_directory_ids",
    "make_request",
    "themes",
}


@pytest.mark.parametrize("name", LIBRARY_TESTS)
def test_architecture_library_tests_build_no_flask_app(name):
    tree = ast.parse((ROOT / "tests" / name).read_text(encoding="utf-8"))
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    defined_here = {node.name for node in functions}
    asked = {arg.arg for node in functions for arg in node.args.args}
    # conftest's ``session`` and ``make_organisation`` need the app: a module asking for them overrides them.
    from_app = (asked & APP_FIXTURES) | ({"session", "make_organisation"} & asked - defined_here)
    assert from_app == set()
