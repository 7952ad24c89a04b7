"""API resource: organisations of the directory (routes on ``helpdesk.api.views.bp``)."""

from helpdesk.api.views import bp  # noqa: F401
