"""Access cases of the reports area."""

CASES: list = []
