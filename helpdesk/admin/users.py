"""Managing accounts: list, create, edit role and territory, deactivate, reset a password."""

from helpdesk.admin.views import bp  # noqa: F401
