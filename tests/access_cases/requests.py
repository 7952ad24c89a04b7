"""Access cases of the requests area."""

CASES: list = []
