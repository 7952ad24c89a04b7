"""What happened to an account, as its audit trail records it and a coordinator reads it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class AccountEvent(Vocabulary):
    CREATE = "user.create", _l("Account created")
    PASSWORD_RESET = "user.password_reset", _l("Password reset by an administrator")
    PASSWORD_SET = "user.password_set", _l("Password chosen through a link")
    CONFIRM = "user.confirm", _l("Account confirmed")
    UPDATE = "user.update", _l("Account changed by an administrator")
