"""Commands of the reports area, wired by ``helpdesk.cli``."""

COMMANDS: list = []
