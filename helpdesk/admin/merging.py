"""Merging two organisations a person recognised as one: the local knowledge follows the one kept."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from directory_import.models import Organisation, utcnow
from helpdesk.directory.models import OrganisationNote
from helpdesk.followup.models import HelpRequest, Lead


class MergeError(ValueError):
    """The merge makes no sense (same organisation, one already merged); the code says which."""


def merge_organisations(session: Session, keep: Organisation, drop: Organisation) -> list[int]:
    """Move notes, leads and callers' organisation of ``drop`` to ``keep``; archive ``drop`` as merged into
    ``keep`` (a later sync leaves it archived). Nothing is deleted. Returns the changed ids. Flushes."""
    if keep.id == drop.id:
        raise MergeError("same_organisation")
    if drop.merged_into_id is not None or keep.merged_into_id is not None or keep.archived:
        raise MergeError("already_merged")
    for model, column in (
        (OrganisationNote, OrganisationNote.organisation_id),
        (Lead, Lead.organisation_id),
        (HelpRequest, HelpRequest.caller_organisation_id),
    ):
        session.execute(
            update(model)
            .where(column == drop.id)
            .values({column: keep.id})
            .execution_options(synchronize_session=False)
        )
    drop.archived = True
    drop.archived_at = utcnow()
    drop.merged_into_id = keep.id
    keep.updated_at = utcnow()
    session.flush()
    return [keep.id, drop.id]
