"""What an account may do: operator, coordinator, admin (``helpdesk.access`` decides what each means)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.vocabularies.base import Vocabulary


class Role(Vocabulary):
    OPERATOR = "operator", _l("Operator")
    COORDINATOR = "coordinator", _l("Coordinator")
    ADMIN = "admin", _l("Administrator")


ROLE_LABELS = Role.labels()
