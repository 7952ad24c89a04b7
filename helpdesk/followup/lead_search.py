"""The request page's lead search: the directory searched with filters preset from the request (the
person's languages other than French and Dutch, the basin of residence and its neighbours, the themes'
categories), each one a chip that one click lifts; 50 results a page as cards with the helpdesk's own
warnings. Read-only: adding a result as a lead is ``operations.add_lead``.

When the preset filters leave nothing while the words alone find organisations, those are shown with a
notice (``relaxed``): a name typed during a call is always found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from directory_import.territory import BASINS, neighbours
from helpdesk.directory.cards import Card, cards_for
from helpdesk.directory.empty import EmptySearch, explain_empty
from helpdesk.directory.search import search_directory, search_index
from helpdesk.followup.models import HelpRequest
from helpdesk.followup.themes import theme_labels
from helpdesk.i18n import language_label
from helpdesk.orientation.matching import THEME_CATEGORIES, category_codes
from helpdesk.orientation.suggestions import COMMON_LANGUAGES, cautions_for, context_of
from helpdesk.vocabularies.territories import TERRITORY_LABELS
from search_index import SearchResult
from search_index.store import IndexUnavailable

PER_PAGE = 50
MAX_PAGE = 200
LIFT_ALL = "all"


@dataclass(frozen=True)
class Chip:
    """One preset filter: ``key`` names it in the URL (``lift=key``), ``facet`` and ``values`` say what
    it keeps, ``lifted`` whether the operator lifted it."""

    key: str
    label: str
    facet: str
    values: tuple[str, ...]
    lifted: bool = False


@dataclass
class LeadSearch:
    """What the lead search found: the cards of the page (leads already taken left out), the chips, the
    result, and when it found nothing, why and what to try (``empty``) and the theme an unmet need would be
    about. ``relaxed``: the chips' filters left nothing, the results are those of the words alone."""

    query: str
    chips: list[Chip] = field(default_factory=list)
    result: SearchResult | None = None
    cards: list[Card] = field(default_factory=list)
    page: int = 1
    relaxed: bool = False
    empty: EmptySearch | None = None
    unmet_theme: str = ""

    @property
    def hits(self) -> list:
        """The organisations of the page (as the page listed them before the cards)."""
        return [card.organisation for card in self.cards]

    @property
    def lifted(self) -> list[str]:
        return [chip.key for chip in self.chips if chip.lifted]

    @property
    def total(self) -> int:
        return self.result.total if self.result is not None else 0

    @property
    def pages(self) -> int:
        return self.result.pages if self.result is not None else 1


def _theme_categories(theme: str) -> tuple[str, ...]:
    """The index's category values that answer ``theme`` (the source's own codes, read as the suggestions
    read them); () for a theme no table maps, or without an index."""
    wanted = THEME_CATEGORIES.get(theme)
    if not wanted:
        return ()
    try:
        labels = search_index().labels().get("category", {})
    except (IndexUnavailable, OSError):
        return ()
    found = []
    for code, label in labels.items():
        item = {"code": code, "label_fr": label.get("fr", ""), "label_nl": label.get("nl", "")}
        if set(category_codes([item])) & set(wanted):
            found.append(code)
    return tuple(sorted(found))


def preset_chips(session: Session, req: HelpRequest, lifted: Iterable[str], locale: str) -> list[Chip]:
    """The filters the request presets, in the order language, basin, themes; those named in ``lifted``
    (or all, for ``"all"``) marked lifted."""
    lifted = set(lifted)
    chips: list[Chip] = []
    for code in dict.fromkeys(req.languages or ()):
        if code and code not in COMMON_LANGUAGES and code != "other":
            label = _("Speaks %(language)s", language=language_label(code, locale))
            chips.append(Chip(f"language:{code}", label, "language", (code,)))
    basin = req.residence_basin if req.residence_basin in BASINS else ""
    basin = basin or (req.territory if req.territory in BASINS else "")
    if basin:
        label = _("%(basin)s + neighbours", basin=TERRITORY_LABELS.get(basin, basin))
        chips.append(Chip("basin", label, "basin", (basin, *sorted(neighbours(basin)))))
    names = theme_labels(session, locale)
    for theme in dict.fromkeys(req.theme_codes):
        values = _theme_categories(theme)
        if values:
            label = _("Theme: %(theme)s", theme=names.get(theme, theme))
            chips.append(Chip(f"theme:{theme}", label, "category", values))
    everything = LIFT_ALL in lifted
    return [Chip(c.key, c.label, c.facet, c.values, everything or c.key in lifted) for c in chips]


def chip_filters(chips: Iterable[Chip]) -> dict[str, list[str]]:
    """The filters of the chips not lifted: one facet's chips widen each other (two themes: the categories
    of either), different facets narrow."""
    filters: dict[str, list[str]] = {}
    for chip in chips:
        if chip.lifted:
            continue
        values = filters.setdefault(chip.facet, [])
        values += [v for v in chip.values if v not in values]
    return filters


def lead_search(
    session: Session,
    req: HelpRequest,
    query: str,
    *,
    lifted: Iterable[str] = (),
    page: int = 1,
    locale: str = "fr",
) -> LeadSearch:
    """The lead search of ``req`` for ``query`` (the chips only when the query is empty)."""
    chips = preset_chips(session, req, lifted, locale)
    found = LeadSearch(query, chips, page=max(1, min(int(page), MAX_PAGE)))
    if not query.strip():
        return found
    filters = chip_filters(chips)
    # The cards show no snippet: none is cut (each one costs).
    search = partial(search_directory, session, query, limit=PER_PAGE, page=found.page, with_facets=False)
    result = search(filters, highlights=False)
    if not result.total and filters:
        unfiltered = search(None, highlights=False)
        if unfiltered.total:
            result, found.relaxed = unfiltered, True
    found.result = result
    if not result.total:
        found.empty = explain_empty(session, query, None, result)
    already = {lead.organisation_id for lead in req.leads}
    ids = [hit.id for hit in result.hits if hit.id not in already]
    context = context_of(req)
    cards = cards_for(session, ids, warnings=cautions_for(session, ids, context))
    found.cards = [cards[i] for i in ids if i in cards]
    # The theme of an unmet need: the request's own, else the one the needs of the words point to most.
    weights: dict[str, float] = {}
    for match in result.needs:
        for theme, weight in match.themes.items():
            weights[theme] = max(weights.get(theme, 0.0), weight * match.quality)
    found.unmet_theme = (
        req.theme_codes[0] if req.theme_codes else (max(weights, key=weights.__getitem__) if weights else "")
    )
    return found
