"""The type-check baseline: mypy's errors are compared by file, code and message, never by line number."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "mypy_baseline.py"
spec = importlib.util.spec_from_file_location("mypy_baseline", SCRIPT)
assert spec and spec.loader
mypy_baseline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mypy_baseline)

OUTPUT = """\
helpdesk/i18n.py:40: error: Incompatible return value type (got "Any | None", expected "str")  [return-value]
helpdesk/i18n.py:41: note: By default the bodies of untyped functions are not checked
directory_import/sync.py:12:5: error: Item "None" of "Path | None" has no attribute "unlink"  [union-attr]
"""


def test_mypy_baseline_parse_keeps_errors_without_their_line_and_leaves_notes():
    keys = [key for key, _ in mypy_baseline.parse(OUTPUT)]
    assert keys == [
        'helpdesk/i18n.py: [return-value] Incompatible return value type (got "Any | None", expected "str")',
        'directory_import/sync.py: [union-attr] Item "None" of "Path | None" has no attribute "unlink"',
    ]


def test_mypy_baseline_an_error_moved_to_another_line_is_not_new():
    before = Counter(key for key, _ in mypy_baseline.parse(OUTPUT))
    after = Counter(key for key, _ in mypy_baseline.parse(OUTPUT.replace(":40:", ":75:")))
    assert mypy_baseline.compare(after, before) == (Counter(), Counter())


def test_mypy_baseline_one_more_of_a_listed_error_is_new_and_a_fixed_one_is_gone():
    known = Counter(key for key, _ in mypy_baseline.parse(OUTPUT))
    first, second = list(known)
    found = Counter({first: 2})
    new, gone = mypy_baseline.compare(found, known)
    assert new == Counter({first: 1})
    assert gone == Counter({second: 1})


def test_mypy_baseline_file_lists_only_well_formed_errors():
    lines = [
        line
        for line in mypy_baseline.BASELINE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == sorted(lines)
    assert all(": [" in line and line.split(":")[0].endswith(".py") for line in lines)
