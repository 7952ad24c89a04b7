"""Commands of the directory area, wired by ``helpdesk.cli``."""

COMMANDS: list = []
