"""Recording a request is an operation of the request domain (``helpdesk.followup.recording``): the intake
page only calls it."""

from __future__ import annotations

from helpdesk.followup.recording import CallerRecord, IntakeRecord, create_request, resolve_residence

__all__ = ["CallerRecord", "IntakeRecord", "create_request", "resolve_residence"]
