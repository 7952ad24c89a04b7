"""Password hashing with Argon2id; the cost comes from configuration and old hashes are upgraded at login."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from helpdesk.auth import password_policy


class Passwords:
    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
        # Verified against when the account does not exist, so timing tells nothing.
        self._dummy = self._hasher.hash("not a real password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches. No hash, or a locked one (``!...``, after a reset), never matches,
        after the same work as a real check, so timing tells nothing."""
        usable = bool(stored_hash) and not stored_hash.startswith("!")
        try:
            return self._hasher.verify(stored_hash if usable else self._dummy, password) and usable
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True


MIN_PASSWORD_LENGTH = password_policy.MIN_PASSWORD_LENGTH
