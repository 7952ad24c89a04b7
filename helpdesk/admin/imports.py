"""Admin section: imports (routes on ``helpdesk.admin.views.bp``)."""

from helpdesk.admin.views import bp  # noqa: F401
