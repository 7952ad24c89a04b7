"""API resource: help requests (routes on ``helpdesk.api.views.bp``)."""

from helpdesk.api.views import bp  # noqa: F401
