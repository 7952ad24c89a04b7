"""Commands of the followup area, wired by ``helpdesk.cli``."""

COMMANDS: list = []
