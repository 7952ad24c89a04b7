"""What a result card shows of an organisation (``templates/directory/_card.html``): its record, read in
one query for the page's hits, its distance from the place asked for, and the helpdesk's own warnings
when the caller gives them (the request page's lead search)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from directory_import.models import Organisation
from helpdesk.directory.near import Place, distance_from


@dataclass(frozen=True)
class Card:
    organisation: Organisation
    distance_km: float | None = None
    exact: bool = True  # the distance is to its own coordinates, not to its postcode's centre
    warnings: tuple = ()  # ``helpdesk.orientation.suggestions.Caution``


def cards_for(
    session: Session,
    ids: Iterable[int],
    *,
    place: Place | None = None,
    warnings: Mapping[int, tuple] | None = None,
) -> dict[int, Card]:
    """The cards of the active organisations among ``ids``, by id."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(
        select(Organisation)
        .options(defer(Organisation.raw))
        .where(Organisation.id.in_(wanted), Organisation.archived.is_(False))
    )
    cards = {}
    for org in rows:
        distance = distance_from(place, org)
        cards[org.id] = Card(
            org,
            distance[0] if distance else None,
            distance[1] if distance else True,
            tuple((warnings or {}).get(org.id, ())),
        )
    return cards
