"""The URLs of the request domain: the request page and its actions, each operator's to-do list and the
territory's queue. The pages live in ``helpdesk.followup.pages``, one module per task; this table is the one
place that maps them to URLs (endpoint names are the functions' names, used by ``url_for``).
"""

from __future__ import annotations

from flask import Blueprint

from helpdesk.followup.pages import callbacks, closing, leads, lists, orientation, recording, transfers

bp = Blueprint("followup", __name__, url_prefix="/requests")

_POST = ["POST"]
_ROUTES = (
    ("/", lists.queue, None),
    ("/todo", lists.todo, None),
    ("/<int:request_id>", recording.detail, None),
    ("/<int:request_id>", recording.update, _POST),
    ("/<int:request_id>/edit", recording.edit, ["GET", "POST"]),
    ("/<int:request_id>/take", recording.take, _POST),
    ("/<int:request_id>/lead-search", leads.lead_results, None),
    ("/<int:request_id>/leads", leads.add_lead, _POST),
    ("/<int:request_id>/leads/<int:lead_id>", leads.update_lead, _POST),
    ("/<int:request_id>/unmet-needs", leads.add_unmet_need, _POST),
    ("/<int:request_id>/callbacks", callbacks.add_callback, _POST),
    ("/<int:request_id>/callbacks/<int:callback_id>/done", callbacks.complete_callback, _POST),
    ("/<int:request_id>/transfer", transfers.transfer, _POST),
    ("/<int:request_id>/share", transfers.share, _POST),
    ("/<int:request_id>/comments", transfers.comment, _POST),
    ("/<int:request_id>/close", closing.close, _POST),
    ("/<int:request_id>/reopen", closing.reopen, _POST),
    ("/<int:request_id>/orientation", orientation.orientation_preview, None),
    ("/<int:request_id>/orientation", orientation.orientation_send, _POST),
)
for rule, view, methods in _ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)
