"""The sector's themes (bilingual), seeded once and then edited by admins; themes are never deleted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.followup.models import Theme

# code, English, French, Dutch: the 16 themes of the sector, in the order operators know them.
SECTOR_THEMES: tuple[tuple[str, str, str, str], ...] = (
    ("mental_health", "Mental health", "Santé mentale", "Geestelijke gezondheid"),
    ("addiction", "Addiction", "Assuétudes", "Verslaving"),
    ("housing", "Housing and homelessness", "Logement et sans-abrisme", "Huisvesting en dakloosheid"),
    ("food", "Food access", "Aide alimentaire", "Voedselhulp"),
    (
        "after_prison",
        "Continuity of care after prison",
        "Continuité des soins après la prison",
        "Continuïteit van zorg na de gevangenis",
    ),
    (
        "perinatal",
        "Pregnancy and perinatal care",
        "Grossesse et périnatalité",
        "Zwangerschap en perinatale zorg",
    ),
    (
        "end_of_life",
        "End of life and palliative care",
        "Fin de vie et soins palliatifs",
        "Levenseinde en palliatieve zorg",
    ),
    ("home_care", "Home care", "Soins et aide à domicile", "Thuiszorg"),
    (
        "financial_access",
        "Financial access to care",
        "Accès financier aux soins",
        "Financiële toegang tot zorg",
    ),
    (
        "disability",
        "Disability and double diagnosis",
        "Handicap et double diagnostic",
        "Handicap en dubbele diagnose",
    ),
    ("transport", "Transport", "Transport", "Vervoer"),
    ("rights", "Administrative rights", "Droits administratifs", "Administratieve rechten"),
    ("migration", "Migration", "Migration", "Migratie"),
    ("older_people", "Older people", "Personnes âgées", "Ouderen"),
    ("youth", "Youth", "Jeunesse", "Jongeren"),
    ("violence", "Violence", "Violences", "Geweld"),
)


def seed_themes(session: Session) -> int:
    """Add the sector's themes that are missing (by code); never changes an existing one. Returns how many."""
    existing = set(session.scalars(select(Theme.code)))
    added = 0
    for position, (code, en, fr, nl) in enumerate(SECTOR_THEMES):
        if code not in existing:
            session.add(
                Theme(code=code, label_en=en, label_fr=fr, label_nl=nl, position=position, active=True)
            )
            added += 1
    session.flush()
    return added


def all_themes(session: Session) -> list[Theme]:
    """Every theme, in the admins' order; seeds the sector's list on a database that has none yet."""
    if not session.scalar(select(func.count(Theme.id))):
        try:
            with session.begin_nested():  # two workers may seed at once: the loser keeps the winner's rows
                seed_themes(session)
        except IntegrityError:
            pass
    return list(session.scalars(select(Theme).order_by(Theme.position, Theme.code)))


def active_themes(session: Session) -> list[Theme]:
    return [t for t in all_themes(session) if t.active]


def theme_labels(session: Session, locale: str) -> dict[str, str]:
    return {t.code: t.label(locale) for t in all_themes(session)}
