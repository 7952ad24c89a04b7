"""The operations of the request domain, in one import for views, the API, the CLI and tests.

Each task has its own module; this one only gathers their public names:

- ``changes``: what every change shares (``RequestError``, the version check, timeline and audit);
- ``recording``: intake (``IntakeRecord``, ``create_request``, references), corrections, status and assignee;
- ``leads``: leads and unmet needs;
- ``callbacks``: planned callbacks;
- ``transfers``: transfers to another territory, sharing for advice, comments;
- ``closing``: closing with the feedback given, reopening;
- ``retention``: anonymising long-closed requests;
- ``lists``: the read-only queries of the to-do list and the queue.

Every operation takes a session and the acting user, flushes and never commits.
"""

from __future__ import annotations

from helpdesk.followup.callbacks import add_callback, complete_callback
from helpdesk.followup.changes import RequestError, VersionConflict, guard_identity
from helpdesk.followup.closing import ClosingRecord, close_request, reopen_request
from helpdesk.followup.leads import add_lead, add_unmet_need, update_lead
from helpdesk.followup.recording import (
    CallerRecord,
    IntakeRecord,
    create_request,
    edit_request,
    next_reference,
    record_view,
    resolve_residence,
    update_request,
)
from helpdesk.followup.retention import anonymise_closed_requests
from helpdesk.followup.transfers import (
    CALLBACKS_CANCEL,
    CALLBACKS_MOVE,
    add_comment,
    share_request,
    transfer_request,
    transfer_targets,
)

__all__ = [
    "CALLBACKS_CANCEL",
    "CALLBACKS_MOVE",
    "CallerRecord",
    "ClosingRecord",
    "IntakeRecord",
    "RequestError",
    "VersionConflict",
    "add_callback",
    "add_comment",
    "add_lead",
    "add_unmet_need",
    "anonymise_closed_requests",
    "close_request",
    "complete_callback",
    "create_request",
    "edit_request",
    "guard_identity",
    "next_reference",
    "record_view",
    "reopen_request",
    "resolve_residence",
    "share_request",
    "transfer_request",
    "transfer_targets",
    "update_lead",
    "update_request",
]
