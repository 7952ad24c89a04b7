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


PACKAGES = ("helpdesk", "directory_import", "search_index")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _executed_at_import(tree: ast.Module):
    """The statements Python runs when it imports the module: its body, with what ``if``/``try``/``with`` and
    class bodies hold, but not function bodies (they run when called) nor ``if TYPE_CHECKING:`` blocks."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            pending += [stmt for handler in node.handlers for stmt in handler.body]
        elif isinstance(node, (ast.With, ast.ClassDef)):
            pending += node.body


def import_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it names in an import run at import time (``from a.b import c``: ``a.b``,
    and ``a.b.c`` when it is a module). The parent packages Python runs first are left out: a package's
    ``__init__`` that re-exports its submodules is already loading when they import their siblings."""
    files = {_module_name(path): path for path in python_files(*PACKAGES)}
    packages = {name for name, path in files.items() if path.name == "__init__.py"}

    def with_parents(name: str) -> set[str]:
        return {name} & files.keys()

    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets: set[str] = set()
        for node in _executed_at_import(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    targets |= with_parents(alias.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name if name in packages else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        base = base.rpartition(".")[0]
                    module = ".".join(filter(None, [base, node.module]))
                else:
                    module = node.module or ""
                targets |= with_parents(module)
                targets |= {f"{module}.{alias.name}" for alias in node.names} & files.keys()
        graph[name] = targets - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` as a path (first module repeated at the end), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_architecture_no_import_cycle():
    """No module imports, directly or through others, a module that imports it back. Imports inside
    functions are left out on purpose: they run when the function is called, once every module is loaded;
    that is how ``create_app`` and ``helpdesk.blueprints`` wire the areas (and why they may name them all)."""
    assert _cycle(import_graph()) == []


def test_architecture_cycle_finder_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_architecture_directory_imports_neither_requests_nor_reports():
    """The directory sits below the request domain and the reports (they use it, not the reverse); what they
    share lives in shared modules (``helpdesk.identity``, ``helpdesk.identity_messages``,
    ``helpdesk.csv_safety``)."""
    upper = ("helpdesk.followup", "helpdesk.intake", "helpdesk.reports", "helpdesk.admin", "helpdesk.api")
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in python_files("helpdesk/directory")
        if (found := sorted(n for n in module_imports(path) if n.startswith(upper)))
    }
    assert offenders == {}


def _calls_commit(node: ast.AST) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "commit":
                return True
            if isinstance(func, ast.Name) and func.id in ("commit", "_commit"):
                return True
    return False


# Modules that change state for a view or a command: they flush, the caller commits.
OPERATION_MODULES = sorted(
    {p for p in python_files("helpdesk") if p.name == "operations.py"}
    | {
        p
        for p in python_files("helpdesk/followup")
        if p.parent.name == "followup" and p.name not in ("views.py", "commands.py")
    }
    | set(python_files("directory_import"))
)


def test_architecture_operations_never_commit():
    offenders = [
        str(p.relative_to(ROOT)) for p in OPERATION_MODULES if _calls_commit(ast.parse(p.read_text()))
    ]
    assert offenders == []
    assert any(p.name == "operations.py" and p.parent.name == "admin" for p in OPERATION_MODULES)


# GET routes that do write, on purpose, only an access record: reading a help request is recorded in its
# history (who saw it), and an export of the corrections in the audit log, committed with the reading.
GET_COMMITS_ALLOWED = {
    "helpdesk/followup/pages/recording.py:detail",
    # Counts a lead search that found nothing (by theme, without its text), as the request page does.
    "helpdesk/followup/pages/leads.py:lead_results",
    "helpdesk/api/requests_api.py:requests_detail",
    "helpdesk/directory/notes.py:corrections_export",
}


def _route_methods(decorator: ast.expr) -> list[str] | None:
    """The methods of a ``@bp.route(...)`` decorator (["GET"] when it names none); None for another one."""
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ("route", "get", "post")
    ):
        return None
    if decorator.func.attr != "route":
        return [decorator.func.attr.upper()]
    for keyword in decorator.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, (ast.List, ast.Tuple)):
            return [e.value for e in keyword.value.elts if isinstance(e, ast.Constant)]
    return ["GET"]


def _get_views() -> dict[str, tuple[ast.FunctionDef, list[str]]]:
    """Every view and its methods: decorated routes, and the rows of ``followup.views._ROUTES``."""
    views: dict[str, tuple[ast.FunctionDef, list[str]]] = {}
    for path in python_files("helpdesk"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                methods = [m for d in node.decorator_list for m in (_route_methods(d) or [])]
                if methods:
                    views[f"{path.relative_to(ROOT)}:{node.name}"] = (node, methods)
    followup = ast.parse((ROOT / "helpdesk/followup/views.py").read_text(encoding="utf-8"))
    table = next(
        n.value
        for n in followup.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "_ROUTES"
    )
    for row in table.elts:
        _rule, view, methods_node = row.elts
        if isinstance(methods_node, ast.Constant) and methods_node.value is None:
            methods = ["GET"]
        elif isinstance(methods_node, ast.List):
            methods = [e.value for e in methods_node.elts]
        else:  # a name such as _POST
            methods = ["POST"]
        page = ROOT / "helpdesk/followup/pages" / f"{view.value.id}.py"
        tree = ast.parse(page.read_text(encoding="utf-8"))
        function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == view.attr)
        views[f"{page.relative_to(ROOT)}:{view.attr}"] = (function, methods)
    return views


def test_architecture_no_get_route_commits():
    """A GET shows; it changes nothing (a page a browser prefetches or a crawler follows writes nothing).
    This looks at the view's own body, not at the helpers it calls; a view serving GET and POST commits only
    in its POST branch, which its tests check."""
    only_get = {key: node for key, (node, methods) in _get_views().items() if set(methods) == {"GET"}}
    offenders = sorted(
        k for k, node in only_get.items() if _calls_commit(node) and k not in GET_COMMITS_ALLOWED
    )
    assert offenders == []
    assert len(only_get) > 20 and GET_COMMITS_ALLOWED <= only_get.keys()


def test_architecture_browser_waits_pass_a_function_not_an_expression():
    """The pages' policy forbids eval (script-src 'self'): Playwright evaluates an expression string once
    without eval, then polls it with eval. A wait on an expression that is not already true at its first
    check fails with an EvalError, so it passes or fails by timing. Pass a function: "() => ..."."""
    function_text = ("(", "function", "async")
    offenders = []
    for path in python_files("tests/browser"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "wait_for_function"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value.strip()
                head = text.split("=>", 1)[0].strip()
                if not (text.startswith(function_text) or ("=>" in text and head.isidentifier())):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
