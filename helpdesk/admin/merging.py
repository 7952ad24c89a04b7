"""Merging two organisations a person recognised as one: the local knowledge follows the one kept."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from directory_import.models import Organisation, utcnow
from helpdesk.directory.models import OrganisationNote
from helpdesk.followup.models import HelpRequest, Lead
from helpdesk.stewardship.models import Proposal
from helpdesk.stewardship.overlays import carry_overlays


class MergeError(ValueError):
    """The merge makes no sense (same organisation, one already merged); the code says which."""


def merge_organisations(session: Session, keep: Organisation, drop: Organisation) -> list[int]:
    """Move notes, leads, callers' organisation and pending proposals of ``drop`` to ``keep``, and its
    overlays in force (``carry_overlays``); archive ``drop`` as merged into ``keep`` (a later sync leaves it
    archived). Nothing is deleted. Returns the changed ids. Flushes."""
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
    session.execute(
        update(Proposal)
        .where(Proposal.organisation_id == drop.id, Proposal.state == "pending")
        .values(organisation_id=keep.id, basin=keep.basin)
        .execution_options(synchronize_session=False)
    )
    carry_overlays(session, keep, drop)
    drop.archived = True
    drop.archived_at = utcnow()
    drop.merged_into_id = keep.id
    keep.updated_at = utcnow()
    session.flush()
    return [keep.id, drop.id]
