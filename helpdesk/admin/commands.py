"""Commands of the admin area, wired by ``helpdesk.cli``."""

COMMANDS: list = []
