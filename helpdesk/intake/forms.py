"""The intake form is the recording form of the request domain (``helpdesk.followup.forms``), where the page
correcting a request uses it too."""

from __future__ import annotations

from helpdesk.followup.forms import IntakeForm

__all__ = ["IntakeForm"]
