"""Access cases of the administration pages."""

from helpdesk.db import get_session
from tests.access_cases import Case, admin_only


def admin_or_regional_coordinator(user):
    if user is None:
        return "login"
    return "ok" if user == ("admin", "region") or user == ("coordinator", "region") else "forbidden"


def build(app, world):
    from helpdesk.auth import operations as accounts

    with app.app_context():
        db = get_session()
        target = accounts.create_user(db, app.extensions["passwords"], email="target@access.example",
                                      password="a long password", role="operator", territory="nord")
        db.commit()
        world.ids["user"] = target.id


CASES = [
    Case("admin.index", url="/admin/", expect=admin_or_regional_coordinator),
    Case("admin.users", url="/admin/users", expect=admin_only),
    Case("admin.user_new", url="/admin/users/new", expect=admin_only),
    Case("admin.user_new", "POST", "/admin/users/new", {"email": "x"}, expect=admin_only, label="post"),
    Case("admin.user_edit", url=lambda w: f"/admin/users/{w.ids['user']}", expect=admin_only),
    Case("admin.user_edit", "POST", lambda w: f"/admin/users/{w.ids['user']}",
         {"name": "Target", "role": "operator", "territory": "nord", "locale": "", "active": "y"},
         expect=admin_only, label="post"),
    Case("admin.user_password", "POST", lambda w: f"/admin/users/{w.ids['user']}/password",
         {"password": "short"}, expect=admin_only),
]
