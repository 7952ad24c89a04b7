"""Git merge driver for gettext catalogs: the union of both sides' messages, translations kept.

Configured once per clone (``make hooks`` does it):
    git config merge.gettext.driver "python3 scripts/po_merge.py %O %A %B"
with ``*.po merge=gettext`` and ``*.pot merge=gettext`` in .gitattributes. Writes the result to %A.
"""

import sys

from babel.messages.pofile import read_po, write_po


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def main(base_path: str, ours_path: str, theirs_path: str) -> int:
    ours, theirs = _read(ours_path), _read(theirs_path)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            ours[message.id] = message
        elif (not mine.string or mine.fuzzy) and message.string and not message.fuzzy:
            mine.string = message.string
            mine.flags.discard("fuzzy")
    with open(ours_path, "wb") as handle:
        write_po(handle, ours, no_location=True, sort_output=True, width=0)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
