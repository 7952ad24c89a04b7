"""Who may see and change what: the one place that decides it.

Every page, API endpoint, list, count, search, autocomplete and export that touches help requests goes
through these functions. Outside one's scope a request does not exist (404), it is never "forbidden" (403),
so its reference cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased
from werkzeug.exceptions import NotFound

from directory_import.territory import BASINS, OUTSIDE, REGION, TERRITORIES
from helpdesk.auth.models import User
from helpdesk.followup.models import HelpRequest, Transfer
from helpdesk.vocabularies import Role


def _works_on_requests(user: User) -> bool:
    return user.role in (Role.OPERATOR, Role.COORDINATOR) and user.active


def request_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``HelpRequest`` selecting the requests ``user`` may read."""
    if not _works_on_requests(user):
        return false()
    if user.territory == REGION:
        return true()
    hop = aliased(Transfer)  # a caller may join Transfer itself without confusing the correlation
    passed_through = exists(
        select(hop.id)
        .where(
            hop.request_id == HelpRequest.id,
            or_(hop.from_territory == user.territory, hop.to_territory == user.territory),
        )
        .correlate(HelpRequest)
    )
    return or_(HelpRequest.territory == user.territory, passed_through)


def can_view_request(session: Session, user: User, request: HelpRequest) -> bool:
    if not _works_on_requests(user):
        return False
    if user.territory in (REGION, request.territory):
        return True
    stmt = select(HelpRequest.id).where(HelpRequest.id == request.id, request_scope(user))
    return session.scalar(stmt) is not None


def can_edit_request(user: User, request: HelpRequest) -> bool:
    """Only the territory that holds a request changes it; the region may act on any."""
    return _works_on_requests(user) and user.territory in (REGION, request.territory)


def get_request_or_404(session: Session, user: User, request_id: int, *, edit: bool = False) -> HelpRequest:
    """The request if ``user`` may read it (and change it when ``edit``), else 404."""
    request = session.get(HelpRequest, request_id)
    if request is None or not can_view_request(session, user, request):
        raise NotFound()
    if edit and not can_edit_request(user, request):
        raise NotFound()
    return request


def intake_territories(user: User) -> tuple[str, ...]:
    """Territories a user may record a new request for (their own; the region may record for any)."""
    if not _works_on_requests(user):
        return ()
    return TERRITORIES if user.territory == REGION else (user.territory,)


def report_territories(user: User) -> tuple[str, ...]:
    """Territories whose monthly report ``user`` may read: coordinators their own, the region's all."""
    if user.role != Role.COORDINATOR or not user.active:
        return ()
    if user.territory == REGION:
        return BASINS + (REGION, "all")
    return (user.territory,)


def can_manage_users(user: User) -> bool:
    return user.role == Role.ADMIN and user.active


def can_read_outbox(user: User) -> bool:
    """The mail outbox (what was sent to whom, the messages in full): admins."""
    return user.role == Role.ADMIN and user.active


def can_confirm_accounts(user: User) -> bool:
    """Coordinators confirm the accounts of their own territory that read requests (see auth.confirmations)."""
    return user.role == Role.COORDINATOR and user.is_active


def can_manage_directory(user: User) -> bool:
    """Imports, duplicates, taxonomy: admins and regional coordinators."""
    return user.active and (
        user.role == Role.ADMIN or (user.role == Role.COORDINATOR and user.territory == REGION)
    )


def can_edit_needs(user: User) -> bool:
    """The needs thesaurus the search reads, like the synonyms: admins and regional coordinators."""
    return can_manage_directory(user)


def can_read_directory(user: User | None, public_directory: bool) -> bool:
    return public_directory or (user is not None and getattr(user, "is_authenticated", False) and user.active)


def can_write_notes(user: User) -> bool:
    return _works_on_requests(user)


def request_edit_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``HelpRequest``: the requests ``user`` may change (those its territory holds)."""
    if not _works_on_requests(user):
        return false()
    if user.territory == REGION:
        return true()
    return HelpRequest.territory == user.territory


def works_on_requests(user: User) -> bool:
    """Operators and coordinators record and follow requests; admins do not see their content."""
    return getattr(user, "is_authenticated", False) and _works_on_requests(user)


def can_comment_request(session: Session, user: User, request: HelpRequest) -> bool:
    """Anyone who may read a request (e.g. a territory it was shared with for advice) may add a note."""
    return can_view_request(session, user, request)


def can_review_corrections(user: User) -> bool:
    """The regional queue of directory corrections: the region's operators and coordinators, and admins."""
    regional = _works_on_requests(user) and user.territory == REGION
    return user.active and (user.role == Role.ADMIN or regional)


def can_propose_changes(user: User) -> bool:
    """Proposals on the directory (corrections, closures, new organisations): operators and coordinators."""
    return _works_on_requests(user)


def proposal_review_basins(user: User, basin_coordinators: bool) -> tuple[str, ...] | None:
    """The basins whose proposals ``user`` decides: None for all of them (regional coordinators), the
    coordinator's own basin when ``basin_coordinators`` (``STEWARDSHIP_BASIN_COORDINATORS_VALIDATE``), else
    none (an empty tuple)."""
    if user.role != Role.COORDINATOR or not user.active:
        return ()
    if user.territory == REGION:
        return None
    return (user.territory,) if basin_coordinators and user.territory in BASINS else ()


def can_review_proposals(user: User, basin_coordinators: bool) -> bool:
    """Whether ``user`` decides any proposal (sees the queue)."""
    return proposal_review_basins(user, basin_coordinators) != ()


def can_decide_proposal(user: User, basin: str, basin_coordinators: bool) -> bool:
    """Accept, edit or refuse a proposal on an organisation of ``basin``, or settle one of its overlays."""
    basins = proposal_review_basins(user, basin_coordinators)
    return basins is None or basin in basins


def can_export_proposals(user: User) -> bool:
    """The export of accepted proposals back to the directory (download from the queue): the regional
    coordinators, who decide every proposal."""
    return bool(getattr(user, "is_authenticated", False)) and proposal_review_basins(user, False) is None


def can_verify_organisation(user: User) -> bool:
    """Marking an organisation verified ("I called, the details are right"): the operators and coordinators,
    who read every organisation of the directory."""
    return getattr(user, "is_authenticated", False) and _works_on_requests(user)


def verification_basins(user: User) -> tuple[str, ...]:
    """The basins whose organisations ``user`` sees on the list to verify: a basin's coordinators their
    basin, the region's all of them and the organisations outside Brussels; nobody else ()."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.COORDINATOR or not user.active:
        return ()
    if user.territory == REGION:
        return BASINS + (OUTSIDE,)
    return (user.territory,) if user.territory in BASINS else ()
