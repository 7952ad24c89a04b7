"""What the admin sections change that no other area owns: the bilingual list of themes.

Each function takes a session, flushes and records its audit row; the view commits. Themes are never deleted
(past requests and reports refer to their codes): they are deactivated.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.audit import record_audit
from helpdesk.auth.models import User
from helpdesk.followup.models import Theme
from helpdesk.followup.themes import all_themes, seed_themes


class ThemeExists(ValueError):
    """A theme with this code exists already."""


def stored_themes(session: Session) -> list[Theme]:
    """Every stored theme, in the admins' order. Seeds nothing: a page that only shows writes nothing."""
    return list(session.scalars(select(Theme).order_by(Theme.position, Theme.code)))


def load_sector_themes(session: Session, *, by: User) -> int:
    """Add the sector's themes that are missing (``helpdesk db upgrade`` does it too). Returns how many."""
    added = seed_themes(session)
    if added:
        record_audit(session, "theme.seed", user_id=by.id, object_type="theme", details={"added": added})
    return added


def _clean(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip()


def create_theme(
    session: Session,
    *,
    code: str,
    labels: tuple[str, str, str],
    position: int | None,
    active: bool,
    by: User,
) -> Theme:
    """A new theme (``labels`` in French, Dutch, English), last in the list unless ``position`` says where.
    On a database without themes the sector's list is seeded first, as everywhere themes are read."""
    items = all_themes(session)
    if session.scalar(select(func.count(Theme.id)).where(Theme.code == code)):
        raise ThemeExists(code)
    label_fr, label_nl, label_en = labels
    theme = Theme(
        code=code,
        label_fr=label_fr.strip(),
        label_nl=label_nl.strip(),
        label_en=label_en.strip(),
        position=position if position is not None else len(items),
        active=active,
    )
    session.add(theme)
    session.flush()
    record_audit(session, "theme.create", user_id=by.id, object_type="theme", object_id=theme.id)
    return theme


def update_theme(
    session: Session,
    theme: Theme,
    *,
    labels: tuple[str, str, str],
    position: int | None,
    active: bool,
    by: User,
) -> None:
    """New labels (French, Dutch, English; runs of spaces collapsed), position if given, and active flag."""
    theme.label_fr, theme.label_nl, theme.label_en = (_clean(label) for label in labels)
    if position is not None:
        theme.position = position
    theme.active = active
    session.flush()
    record_audit(session, "theme.update", user_id=by.id, object_type="theme", object_id=theme.id)
