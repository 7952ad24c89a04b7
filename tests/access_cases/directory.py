"""Access cases of the directory area."""

CASES: list = []
