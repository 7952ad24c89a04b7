"""What a password must be (NIST SP 800-63B): long enough, not common or breached, not built on the e-mail.

No composition rules (a capital, a digit...): length and a check against the passwords attackers try first.
The list is zxcvbn's, shipped with the package (the 30,000 most common passwords of public breaches), and
zxcvbn's estimate refuses what is guessed in under a million tries (``aaaaaaaaaaaa``, ``123456789012``).
"""

from __future__ import annotations

import re
from functools import lru_cache

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000
# zxcvbn is quadratic in the length; what is past this cannot make a password weaker.
_ESTIMATE_PREFIX = 64
# Words of this service that an attacker tries first.
_SERVICE_WORDS = ("helpdesk", "brussels", "bruxelles", "brussel", "social", "sociaal")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _email_words(email: str) -> list[str]:
    """The local part of the address, and its pieces of four letters or more (``jean.dupont``: ``dupont``)."""
    local = (email or "").split("@", 1)[0].strip().lower()
    words = [local] if len(local) >= 3 else []
    words += [part for part in re.split(r"[._+\-]+", local) if len(part) >= 4 and part != local]
    return words


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is refused (a code, see ``PASSWORD_PROBLEMS``), or None when it is fine.

    The check against the current password (``same_as_before``) needs its hash: the caller does it.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "password_too_long"
    folded = password.lower()
    if any(word in folded for word in _email_words(email)):
        return "password_contains_email"
    if folded in _common_passwords() or folded.strip() in _common_passwords():
        return "password_common"
    if strength(password, email) < 2:
        return "password_common"
    return None


def strength(password: str, email: str = "") -> int:
    """zxcvbn's score, 0 (guessed at once) to 4 (very hard to guess)."""
    from zxcvbn import zxcvbn

    inputs = [*_email_words(email), *_SERVICE_WORDS]
    return int(zxcvbn(password[:_ESTIMATE_PREFIX], user_inputs=inputs)["score"])
