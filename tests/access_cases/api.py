"""Access cases of the api area."""

CASES: list = []
