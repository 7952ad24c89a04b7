"""Signals of the directory area, so that areas react to each other without importing each other.

``directory_changed`` is sent after a commit that added, changed, archived or restored organisations
(an import, a local edit, a merge of duplicates), with ``organisation_ids``; the search index listens to it.
"""

from blinker import Namespace

_signals = Namespace()

directory_changed = _signals.signal("directory-changed")
