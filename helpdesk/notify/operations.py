"""Users' choices, delivering and reading notifications (finding them is ``helpdesk.notify.finders``).

``deliver_immediate`` queues one mail per
pending notification (rows claimed ``FOR UPDATE SKIP LOCKED``); ``send_digests`` queues one digest per user
and local day, made once by the unique ``(user_id, day)`` of ``notification_digests``. Mail leaves through
the outbox, never from a request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from directory_import.models import utcnow
from helpdesk.auth.models import User
from helpdesk.followup.models import HelpRequest
from helpdesk.mail.messages import MAIL_LANGUAGES, MailError
from helpdesk.mail.outbox import queue_mail, render_mail
from helpdesk.notify.models import (
    NOTIFICATION_KINDS,
    NOTIFICATION_MODES,
    Notification,
    NotificationPreference,
)
from helpdesk.vocabularies.territories import TERRITORY_LABELS

logger = logging.getLogger(__name__)

MAIL_KIND = "notification"
DIGEST_MAIL_KIND = "notification_digest"


# Preferences ---------------------------------------------------------------------------------------------


def default_modes() -> dict[str, str]:
    defaults = current_app.config["NOTIFY_DEFAULTS"]
    return {kind: str(defaults.get(kind, "off")) for kind in NOTIFICATION_KINDS}


def preferences_of(db: Session, user_id: int) -> dict[str, str]:
    """Each kind's mode for ``user_id``: their choice, else the default of ``NOTIFY_DEFAULTS``."""
    modes = default_modes()
    for pref in db.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id)):
        if pref.kind in modes and pref.mode in NOTIFICATION_MODES:
            modes[pref.kind] = pref.mode
    return modes


