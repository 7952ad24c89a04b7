"""The retention period: free text and contact details of long-closed requests are blanked; what the
monthly statistics use is kept."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_import.models import utcnow
from helpdesk.audit import record_audit
from helpdesk.followup.models import HelpRequest
from helpdesk.vocabularies import Status

# Keys of RequestEvent.changes that may hold free text: blanked by anonymisation.
TEXT_KEYS = ("note", "question", "feedback", "missing_reason")


def anonymise_closed_requests(
    session: Session, *, older_than_months: int, now: datetime | None = None
) -> int:
    """Blank free text and contact details of requests closed more than ``older_than_months`` ago.

    Kept: territory, dates, channel, status, themes, age band, gender, languages, postcode and basin, flags,
    the asking professional's function and sector, leads' organisations and
    outcomes, unmet needs' reasons and themes: everything the monthly statistics use. Returns how many.
    """
    now = now or utcnow()
    cutoff = now - relativedelta(months=older_than_months)  # calendar months: 15 March -> 15 September
    stmt = select(HelpRequest).where(
        HelpRequest.status == Status.CLOSED.value,
        HelpRequest.closed_at < cutoff,
        HelpRequest.anonymised_at.is_(None),
    )
    count = 0
    for request in session.scalars(stmt):
        for name in (
            "caller_name",
            "caller_organisation_text",
            "caller_phone",
            "caller_email",
            "question",
            "feedback_text",
            "feedback_missing_reason",
        ):
            setattr(request, name, "")
        for item in (*request.leads, *request.unmet_needs, *request.callbacks, *request.transfers):
            item.note = ""
        for event in request.events:
            if any(key in event.changes for key in TEXT_KEYS):
                event.changes = {k: ("" if k in TEXT_KEYS else v) for k, v in event.changes.items()}
        request.anonymised_at = now
        record_audit(
            session, "request.anonymise", user_id=None, object_type="help_request", object_id=request.id
        )
        count += 1
    session.flush()
    return count
