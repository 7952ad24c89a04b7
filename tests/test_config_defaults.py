"""Every setting has its default in ``config.py`` and only there: the code reads ``config["KEY"]``, never
``config.get("KEY", default)`` with a second default of its own (which could drift from the documented one)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Flask's and its extensions' own settings, with their defaults in those libraries.
FRAMEWORK_KEYS = {"TESTING", "DEBUG", "SERVER_NAME", "PREFERRED_URL_SCHEME", "APPLICATION_ROOT"}


def _defaults() -> set[str]:
    tree = ast.parse((ROOT / "config.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()}
    return names


def _is_config(node: ast.AST) -> bool:
    """``config``, ``app.config``, ``current_app.config``, ``self.app.config``..."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id in ("config", "cfg")
    )


def _reads() -> list[tuple[str, int, str, int]]:
    """(file, line, key, number of arguments) of every read of a setting by a string key in the app."""
    found = []
    for path in sorted((ROOT / "helpdesk").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_config(node.value):
                key = node.slice
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.append((where, node.lineno, key.value, 1))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "setdefault")
                and _is_config(node.func.value)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((where, node.lineno, node.args[0].value, len(node.args) + len(node.keywords)))
    return found


def test_config_reads_are_found():
    keys = {key for _file, _line, key, _n in _reads()}
    assert {"DATABASE_URL", "DIRECTORY_PUBLIC", "SEARCH_REBUILD_IN_BACKGROUND"} <= keys


def test_config_every_setting_read_has_its_default_in_config_py():
    defaults = _defaults()
    missing = sorted(
        {f"{file}:{line} {key}" for file, line, key, _n in _reads() if key not in defaults | FRAMEWORK_KEYS}
    )
    assert not missing, "settings read without a default in config.py: " + ", ".join(missing)


def test_config_no_read_repeats_a_default():
    repeated = sorted(f"{file}:{line} {key}" for file, line, key, n in _reads() if n > 1)
    assert not repeated, "config.get(KEY, default): the default belongs in config.py only: " + ", ".join(
        repeated
    )
