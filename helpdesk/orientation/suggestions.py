"""Organisations to propose for a request, each with its reasons and the helpdesk's own warnings.

An organisation is a candidate when it answers the need: one of its categories answers a theme of the
request (``THEME_CATEGORIES``), or the directory search finds it for the question's words (through
``helpdesk.directory.search``, so the needs thesaurus and synonyms apply), or, for a request without
themes, its category serves the person's situation. Its score is the sum of named parts
(``ScoreParts``), each computed by its own function below and shown to the operator who asks "why this
one?":

====================  =========================================================================================
part                  how much
====================  =========================================================================================
``theme``             4 x the weight of its best category for each theme (1 for the main answer, less for others);
                      for a theme admins added (no table maps it), 3 x its search score for the theme's label
``situation``         1.5 x the weight of its best category for each situation flag (``FLAG_CATEGORIES``)
``question``          3 x its search score relative to the best hit for the question's words (the best 30); 1 x
                      when it answers a theme already (the words then mostly repeat the theme: they only break
                      ties, among the best 12, by how much each scores above the last one kept)
``public``            1 per public it names that the situation or age band calls for (at most 2)
``age``               -1.5 when it names only publics of other ages (children, young people, older people)
``language``          1.5 when it speaks a language of the person's other than French or Dutch, 0.3 when it
                      speaks French or Dutch with them, 1 for interpreting when no language is shared (or only
                      French/Dutch while the person speaks another), -1 when it says which languages it speaks
                      and none is the person's and it offers no interpreting
``place``             2 x (1 - distance / 8 km) from the centre of the person's postcode to the organisation
                      (its coordinates, else its postcode's centre); without a distance, 1 in the same basin,
                      0.4 in a neighbouring basin
``serves``            1 when its action zones cover the person's commune, 0.3 when they cover the whole region
``experience``        0.4 per lead to it accepted in the last 365 days on a request of the same theme (at most 3)
``history``           over the leads to it in the last 90 days whose outcome is known: -1 x the share of
                      waiting lists, -0.5 x the share of refusals, -0.3 per unreachable (at most 3)
``closure``           -3 when its remarks or opening hours say it is temporarily closed
====================  =========================================================================================

Operations here read only: adding a suggestion as a lead is ``helpdesk.followup.leads.add_lead``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from directory_import.geography import Point, haversine_km, postcode_centre
from directory_import.models import utcnow
from directory_import.territory import BASIN_NEIGHBOURS, locality_for_postcode, normalize_postcode
from helpdesk.directory.models import OrganisationNote
from helpdesk.directory.search import search_directory
from helpdesk.followup.models import HelpRequest, Lead, RequestTheme, Theme
from helpdesk.orientation.matching import (
    AGE_PUBLICS,
    AGE_SPECIFIC_PUBLICS,
    FLAG_CATEGORIES,
    FLAG_PUBLICS,
    THEME_CATEGORIES,
)
from helpdesk.orientation.profiles import Directory, OrganisationProfile, active_directory
from helpdesk.vocabularies import LeadOutcome

THEME_WEIGHT = 4.0
UNMAPPED_THEME = 0.75  # a theme found by its label's words weighs less than one by its categories
SITUATION_WEIGHT = 1.5
QUESTION_WEIGHT, QUESTION_WITH_THEME = 3.0, 1.0
QUESTION_CHIP_AT = 0.25  # relative search score from which "matches the question" is said
PUBLIC_WEIGHT, PUBLIC_MAX = 1.0, 2.0
AGE_MISMATCH = -1.5
LANGUAGE_SPOKEN, LANGUAGE_COMMON, INTERPRETING, NO_COMMON_LANGUAGE = 1.5, 0.3, 1.0, -1.0
DISTANCE_WEIGHT, DISTANCE_REACH_KM = 2.0, 8.0
SAME_BASIN, NEIGHBOUR_BASIN = 1.0, 0.4
SERVES_COMMUNE, SERVES_REGION = 1.0, 0.3
ACCEPTED_WEIGHT, ACCEPTED_MAX = 0.4, 3
WAITING_LIST_WEIGHT, REFUSED_WEIGHT, UNREACHABLE_WEIGHT, UNREACHABLE_MAX = -1.0, -0.5, -0.3, 3
CLOSURE = -3.0

HISTORY_DAYS = 90
EXPERIENCE_DAYS = 365
# How many organisations the question's search brings: all the need there is for a request without
# themes; fewer beside themes, where the words only break ties.
QUESTION_HITS, QUESTION_HITS_WITH_THEMES = 30, 12
RESCORED = 40  # the best candidates whose history is read
NOTES_SHOWN = 2
COMMON_LANGUAGES = frozenset({"fr", "nl"})
ADULT_PUBLICS = frozenset({"tout public", "adultes"})
CHILD_PUBLICS = frozenset({"tout public", "familles"})
ADULT_BANDS = frozenset({"18-24", "25-44", "45-64", "65-79", "80+"})


REASON_CODES = (
    "category",
    "theme",
    "question",
    "language",
    "interpreting",
    "public",
    "distance",
    "basin",
    "neighbour_basin",
    "serves_commune",
    "whole_region",
    "experience",
)
CAUTION_CODES = ("waiting_list", "refused", "unreachable", "temporarily_closed", "no_common_language", "note")


class Reason(NamedTuple):
    """Why an organisation fits, as a chip: ``code`` says what (``language``, ``public``, ``distance``...),
    ``value`` what exactly (``ar``, ``personnes sans abri``, ``2.1``), ``exact`` whether a distance is
    from the organisation's own coordinates (else from its postcode's centre). A tuple: hundreds are made
    for every request."""

    code: str
    value: str = ""
    exact: bool = True


@dataclass(frozen=True)
class Caution:
    """What the helpdesk learnt: ``waiting_list`` (``count`` of ``total`` leads), ``unreachable``,
    ``refused``, ``temporarily_closed``, ``no_common_language``, ``note`` (``text`` of ``at``)."""

    code: str
    count: int = 0
    total: int = 0
    text: str = ""
    at: datetime | None = None


@dataclass(slots=True)
class ScoreParts:
    """The score of a suggestion, part by part (see the module's table); ``total`` is their sum."""

    theme: float = 0.0
    situation: float = 0.0
    question: float = 0.0
    public: float = 0.0
    age: float = 0.0
    language: float = 0.0
    place: float = 0.0
    serves: float = 0.0
    experience: float = 0.0
    history: float = 0.0
    closure: float = 0.0

    @property
    def total(self) -> float:
        return round(
            self.theme
            + self.situation
            + self.question
            + self.public
            + self.age
            + self.language
            + self.place
            + self.serves
            + self.experience
            + self.history
            + self.closure,
            3,
        )

    @property
    def need(self) -> float:
        """What makes it a candidate at all: it answers the themes, the situation or the question."""
        return self.theme + self.situation + self.question

    def items(self) -> list[tuple[str, float]]:
        """The parts that count (not zero), in the table's order."""
        return [(f.name, round(getattr(self, f.name), 3)) for f in fields(self) if getattr(self, f.name)]


@dataclass(frozen=True)
class RequestContext:
    """What of a request the suggestions use."""

    themes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    age_band: str = ""
    postcode: str = ""
    question: str = ""
    excluded: frozenset[int] = frozenset()  # organisations already leads

    # Read for every candidate: computed once (a frozen dataclass still has a __dict__ for them).
    @cached_property
    def point(self) -> Point | None:
        return postcode_centre(self.postcode) if self.postcode else None

    @cached_property
    def commune(self) -> str:
        locality = locality_for_postcode(self.postcode)
        return locality.commune.code if locality is not None else ""

    @cached_property
    def basin(self) -> str:
        locality = locality_for_postcode(self.postcode)
        return locality.basin if locality is not None else ""

    @cached_property
    def publics(self) -> tuple[str, ...]:
        return wanted_publics(self.flags, self.age_band)

    @property
    def asks(self) -> bool:
        """Whether there is something to suggest for: themes or a question."""
        return bool(self.themes or self.question.strip())


@dataclass(frozen=True)
class Suggestion:
    organisation: OrganisationProfile
    parts: ScoreParts
    reasons: tuple[Reason, ...]
    warnings: tuple[Caution, ...] = ()

    @property
    def score(self) -> float:
        return self.parts.total


def context_of(request: HelpRequest) -> RequestContext:
    return RequestContext(
        themes=tuple(request.theme_codes),
        flags=tuple(request.situation_flags or ()),
        languages=tuple(request.languages or ()),
        age_band=request.age_band or "",
        postcode=normalize_postcode(request.residence_postcode or ""),
        question=request.question or "",
        excluded=frozenset(lead.organisation_id for lead in request.leads),
    )


# ---------------------------------------------------------------- the parts, one function each
Part = tuple[float, tuple[Reason, ...]]


def _best_categories(
    profile: OrganisationProfile, keys: Iterable[str], table: Mapping[str, Mapping[str, float]], weight: float
) -> Part:
    """For each key (a theme, a flag), ``weight`` x the table's weight of the organisation's best category."""
    score, reasons = 0.0, []
    for key in keys:
        weights = table.get(key)
        if not weights:
            continue
        best, best_code = 0.0, ""
        for code in profile.categories:  # one or two: fewer than the table's
            w = weights.get(code, 0.0)
            if w > best or (w == best and w and code > best_code):
                best, best_code = w, code
        if best:
            score += weight * best
            reasons.append(Reason("category", best_code))
    if len(reasons) > 1:
        reasons = list(dict.fromkeys(reasons))
    return score, tuple(reasons)


def theme_part(
    profile: OrganisationProfile,
    themes: Iterable[str],
    theme_hits: Mapping[str, Mapping[int, float]] | None = None,
) -> Part:
    """The themes' categories; a theme admins added, which no table maps, by the directory search of its
    label (``theme_hits``: theme -> organisation -> relative search score)."""
    score, reasons = _best_categories(profile, themes, THEME_CATEGORIES, THEME_WEIGHT)
    for theme, found in (theme_hits or {}).items():
        relative = found.get(profile.id, 0.0)
        if relative > 0:
            score += THEME_WEIGHT * UNMAPPED_THEME * relative
            reasons += (Reason("theme", theme),)
    return score, reasons


def situation_part(profile: OrganisationProfile, flags: Iterable[str]) -> Part:
    return _best_categories(profile, flags, FLAG_CATEGORIES, SITUATION_WEIGHT)


def question_part(
    profile: OrganisationProfile, hits: Mapping[int, float], *, answers_theme: bool = False
) -> Part:
    relative = hits.get(profile.id, 0.0)
    if relative <= 0:
        return 0.0, ()
    score = (QUESTION_WITH_THEME if answers_theme else QUESTION_WEIGHT) * relative
    # A chip only where the words really tell it apart (a hit barely above the cut says little).
    return score, (Reason("question"),) if relative >= QUESTION_CHIP_AT else ()


def wanted_publics(flags: Iterable[str], age_band: str) -> tuple[str, ...]:
    wanted = [p for flag in flags for p in FLAG_PUBLICS.get(flag, ())]
    wanted += AGE_PUBLICS.get(age_band, ())
    return tuple(dict.fromkeys(wanted))


def public_part(
    profile: OrganisationProfile,
    flags: Iterable[str],
    age_band: str,
    *,
    wanted: tuple[str, ...] | None = None,
) -> Part:
    wanted = wanted_publics(flags, age_band) if wanted is None else wanted
    matched = [p for p in wanted if p in profile.publics]
    score = min(PUBLIC_MAX, PUBLIC_WEIGHT * len(matched))
    return score, tuple(Reason("public", p) for p in matched)


def age_part(profile: OrganisationProfile, age_band: str) -> Part:
    """Negative when the organisation names publics of an age and none fits the person's."""
    if not age_band or not (profile.publics & AGE_SPECIFIC_PUBLICS):
        return 0.0, ()
    fitting = set(AGE_PUBLICS.get(age_band, ())) | (
        ADULT_PUBLICS if age_band in ADULT_BANDS else CHILD_PUBLICS
    )
    return (0.0 if profile.publics & fitting else AGE_MISMATCH), ()


def language_part(profile: OrganisationProfile, languages: Iterable[str]) -> Part:
    spoken = {code for code in languages if code and code != "other"}
    if not spoken or not profile.languages:
        return 0.0, ()
    common = spoken & profile.languages
    other = common - COMMON_LANGUAGES
    score = (LANGUAGE_SPOKEN if other else 0.0) + (LANGUAGE_COMMON if common & COMMON_LANGUAGES else 0.0)
    reasons = [Reason("language", code) for code in sorted(common) if code != "fr"]
    wants_other = bool(spoken - COMMON_LANGUAGES)
    if profile.interpreting and (not common or (wants_other and not other)):
        score += INTERPRETING
        reasons.append(Reason("interpreting"))
    elif not common:
        score += NO_COMMON_LANGUAGE
    return score, tuple(reasons)


def place_part(profile: OrganisationProfile, point: Point | None, basin: str) -> Part:
    reasons = []
    same_basin = bool(basin) and profile.basin == basin
    if point is not None and profile.located is not None:
        distance = haversine_km(point, profile.located.point)
        reasons.append(Reason("distance", f"{distance:.1f}", profile.located.exact))
        if same_basin:
            reasons.append(Reason("basin", basin))
        return DISTANCE_WEIGHT * max(0.0, 1 - distance / DISTANCE_REACH_KM), tuple(reasons)
    if same_basin:
        return SAME_BASIN, (Reason("basin", basin),)
    if basin and profile.basin in BASIN_NEIGHBOURS.get(basin, frozenset()):
        return NEIGHBOUR_BASIN, (Reason("neighbour_basin", profile.basin),)
    return 0.0, ()


def serves_part(profile: OrganisationProfile, commune: str) -> Part:
    if not commune or not profile.served:
        return 0.0, ()
    if profile.serves_whole_region:
        return SERVES_REGION, (Reason("whole_region"),)
    if commune in profile.served:
        return SERVES_COMMUNE, (Reason("serves_commune", commune),)
    return 0.0, ()


def experience_part(accepted: int) -> Part:
    if accepted <= 0:
        return 0.0, ()
    return ACCEPTED_WEIGHT * min(accepted, ACCEPTED_MAX), (Reason("experience", str(accepted)),)


@dataclass(frozen=True)
class Outcomes:
    """The outcomes of the leads to one organisation over the last ``HISTORY_DAYS``."""

    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def known(self) -> int:
        """Leads whose outcome is known (proposed only does not count)."""
        return sum(n for outcome, n in self.counts.items() if outcome != LeadOutcome.PROPOSED.value)

    def count(self, outcome: LeadOutcome) -> int:
        return self.counts.get(outcome.value, 0)


def history_part(outcomes: Outcomes) -> tuple[float, tuple[Caution, ...]]:
    known = outcomes.known
    if not known:
        return 0.0, ()
    waiting = outcomes.count(LeadOutcome.WAITING_LIST)
    refused = outcomes.count(LeadOutcome.REFUSED)
    unreachable = outcomes.count(LeadOutcome.UNREACHABLE)
    score = (
        WAITING_LIST_WEIGHT * waiting / known
        + REFUSED_WEIGHT * refused / known
        + UNREACHABLE_WEIGHT * min(unreachable, UNREACHABLE_MAX)
    )
    warnings = []
    if waiting:
        warnings.append(Caution("waiting_list", waiting, known))
    if refused:
        warnings.append(Caution("refused", refused, known))
    if unreachable:
        warnings.append(Caution("unreachable", unreachable, known))
    return score, tuple(warnings)


def closure_part(profile: OrganisationProfile) -> tuple[float, tuple[Caution, ...]]:
    if profile.temporarily_closed:
        return CLOSURE, (Caution("temporarily_closed"),)
    return 0.0, ()


# ---------------------------------------------------------------- putting them together
def question_hits(
    session: Session, question: str, limit: int = QUESTION_HITS, *, above_cut: bool = False
) -> dict[int, float]:
    """Organisations the directory search finds for the question's words, each with its score relative to
    the best hit (1.0 for the best; by rank when the search answered without its index).

    With ``above_cut``, when the search found more than ``limit``, a hit counts by how much it scores above
    the last one kept: hits tied with it were cut arbitrarily (services of one kind often share their
    description), so neither they nor the ones cut get anything for the words."""
    text = " ".join(question.split())[:300]
    if not text:
        return {}
    # A trailing space: the question is not being typed, its last word is not a prefix to complete.
    result = search_directory(session, text + " ", limit=limit, with_facets=False, highlights=False)
    hits = result.hits
    if not hits:
        return {}
    top = max(hit.score for hit in hits)
    if top <= 0:
        return {hit.id: 1 - rank / len(hits) for rank, hit in enumerate(hits)}
    floor = hits[-1].score if above_cut and result.total > len(hits) else 0.0
    if top <= floor:
        return {}
    return {hit.id: (hit.score - floor) / (top - floor) for hit in hits if hit.score > floor}


def static_parts(
    profile: OrganisationProfile,
    context: RequestContext,
    hits: Mapping[int, float],
    theme_hits: Mapping[str, Mapping[int, float]] | None = None,
) -> tuple[ScoreParts, tuple[Reason, ...]]:
    """Every part that depends on the organisation and the request only (not on the helpdesk's history)."""
    theme, theme_reasons = theme_part(profile, context.themes, theme_hits)
    situation, situation_reasons = situation_part(profile, context.flags)
    question, question_reasons = question_part(profile, hits, answers_theme=theme > 0)
    public, public_reasons = public_part(profile, context.flags, context.age_band, wanted=context.publics)
    age, _ = age_part(profile, context.age_band)
    language, language_reasons = language_part(profile, context.languages)
    place, place_reasons = place_part(profile, context.point, context.basin)
    serves, serves_reasons = serves_part(profile, context.commune)
    closure, _ = closure_part(profile)
    parts = ScoreParts(
        theme=theme,
        situation=situation,
        question=question,
        public=public,
        age=age,
        language=language,
        place=place,
        serves=serves,
        closure=closure,
    )
    reasons = (
        theme_reasons
        + situation_reasons
        + question_reasons
        + language_reasons
        + public_reasons
        + place_reasons
        + serves_reasons
    )
    if theme_reasons and situation_reasons:  # the same category may answer both
        reasons = tuple(dict.fromkeys(reasons))
    return parts, reasons


def candidate_categories(context: RequestContext) -> set[str]:
    """The categories whose organisations are candidates: the themes', else (no theme) the situation's."""
    tables = [THEME_CATEGORIES.get(t, {}) for t in context.themes]
    if not context.themes:
        tables = [FLAG_CATEGORIES.get(f, {}) for f in context.flags]
    return {code for table in tables for code in table}


def _is_candidate(parts: ScoreParts, context: RequestContext) -> bool:
    if parts.theme > 0 or parts.question > 0:
        return True
    return not context.themes and parts.situation > 0


def best_candidates(
    profiles: Iterable[OrganisationProfile],
    context: RequestContext,
    hits: Mapping[int, float],
    count: int,
    theme_hits: Mapping[str, Mapping[int, float]] | None = None,
) -> list[tuple[ScoreParts, tuple[Reason, ...], OrganisationProfile]]:
    """The ``count`` best candidates by their static parts, best first (ties by name)."""
    scored = []
    for profile in profiles:
        parts, reasons = static_parts(profile, context, hits, theme_hits)
        if _is_candidate(parts, context):
            scored.append((parts.total, parts, reasons, profile))
    scored.sort(key=lambda item: (-item[0], item[3].name_fr, item[3].id))
    return [(parts, reasons, profile) for _, parts, reasons, profile in scored[:count]]


def helpdesk_history(
    session: Session, ids: list[int], themes: tuple[str, ...], now: datetime
) -> tuple[dict[int, Outcomes], dict[int, int]]:
    """What the helpdesk's leads say of these organisations: the outcomes of the last ``HISTORY_DAYS``, and
    how many were accepted in the last ``EXPERIENCE_DAYS`` on requests of one of ``themes``. Two queries,
    the first by the leads' organisation index, the second by request."""
    # Whether a lead is recent is asked of the database: no date is read back (and parsed) per row.
    recent = case((Lead.updated_at >= now - timedelta(days=HISTORY_DAYS), 1), else_=0)
    rows = session.execute(
        select(Lead.organisation_id, Lead.outcome, recent, Lead.request_id).where(
            Lead.organisation_id.in_(ids), Lead.updated_at >= now - timedelta(days=EXPERIENCE_DAYS)
        )
    )
    counts: dict[int, dict[str, int]] = {}
    accepted_requests: dict[int, set[int]] = {}
    for organisation_id, outcome, is_recent, request_id in rows:
        if is_recent:
            by_outcome = counts.setdefault(organisation_id, {})
            by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
        if outcome == LeadOutcome.ACCEPTED.value:
            accepted_requests.setdefault(request_id, set()).add(organisation_id)
    accepted: dict[int, int] = {}
    if themes and accepted_requests:
        themed = session.scalars(
            select(RequestTheme.request_id)
            .where(RequestTheme.request_id.in_(list(accepted_requests)), RequestTheme.theme_code.in_(themes))
            .distinct()
        )
        for request_id in themed:
            for organisation_id in accepted_requests[request_id]:
                accepted[organisation_id] = accepted.get(organisation_id, 0) + 1
    return {org: Outcomes(c) for org, c in counts.items()}, accepted


def _latest_notes(session: Session, ids: list[int]) -> dict[int, list[Caution]]:
    notes: dict[int, list[Caution]] = {}
    rows = session.execute(
        select(OrganisationNote.organisation_id, OrganisationNote.text, OrganisationNote.created_at)
        .where(OrganisationNote.organisation_id.in_(ids))
        .order_by(OrganisationNote.created_at.desc(), OrganisationNote.id.desc())
    )
    for organisation_id, text, at in rows:
        found = notes.setdefault(organisation_id, [])
        if len(found) < NOTES_SHOWN:
            found.append(Caution("note", text=text, at=at))
    return notes


def unmapped_theme_hits(
    session: Session, directory: Directory, themes: Iterable[str]
) -> dict[str, dict[int, float]]:
    """For each theme no table maps (admins add themes), the organisations the directory search finds for
    its label, in French and in Dutch (the better of the two)."""
    unmapped = [theme for theme in themes if theme not in THEME_CATEGORIES]
    if not unmapped:
        return {}
    found: dict[str, dict[int, float]] = {}
    for theme in session.scalars(select(Theme).where(Theme.code.in_(unmapped))):
        best: dict[int, float] = {}
        for label in dict.fromkeys(filter(None, (theme.label_fr, theme.label_nl))):
            hits = directory.remembered(
                f"theme {QUESTION_HITS} {label}", partial(question_hits, session, label)
            )
            for organisation_id, relative in hits.items():
                best[organisation_id] = max(relative, best.get(organisation_id, 0.0))
        found[theme.code] = best
    return found


def suggest(
    session: Session,
    context: RequestContext,
    *,
    limit: int = 10,
    app: Flask | None = None,
    now: datetime | None = None,
) -> list[Suggestion]:
    """The ``limit`` best organisations for ``context``, best first (ties by name); [] when the request
    has neither themes nor a question."""
    if not context.asks or limit <= 0:
        return []
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    directory = active_directory(app, session)
    question = " ".join(context.question.split())
    many = QUESTION_HITS_WITH_THEMES if context.themes else QUESTION_HITS
    hits = (
        directory.remembered(
            f"{many} {question}",
            lambda: question_hits(session, question, many, above_cut=bool(context.themes)),
        )
        if question
        else {}
    )
    theme_hits = unmapped_theme_hits(session, directory, context.themes)
    ids = directory.in_categories(candidate_categories(context)) | set(hits)
    ids |= {i for found in theme_hits.values() for i in found}
    profiles = [directory.profiles[i] for i in ids - context.excluded if i in directory.profiles]
    best = best_candidates(profiles, context, hits, max(RESCORED, limit), theme_hits)
    if not best:
        return []
    now = now or utcnow()
    best_ids = [profile.id for _, _, profile in best]
    outcomes, accepted = helpdesk_history(session, best_ids, context.themes, now)
    suggestions = []
    for parts, reasons, profile in best:
        experience, experience_reasons = experience_part(accepted.get(profile.id, 0))
        history, history_warnings = history_part(outcomes.get(profile.id, Outcomes()))
        _, closure_warnings = closure_part(profile)
        _, language_reasons = language_part(profile, context.languages)
        language_warnings = (
            (Caution("no_common_language"),)
            if parts.language < 0 and not any(r.code == "interpreting" for r in language_reasons)
            else ()
        )
        suggestions.append(
            Suggestion(
                profile,
                replace(parts, experience=experience, history=history),
                reasons + experience_reasons,
                closure_warnings + history_warnings + language_warnings,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.organisation.name_fr, s.organisation.id))
    chosen = suggestions[:limit]
    notes = _latest_notes(session, [s.organisation.id for s in chosen])
    return [
        Suggestion(s.organisation, s.parts, s.reasons, s.warnings + tuple(notes.get(s.organisation.id, ())))
        for s in chosen
    ]


def suggest_for_request(
    session: Session, request: HelpRequest, *, limit: int = 10, app: Flask | None = None
) -> list[Suggestion]:
    """The suggestions for a recorded request (its leads left out)."""
    return suggest(session, context_of(request), limit=limit, app=app)


def cautions_for(
    session: Session,
    ids: Iterable[int],
    context: RequestContext,
    *,
    app: Flask | None = None,
    now: datetime | None = None,
) -> dict[int, tuple[Caution, ...]]:
    """The helpdesk's warnings about these organisations, as a suggestion shows them (a temporary closure,
    the outcomes of the last ``HISTORY_DAYS``, no language in common with the person, the latest notes), for
    the organisations the lead search finds. Two queries whatever the number of ids."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    profiles = active_directory(app, session).profiles
    outcomes, _ = helpdesk_history(session, wanted, (), now or utcnow())
    notes = _latest_notes(session, wanted)
    found: dict[int, tuple[Caution, ...]] = {}
    for organisation_id in wanted:
        profile = profiles.get(organisation_id)
        closure: tuple[Caution, ...] = ()
        language_warnings: tuple[Caution, ...] = ()
        if profile is not None:
            _, closure = closure_part(profile)
            language, language_reasons = language_part(profile, context.languages)
            if language < 0 and not any(r.code == "interpreting" for r in language_reasons):
                language_warnings = (Caution("no_common_language"),)
        _, history = history_part(outcomes.get(organisation_id, Outcomes()))
        found[organisation_id] = closure + history + language_warnings + tuple(notes.get(organisation_id, ()))
    return found
