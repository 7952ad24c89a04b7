"""The orientation sent to the asking professional by e-mail: the request's reference, the leads chosen with
their contact details, the next steps and how to reach the territory's helpdesk, in the professional's
language. Never the question text nor anything on the beneficiary. Queued in the outbox in the caller's
transaction, with its line in the timeline."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from directory_import.models import Organisation
from helpdesk.auth.models import User
from helpdesk.db import get_session
from helpdesk.followup.changes import RequestError, audit, guard_identity, record_event
from helpdesk.followup.models import HelpRequest, LeadOutcome
from helpdesk.mail.messages import MAIL_LANGUAGES, MailError, check_address
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.outbox import queue_mail, render_mail, territory_addresses
from helpdesk.vocabularies.territories import TERRITORY_LABELS

# Leads not worth sending: the organisation refused, or could not be reached.
_LEFT_OUT = (LeadOutcome.REFUSED.value, LeadOutcome.UNREACHABLE.value)


@dataclass(frozen=True)
class LeadContact:
    """One lead as the professional reads it."""

    name: str
    address: str
    phones: list[str]
    emails: list[str]
    websites: list[str]
    opening_hours: str
    note: str


@dataclass(frozen=True)
class OrientationMail:
    to: str
    language: str
    reply_to: str
    subject: str
    text: str
    html: str


def _lang(organisation: Organisation, field: str, language: str) -> str:
    fr, nl = getattr(organisation, f"{field}_fr") or "", getattr(organisation, f"{field}_nl") or ""
    return (nl or fr) if language == "nl" else (fr or nl)


def _address(organisation: Organisation, language: str) -> str:
    street = " ".join(p for p in (_lang(organisation, "street", language), organisation.number) if p)
    if organisation.box:
        street += f" {_('box')} {organisation.box}"
    place = " ".join(p for p in (organisation.postcode, _lang(organisation, "commune", language)) if p)
    return ", ".join(p for p in (street, place) if p)


def _strings(values) -> list[str]:
    return [
        str(v.get("number") or v.get("value") or "") if isinstance(v, dict) else str(v) for v in values or []
    ]


def lead_contacts(request: HelpRequest, language: str) -> list[LeadContact]:
    """The leads chosen for ``request`` (not the refused or unreachable ones), in ``language``."""
    contacts = []
    for lead in request.leads:
        if lead.outcome in _LEFT_OUT:
            continue
        org = lead.organisation
        contacts.append(
            LeadContact(
                name=org.name_in(language),
                address=_address(org, language),
                phones=[p for p in _strings(org.phones) if p],
                emails=[e for e in _strings(org.emails) if e],
                websites=[w for w in _strings(org.websites) if w],
                opening_hours=_lang(org, "opening_hours", language),
                note=lead.note or "",
            )
        )
    return contacts


def default_caller_language(user: User) -> str:
    """The operator's interface language, which the professional is written to in unless told otherwise."""
    locale = (user.locale or "fr").split("_")[0]
    return locale if locale in MAIL_LANGUAGES else "fr"


def territory_reply_to(territory: str) -> str:
    """The territory's shared address (Administration → Territory addresses, else TERRITORY_REPLY_TO)."""
    return territory_addresses(get_session()).get(territory, "")


def compose_orientation(
    request: HelpRequest, *, to: str | None = None, language: str | None = None, message: str = ""
) -> OrientationMail:
    """The e-mail as it would be sent (the preview); raises ``RequestError``: ``no_address`` (no ``to`` and
    no e-mail of the professional), ``no_lead``, or ``invalid`` with the field at fault."""
    address = (to if to is not None else request.caller_email or "").strip()
    if not address:
        raise RequestError("no_address", {"to": "required"})
    try:
        address = check_address(address, "to")
    except MailError:
        raise RequestError("invalid", {"to": "invalid"}) from None
    language = language or request.caller_language or "fr"
    if language not in MAIL_LANGUAGES:
        raise RequestError("invalid", {"language": "invalid"})
    leads = lead_contacts(request, language)
    if not leads:
        raise RequestError("no_lead", {"leads": "required"})
    reply_to = territory_reply_to(request.territory)
    with force_locale(language):
        territory = str(TERRITORY_LABELS.get(request.territory, request.territory))
        subject = _(
            "[%(ref)s] Orientation from the helpdesk %(territory)s",
            ref=request.reference,
            territory=territory,
        )
        text, html = render_mail(
            "orientation",
            language,
            reference=request.reference,
            caller_name=request.caller_name,
            leads=leads,
            message=message.strip(),
            territory=territory,
            reply_to=reply_to,
        )
    return OrientationMail(address, language, reply_to, subject, text, html)


def send_orientation(
    session: Session,
    user: User,
    request: HelpRequest,
    *,
    to: str | None = None,
    language: str | None = None,
    message: str = "",
    identity_confirmed: bool = False,
) -> OutboxMessage:
    """Queue the orientation e-mail in the outbox and note it in the timeline; flushes. Raises
    ``RequestError`` (see ``compose_orientation``; the operator's message goes through the identity guard)."""
    if message.strip():
        guard_identity({"message": message}, identity_confirmed)
    mail = compose_orientation(request, to=to, language=language, message=message)
    try:
        queued = queue_mail(
            session,
            kind="orientation",
            to=mail.to,
            to_name=request.caller_name,
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            language=mail.language,
            reply_to=mail.reply_to,
            request_id=request.id,
            created_by_id=user.id,
        )
    except MailError as error:
        raise RequestError("invalid", {error.field: "invalid"}) from None
    record_event(
        session,
        request,
        user,
        "orientation_sent",
        channel="email",
        language=mail.language,
        leads=len(lead_contacts(request, mail.language)),
        outbox=queued.id,
    )
    audit(session, user, "request.send_orientation", request, outbox=queued.id)
    session.flush()
    return queued
