"""Rewrite the single initial migration from the models (allowed only before the first release).

Usage: python scripts/regenerate_initial_migration.py
After the first release, add migrations with ``alembic revision --autogenerate`` instead.
"""

import tempfile
from pathlib import Path

from alembic import command

from helpdesk.db import MIGRATIONS_DIR, alembic_config

versions = MIGRATIONS_DIR / "versions"
for old in versions.glob("*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    url = f"sqlite:///{Path(tmp) / 'empty.sqlite'}"
    command.revision(alembic_config(url), message="initial schema", autogenerate=True, rev_id="0001")
print("migrations/versions/0001_initial_schema.py written")
