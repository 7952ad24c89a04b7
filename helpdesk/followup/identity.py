"""Spotting what looks like a beneficiary's identity in free text: Belgian national numbers, e-mail addresses,
phone numbers. Only a warning: the operator confirms or edits, since a false positive must not block a call.
"""

from __future__ import annotations

import re

_NATIONAL_NUMBER = re.compile(r"(?<!\d)(\d{2})[.\s-]?(\d{2})[.\s-]?(\d{2})[.\s-]?(\d{3})[.\s-]?(\d{2})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d\w])(?:\+|00)?(?:32[\s./-]?)?0?\(?0?\)?[1-9](?:[\s./-]?\d){7,8}(?!\d)")


def is_national_number(digits: str) -> bool:
    """True when 11 digits pass the checksum of the Belgian national register (born before or after 2000)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return 97 - body % 97 == check or 97 - (2_000_000_000 + body) % 97 == check


def identity_warnings(text: str) -> list[str]:
    """Kinds of identity-like content found in ``text``: ``national_number``, ``email``, ``phone``."""
    if not text:
        return []
    found = []
    if any(is_national_number("".join(m.groups())) for m in _NATIONAL_NUMBER.finditer(text)):
        found.append("national_number")
    if _EMAIL.search(text):
        found.append("email")
    scrubbed = _NATIONAL_NUMBER.sub(" ", text)
    if _PHONE.search(scrubbed):
        found.append("phone")
    return found
