"""Access cases of the administration pages."""

from tests.access_cases import Case, admin_only


def admin_or_regional_coordinator(user):
    if user is None:
        return "login"
    return "ok" if user == ("admin", "region") or user == ("coordinator", "region") else "forbidden"


CASES = [
    Case("admin.index", url="/admin/", expect=admin_or_regional_coordinator),
]

__all__ = ["CASES", "admin_only"]