def modes_of(db: Session, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """The mode of ``kind`` of each of ``user_ids``: their choice, else the default."""
    ids = list(set(user_ids))
    default = default_modes()[kind]
    modes = dict.fromkeys(ids, default)
    if ids:
        rows = db.execute(
            select(NotificationPreference.user_id, NotificationPreference.mode).where(
                NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind
            )
        )
        modes.update({uid: mode for uid, mode in rows if mode in NOTIFICATION_MODES})
    return modes


class PreferenceError(ValueError):
    """A kind or a mode that does not exist."""


def set_preferences(db: Session, user: User, choices: dict[str, str]) -> None:
    """Record ``user``'s mode for each kind of ``choices``; flushes."""
    for kind, mode in choices.items():
        if kind not in NOTIFICATION_KINDS or mode not in NOTIFICATION_MODES:
            raise PreferenceError(f"{kind}={mode}")
    existing = {
        p.kind: p
        for p in db.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    }
    for kind, mode in choices.items():
        if kind in existing:
            existing[kind].mode = mode
        else:
            db.add(NotificationPreference(user_id=user.id, kind=kind, mode=mode))
    db.flush()


# Texts ---------------------------------------------------------------------------------------------------


def describe(kind: str, detail: str, reference: str, territory: str = "") -> str:
    """The one sentence a notification says, in the current language (page and mail alike)."""
    place = str(TERRITORY_LABELS.get(territory, territory))
    if kind == "transfer":
        if detail == "share":
            return _(
                "Request %(ref)s is shared with %(territory)s for advice.", ref=reference, territory=place
            )
        return _("Request %(ref)s was handed over to %(territory)s.", ref=reference, territory=place)
    if kind == "proposal":
        if detail == "accepted":
            return _("Your proposal on %(name)s was accepted.", name=reference)
        return _("Your proposal on %(name)s was refused.", name=reference)
    if kind == "callback":
        if detail == "overdue":
            return _("A callback of request %(ref)s is overdue.", ref=reference)
        return _("A callback of request %(ref)s is due today.", ref=reference)
    return _("Request %(ref)s is still unassigned in %(territory)s.", ref=reference, territory=place)


def subject_of(kind: str, reference: str) -> str:
    if kind == "proposal":
        return _("Your proposal on %(name)s", name=reference)
    if kind == "transfer":
        return _("[%(ref)s] A request for your territory", ref=reference)
    if kind == "callback":
        return _("[%(ref)s] Callback to make", ref=reference)
    return _("[%(ref)s] Request still unassigned", ref=reference)


# Delivering ----------------------------------------------------------------------------------------------


def _language(user: User | None) -> str:
    language = ((user.locale if user else None) or current_app.config["BABEL_DEFAULT_LOCALE"] or "fr")[:2]
    return language if language in MAIL_LANGUAGES else "fr"


@dataclass(frozen=True)
class MailItem:
    text: str
    link: str


def proposal_references(db: Session, notifications: Iterable[Notification]) -> dict[int, str]:
    """The organisation each proposal notification is about, by name (the name proposed for a new one)."""
    from helpdesk.stewardship.models import Proposal

    ids = {n.proposal_id for n in notifications if n.proposal_id}
    if not ids:
        return {}
    language = _language_of_babel()
    names = {}
    for proposal in db.scalars(select(Proposal).where(Proposal.id.in_(ids))):
        if proposal.organisation is not None:
            names[proposal.id] = proposal.organisation.name_in(language)
        else:
            values = {c.field: c.proposed_value for c in proposal.changes}
            names[proposal.id] = str(
                values.get("name_nl" if language == "nl" else "name_fr")
                or values.get("name_fr")
                or values.get("name_nl")
                or ""
            )
    return names


def _language_of_babel() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "fr"


def reference_of(notification: Notification, requests: dict[int, str], proposals: dict[int, str]) -> str:
    if notification.proposal_id:
        return proposals.get(notification.proposal_id, "")
    return requests.get(notification.request_id or 0, "")


def _link(notification: Notification) -> str:
    if notification.proposal_id:
        return url_for("stewardship.detail", proposal_id=notification.proposal_id, _external=True)
    if notification.request_id:
        return url_for("followup.detail", request_id=notification.request_id, _external=True)
    return ""


def _items(db: Session, notifications: list[Notification]) -> list[MailItem]:
    proposals = proposal_references(db, notifications)
    references = dict(
        db.execute(
            select(HelpRequest.id, HelpRequest.reference).where(
                HelpRequest.id.in_([n.request_id for n in notifications if n.request_id])
            )
        ).all()
    )
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return [
            MailItem(
                describe(n.kind, n.detail, reference_of(n, references, proposals), n.territory), _link(n)
            )
            for n in notifications
        ]


def queue_notification_mail(db: Session, notifications: list[Notification], *, digest_day: str = "") -> bool:
    """Queue one mail for ``notifications`` (one alone, or a user's digest); False when its address cannot
    receive mail (the notifications stay in the application)."""
    first = notifications[0]
    user = db.get(User, first.user_id) if first.user_id else None
    address = user.email if user else first.to_address
    language = _language(user)
    with force_locale(language):
        items = _items(db, notifications)
        if digest_day:
            day = date.fromisoformat(digest_day)
            subject = _("Helpdesk: your notifications of %(day)s", day=format_date(day, "long"))
        else:
            reference = (
                db.scalar(select(HelpRequest.reference).where(HelpRequest.id == first.request_id)) or ""
            )
            if first.proposal_id:
                reference = proposal_references(db, [first]).get(first.proposal_id, "")
            subject = subject_of(first.kind, reference)
        text, html = render_mail(
            "notification", language, items=items, digest=bool(digest_day), name=(user.name if user else "")
        )
    try:
        queue_mail(
            db,
            kind=DIGEST_MAIL_KIND if digest_day else MAIL_KIND,
            to=address,
            to_name=user.name if user else "",
            subject=subject,
            text=text,
            html=html,
            language=language,
            request_id=None if digest_day else first.request_id,
        )
    except MailError:
        logger.warning("notification %s: its address cannot receive mail", first.id)
        return False
    return True


# Reading -------------------------------------------------------------------------------------------------


def unread_count(db: Session, user: User) -> int:
    return (
        db.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notifications_of(
    db: Session, user: User, *, unread_only: bool = False, limit: int = 200
) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(selectinload(Notification.request).load_only(HelpRequest.reference))
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(
        db.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    )


def mark_read(db: Session, user: User, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notifications read (or all of them); how many changed. Flushes."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = db.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.flush()
    return int(getattr(result, "rowcount", 0) or 0)
