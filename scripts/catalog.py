"""Maintain the French and Dutch catalogs.

python scripts/catalog.py update            extract messages, update fr and nl (no fuzzy guesses)
python scripts/catalog.py missing [--json]  list untranslated or fuzzy entries per language
python scripts/catalog.py fill FILE.json    apply {"msgid": {"fr": "...", "nl": "..."}} translations
python scripts/catalog.py compile           build the .mo files (never committed)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "helpdesk" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("fr", "nl")


def _po(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def _pybabel(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *args],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def update() -> None:
    _pybabel(
        "extract",
        "-F",
        "pyproject.toml",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--sort-output",
        "--project",
        "helpdesk",
        "-o",
        str(POT),
        "helpdesk",
        "templates",
    )
    for lang in LANGUAGES:
        if not _po(lang).exists():
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)
        _pybabel(
            "update",
            "-i",
            str(POT),
            "-d",
            str(TRANSLATIONS),
            "-l",
            lang,
            "--no-fuzzy-matching",
            "--ignore-obsolete",
            "--no-wrap",
        )


def _load(lang: str):
    with _po(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _save(lang: str, catalog) -> None:
    with _po(lang).open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True, width=0)


def missing() -> dict[str, list]:
    result = {}
    for lang in LANGUAGES:
        catalog = _load(lang)
        result[lang] = [
            m.id for m in catalog if m.id and (m.fuzzy or not (all(m.string) if m.pluralizable else m.string))
        ]
    return result


def fill(path: str) -> None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for lang in LANGUAGES:
        catalog = _load(lang)
        for msgid, by_lang in data.items():
            key = tuple(msgid) if isinstance(msgid, list) else msgid
            message = catalog.get(key)
            if message is not None and by_lang.get(lang):
                message.string = by_lang[lang]
                message.flags.discard("fuzzy")
        _save(lang, catalog)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "update":
        update()
    elif command == "missing":
        found = missing()
        if "--json" in rest:
            print(json.dumps(found, ensure_ascii=False, indent=1))
        else:
            for lang, ids in found.items():
                print(f"{lang}: {len(ids)} missing")
                for msgid in ids:
                    print(f"  {msgid}")
        return 1 if any(found.values()) else 0
    elif command == "fill":
        fill(rest[0])
    elif command == "compile":
        _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
