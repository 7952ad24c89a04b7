"""Commands of the search index (``helpdesk search``, ``helpdesk index ...``), wired by ``helpdesk.cli``."""

COMMANDS: list = []
