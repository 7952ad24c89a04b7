"""A year of invented activity for the demo accounts, made by the request domain's own operations.

Deterministic: request number ``i`` of the demo always draws from ``Random(f"{seed}:{i}")``, so the same
directory and the same count give the same story. Every step goes through ``helpdesk.followup.operations``
(its checks, timeline and audit); only the clock is simulated: while the generator runs, the timestamps the
operations write as "now" are set to the step's simulated moment, spread over the last twelve months.
Idempotent: it tops the demo accounts' requests up to the count asked, never beyond.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, event, func, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from directory_import.models import Base, Organisation, UTCDateTime
from directory_import.territory import LOCALITIES, TERRITORIES, basin_for_postcode
from directory_import.vocabulary import CATEGORIES
from helpdesk.auth.models import User
from helpdesk.demo import texts
from helpdesk.followup import operations as ops
from helpdesk.followup.models import HelpRequest
from helpdesk.vocabularies import AgeBand, Channel, LeadOutcome, Sector, SituationFlag, UnmetReason

DEFAULT_REQUESTS = 1500  # a year of the regional helpdesk: about six calls a working day
SEED = 2026
BATCH = 250  # requests per commit

TERRITORY_WEIGHTS = {"nord": 20, "nord-est": 16, "centre-ouest": 17, "sud": 20, "sud-est": 15, "region": 12}
THEME_WEIGHTS = {
    "housing": 18,
    "mental_health": 16,
    "financial_access": 10,
    "food": 8,
    "rights": 8,
    "addiction": 7,
    "migration": 7,
    "older_people": 6,
    "home_care": 5,
    "violence": 4,
    "youth": 4,
    "after_prison": 3,
    "perinatal": 3,
    "disability": 3,
    "end_of_life": 2,
    "transport": 2,
}
THEME_CATEGORIES = {
    "mental_health": ("ssm",),
    "addiction": ("assuetudes",),
    "housing": ("logement", "sansabri"),
    "food": ("aidealim",),
    "after_prison": ("justice",),
    "perinatal": ("perinatal", "planning"),
    "end_of_life": ("palliatif",),
    "home_care": ("domicile",),
    "financial_access": ("cpas", "mm", "dettes"),
    "disability": ("handicap",),
    "transport": ("domicile", "seniors"),
    "rights": ("cas", "cpas"),
    "migration": ("migrants",),
    "older_people": ("seniors", "domicile"),
    "youth": ("jeunesse",),
    "violence": ("violences",),
}
SECTOR_OF_CATEGORY = {
    "mm": Sector.GENERAL_PRACTICE.value,
    "ssm": Sector.MENTAL_HEALTH.value,
    "cpas": Sector.CPAS.value,
    "domicile": Sector.HOME_CARE.value,
    "justice": Sector.JUSTICE.value,
    "jeunesse": Sector.SCHOOL.value,
}
OUTCOMES = (
    (LeadOutcome.ACCEPTED.value, 40),
    (LeadOutcome.CONTACTED.value, 14),
    (LeadOutcome.WAITING_LIST.value, 16),
    (LeadOutcome.REFUSED.value, 12),
    (LeadOutcome.UNREACHABLE.value, 8),
    (LeadOutcome.PROPOSED.value, 10),
)
# Drawn with adults twice as likely as the other bands (codes from the vocabulary, weighted by repetition).
AGE_BAND_DRAWS = tuple(
    band.value
    for band in (
        AgeBand.YOUNG_ADULT,
        AgeBand.ADULT,
        AgeBand.ADULT,
        AgeBand.MIDDLE_AGED,
        AgeBand.MIDDLE_AGED,
        AgeBand.OLDER,
        AgeBand.OLDEST,
        AgeBand.TEEN,
    )
)
LANGUAGES = ("fr", "fr", "fr", "nl", "ar", "en", "tr", "es", "ro", "pl")


@dataclass
class ActivityReport:
    created: int = 0
    total: int = 0
    seconds: float = 0.0
    skipped: str = ""  # why nothing was generated ("no_directory", "no_accounts")
    territories: Counter[str] = field(default_factory=Counter)


class SimulatedClock:
    """While attached to a session, what an operation writes as "now" becomes ``self.now``.

    New rows get ``now`` in their timestamp columns left empty (their default is the wall clock), changed
    rows get it in the columns the ORM would stamp on update, and any timestamp set at or after the
    generator's start (the wall clock read by an operation) is replaced. Planned times (``due_at``) are
    left as given."""

    KEEP = frozenset({"due_at"})

    def __init__(self, session: Session, started: datetime) -> None:
        self.session, self.started, self.now = session, started, started

    def __enter__(self) -> SimulatedClock:
        event.listen(Base, "before_insert", self._on_insert, propagate=True)
        event.listen(Base, "before_update", self._on_update, propagate=True)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(Base, "before_insert", self._on_insert)
        event.remove(Base, "before_update", self._on_update)

    def _on_insert(self, _mapper: Any, _connection: Any, target: Any) -> None:
        self._stamp(target, inserting=True)

    def _on_update(self, _mapper: Any, _connection: Any, target: Any) -> None:
        self._stamp(target, inserting=False)

    def _stamp(self, target: Any, *, inserting: bool) -> None:
        if object_session(target) is not self.session:
            return
        for column in target.__table__.columns:
            if not isinstance(column.type, (DateTime, UTCDateTime)) or column.key in self.KEEP:
                continue
            value = getattr(target, column.key, None)
            if value is None:
                stamp = inserting and column.default is not None
            else:
                stamp = (value.tzinfo is not None and value >= self.started) or (
                    not inserting and column.onupdate is not None
                )
            if stamp:
                setattr(target, column.key, self.now)
                if not inserting:  # in the UPDATE even when equal to the stored value (else onupdate fires)
                    flag_modified(target, column.key)


def _weighted(rnd: random.Random, weights: dict[str, int] | tuple[tuple[str, int], ...]) -> str:
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return rnd.choices([k for k, _ in items], [w for _, w in items])[0]


def _office_time(rnd: random.Random, now: datetime, zone: ZoneInfo) -> datetime:
    """A weekday moment of office hours within the last 365 days (never after ``now``)."""
    while True:
        day = (now.astimezone(zone) - timedelta(days=rnd.uniform(0, 365))).date()
        if day.weekday() >= 5:
            continue
        local = datetime(day.year, day.month, day.day, 8, 30, tzinfo=zone) + timedelta(
            minutes=rnd.randint(0, 540)
        )
        moment = local.astimezone(UTC)
        if moment < now - timedelta(minutes=30):
            return moment


class _Directory:
    def __init__(self, session: Session) -> None:
        orgs = session.scalars(select(Organisation).where(Organisation.archived.is_(False))).all()
        self.all = [o.id for o in orgs]
        self.by_category: dict[str, list[Organisation]] = defaultdict(list)
        self.labels = by_label = {fr: code for code, (fr, _nl) in CATEGORIES.items()}
        for org in orgs:
            for category in self.categories(org, by_label):
                self.by_category[category].append(org)
        self.orgs = {o.id: o for o in orgs}

    @staticmethod
    def categories(org: Organisation, by_label: dict[str, str]) -> list[str]:
        """The project's category codes of ``org``: plain codes, or the export's {code, label_fr} records."""
        found = []
        for item in org.categories or ():
            code = by_label.get(item.get("label_fr", "")) if isinstance(item, dict) else item
            if code:
                found.append(code)
        return found

    def for_theme(self, rnd: random.Random, theme: str, basin: str, count: int) -> list[int]:
        pool = [o for c in THEME_CATEGORIES.get(theme, ()) for o in self.by_category.get(c, ())]
        near = [o.id for o in pool if o.basin == basin]
        ids = list(dict.fromkeys(near + [o.id for o in pool])) or self.all
        head = ids[: max(count * 3, 6)]
        return rnd.sample(head, min(count, len(head)))


def demo_request_count(session: Session, users: list[User]) -> int:
    ids = [u.id for u in users]
    return session.scalar(select(func.count(HelpRequest.id)).where(HelpRequest.created_by_id.in_(ids))) or 0


def generate_activity(
    session: Session,
    operators: dict[str, User],
    *,
    requests: int = DEFAULT_REQUESTS,
    seed: int = SEED,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> ActivityReport:
    """Top the requests of ``operators`` (one per territory) up to ``requests``; commits every ``BATCH``."""
    report = ActivityReport()
    started = time.perf_counter()
    if set(operators) != set(TERRITORIES):
        report.skipped = "no_accounts"
        return report
    directory = _Directory(session)
    if not directory.all:
        report.skipped = "no_directory"
        return report
    zone = zone or ZoneInfo("Europe/Brussels")
    wall = datetime.now(UTC)
    now = now or wall
    existing = demo_request_count(session, list(operators.values()))
    plans = []
    for i in range(existing, requests):
        rnd = random.Random(f"{seed}:{i}")
        plans.append((_office_time(rnd, now, zone), i, rnd))
    plans.sort(key=lambda p: (p[0], p[1]))
    postcodes = defaultdict(list)
    for postcode in sorted(LOCALITIES):
        postcodes[basin_for_postcode(postcode)].append(postcode)
    audit_log = logging.getLogger("helpdesk.audit")
    level = audit_log.level
    audit_log.setLevel(logging.WARNING)  # thousands of audit lines would only slow the first start down
    with SimulatedClock(session, wall) as clock:
        for n, (created_at, _i, rnd) in enumerate(plans, 1):
            territory = _one_request(
                session, clock, rnd, created_at, now, zone, operators, directory, postcodes
            )
            report.territories[territory] += 1
            report.created += 1
            if n % BATCH == 0:
                session.commit()
        session.commit()
    audit_log.setLevel(level)
    report.total = existing + report.created
    report.seconds = time.perf_counter() - started
    return report


def _one_request(
    session: Session,
    clock: SimulatedClock,
    rnd: random.Random,
    t: datetime,
    now: datetime,
    zone: ZoneInfo,
    operators: dict[str, User],
    directory: _Directory,
    postcodes: dict[str, list[str]],
) -> str:
    territory = _weighted(rnd, TERRITORY_WEIGHTS)
    operator = operators[territory]
    lang = "nl" if rnd.random() < (0.45 if territory in ("sud-est", "region") else 0.2) else "fr"
    themes = list(dict.fromkeys([_weighted(rnd, THEME_WEIGHTS) for _ in range(rnd.choice((1, 1, 1, 2)))]))
    basin = territory if territory != "region" else rnd.choice(list(TERRITORY_WEIGHTS)[:5])
    postcode = rnd.choice(postcodes[basin]) if rnd.random() < 0.85 else ""
    caller_org = directory.orgs[rnd.choice(directory.all)]
    category = (directory.categories(caller_org, directory.labels) or ["other"])[0]
    flags = rnd.sample([f.value for f in SituationFlag], rnd.choice((0, 0, 1, 1, 2)))
    if "housing" in themes and not postcode:
        flags = sorted(set(flags) | {SituationFlag.NO_FIXED_ADDRESS.value})
    question = (
        f"{rnd.choice(texts.PROFILES[lang])} : {texts.ASKS[lang][themes[0]]}.{rnd.choice(texts.EXTRAS[lang])}"
        if lang == "fr"
        else f"{rnd.choice(texts.PROFILES[lang])}: {texts.ASKS[lang][themes[0]]}.{rnd.choice(texts.EXTRAS[lang])}"
    )
    record = ops.IntakeRecord(
        territory=territory,
        channel=_weighted(rnd, (("phone", 70), ("email", 20), ("walk_in", 5), ("video", 5))),
        caller=ops.CallerRecord(
            function=rnd.choice(texts.FUNCTIONS[lang]),
            sector=SECTOR_OF_CATEGORY.get(category, Sector.SOCIAL_SERVICE.value),
            organisation_id=caller_org.id,
            phone=(caller_org.phones or [""])[0],
            language=lang,
        ),
        age_band=rnd.choice(AGE_BAND_DRAWS),
        gender=rnd.choice(("woman", "man", "woman", "man", "")),
        languages=sorted({lang, rnd.choice(LANGUAGES)}),
        residence_postcode=postcode,
        situation_flags=flags,
        themes=themes,
        question=question,
        urgency=_weighted(rnd, (("normal", 75), ("high", 15), ("urgent", 5), ("low", 5))),
    )
    age = now - t
    clock.now = t
    request = ops.create_request(session, operator, record, now=t)
    if age < timedelta(hours=30) and rnd.random() < 0.5:
        return territory  # still new in the queue
    step = _Stepper(clock, rnd, t, now)
    step()
    ops.update_request(session, operator, request, expected_version=None, assign_to=operator)
    holder = operator
    if rnd.random() < 0.08:
        to = rnd.choice(ops.transfer_targets(request))
        step()
        ops.transfer_request(
            session,
            holder,
            request,
            to=to,
            note=rnd.choice(texts.TRANSFER_NOTES[lang]),
            expected_version=None,
        )
        territory = to
        if step.recent(days=2):
            return territory  # handed to them, not taken yet
        holder = operators[to]
        step()
        ops.update_request(session, holder, request, expected_version=None, assign_to=holder)
    elif rnd.random() < 0.03:
        adviser = operators["region" if territory != "region" else "sud"]
        step()
        ops.share_request(
            session, holder, request, to=adviser.territory, note=rnd.choice(texts.TRANSFER_NOTES[lang])
        )
        step()
        ops.add_comment(session, adviser, request, note=rnd.choice(texts.CALLBACK_NOTES[lang]))
    leads = []
    for org_id in directory.for_theme(rnd, themes[0], basin, rnd.choice((1, 2, 2, 3))):
        step()
        leads.append(ops.add_lead(session, holder, request, org_id))
    if rnd.random() < 0.12:
        step()
        ops.add_unmet_need(
            session,
            holder,
            request,
            reason=rnd.choice([r.value for r in UnmetReason]),
            theme_code=themes[0],
            note=rnd.choice(texts.UNMET_NOTES[lang]),
        )
    recent = age < timedelta(days=6)
    if recent or rnd.random() < 0.35:
        step()
        if recent and rnd.random() < 0.7:
            today = now.astimezone(zone).date()
            day = today if rnd.random() < 0.55 else today - timedelta(days=rnd.randint(1, 3))
            due = datetime(day.year, day.month, day.day, rnd.randint(9, 16), rnd.choice((0, 30)), tzinfo=zone)
        else:
            due = clock.now + timedelta(days=rnd.randint(1, 5))
        callback = ops.add_callback(
            session, holder, request, due_at=due, note=rnd.choice(texts.CALLBACK_NOTES[lang])
        )
        if recent:
            return territory  # the callback waits on the to-do list
        step(until=due)
        ops.complete_callback(session, holder, request, callback)
    for lead in leads:
        step()
        outcome = _weighted(rnd, OUTCOMES)
        note = texts.LEAD_NOTES.get(outcome, ("", ""))[lang == "nl"] if rnd.random() < 0.5 else None
        ops.update_lead(session, holder, request, lead, outcome=outcome, note=note)
    if step.recent(days=14) and rnd.random() < 0.5:
        return territory  # still being worked on
    _close(session, step, rnd, holder, request, lang)
    if rnd.random() < 0.03 and not step.recent(days=10):
        step(days=3)
        ops.reopen_request(
            session, holder, request, reason=rnd.choice(texts.REOPEN_REASONS[lang]), expected_version=None
        )
        if not step.recent(days=3):
            _close(session, step, rnd, holder, request, lang)
    return territory


def _close(session, step, rnd, holder, request, lang) -> None:
    step()
    given = rnd.random() < 0.87
    ops.close_request(
        session,
        holder,
        request,
        ops.ClosingRecord(
            feedback_given=given,
            feedback_at=step.clock.now if given else None,
            feedback_channel=rnd.choice((Channel.PHONE.value, Channel.EMAIL.value)) if given else "",
            feedback_text=rnd.choice(texts.FEEDBACK[lang]) if given else "",
            missing_reason="" if given else rnd.choice(texts.NO_FEEDBACK[lang]),
        ),
        expected_version=None,
    )


class _Stepper:
    """Moves the simulated clock forward by a plausible delay, never past the generation's ``now``."""

    def __init__(self, clock: SimulatedClock, rnd: random.Random, start: datetime, now: datetime) -> None:
        self.clock, self.rnd, self.limit = clock, rnd, min(now, clock.started) - timedelta(minutes=1)
        clock.now = start

    def __call__(self, *, until: datetime | None = None, days: float = 0) -> None:
        target = until or self.clock.now + timedelta(minutes=self.rnd.randint(5, 60 * 24 * 2) + days * 1440)
        self.clock.now = min(max(target, self.clock.now), self.limit)

    def recent(self, *, days: float) -> bool:
        return self.limit - self.clock.now < timedelta(days=days)
