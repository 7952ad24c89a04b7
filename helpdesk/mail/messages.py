"""Building one e-mail with the standard library: checked addresses, headers that cannot be injected, a text
and an HTML part. No Flask here beyond what the caller passes in (rendered bodies, addresses)."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from email_validator import EmailNotValidError, validate_email

from directory_import.models import utcnow

MAIL_LANGUAGES = ("fr", "nl", "en")
# Bodies in quoted-printable or base64: the message goes through any server, 8BITMIME or not.
_POLICY = SMTP.clone(cte_type="7bit")


class MailError(ValueError):
    """A message that cannot be built: ``code`` is ``invalid_address`` or ``header_injection``."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(f"{code}: {field}")
        self.code, self.field = code, field


def _no_line_breaks(value: str, field: str) -> str:
    if any(c in value for c in "\r\n\x00\x0b\x0c\x85\u2028\u2029"):
        raise MailError("header_injection", field)
    return value


def check_address(address: str, field: str = "to") -> str:
    """The address, normalised (lower-case domain); ``MailError`` when it is not one valid address."""
    _no_line_breaks(address, field)
    try:
        return validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError:
        raise MailError("invalid_address", field) from None


def _address(address: str, name: str, field: str) -> Address:
    addr_spec = check_address(address, field)
    local, _, domain = addr_spec.rpartition("@")
    return Address(display_name=_no_line_breaks(name.strip(), field), username=local, domain=domain)


@dataclass(frozen=True)
class BuiltMessage:
    message_id: str
    from_address: str
    to_address: str
    subject: str
    raw: str


def build_message(
    *,
    sender: str,
    sender_name: str = "",
    to: str,
    to_name: str = "",
    reply_to: str = "",
    subject: str,
    text: str,
    html: str,
    language: str,
) -> BuiltMessage:
    """A multipart/alternative message (text, then HTML) with From, To, Reply-To, Subject, Date, Message-ID
    and Content-Language. Raises ``MailError`` for an invalid address or a CR/LF in any header value."""
    from_addr = _address(sender, sender_name, "from")
    to_addr = _address(to, to_name, "to")
    reply = _address(reply_to, "", "reply_to") if reply_to else None
    _no_line_breaks(subject, "subject")
    if language not in MAIL_LANGUAGES:
        raise MailError("invalid_language", "language")
    message = EmailMessage(policy=_POLICY)
    message["From"] = from_addr
    message["To"] = to_addr
    if reply is not None:
        message["Reply-To"] = reply
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message_id = make_msgid(domain=from_addr.domain)
    message["Message-ID"] = message_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after the parts: set_content replaces every Content-* header
    return BuiltMessage(
        message_id=message_id,
        from_address=from_addr.addr_spec,
        to_address=to_addr.addr_spec,
        subject=subject,
        raw=message.as_string(),
    )
