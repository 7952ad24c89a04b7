"""Admin section: candidate duplicate organisations, with a score, to merge or dismiss."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from directory_import.dedupe import dismiss_pair, find_duplicates
from directory_import.models import Organisation
from helpdesk import access
from helpdesk.admin.import_forms import DuplicatePairForm, MergeForm
from helpdesk.admin.merging import MergeError, merge_organisations
from helpdesk.admin.views import require
from helpdesk.audit import record_audit
from helpdesk.db import get_session
from helpdesk.directory.signals import directory_changed
from helpdesk.i18n import org_name

bp = Blueprint("admin_duplicates", __name__, url_prefix="/admin")

PAGE_SIZE = 100


@bp.route("/duplicates")
@login_required
def duplicates():
    require(access.can_manage_directory(current_user))
    db = get_session()
    pairs = find_duplicates(db, limit=PAGE_SIZE)
    ids = {i for pair in pairs for i in (pair.first_id, pair.second_id)}
    orgs = {o.id: o for o in db.scalars(select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
    return render_template(
        "admin/duplicates.html",
        pairs=pairs,
        orgs=orgs,
        merge_form=MergeForm(),
        dismiss_form=DuplicatePairForm(),
    )


def _pair(form: DuplicatePairForm) -> tuple[Organisation, Organisation]:
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    first, second = db.get(Organisation, form.first_id.data), db.get(Organisation, form.second_id.data)
    if first is None or second is None:
        abort(404)
    return first, second


@bp.route("/duplicates/merge", methods=["POST"])
@login_required
def duplicate_merge():
    require(access.can_manage_directory(current_user))
    form = MergeForm()
    first, second = _pair(form)
    keep, drop = (first, second) if form.keep.data == "first" else (second, first)
    db = get_session()
    try:
        changed = merge_organisations(db, keep, drop)
    except MergeError:
        flash(_("These organisations cannot be merged: one of them was merged already."), "error")
        return redirect(url_for("admin_duplicates.duplicates"))
    record_audit(
        db,
        "organisation.merge",
        user_id=current_user.id,
        object_type="organisation",
        object_id=keep.id,
        details={"merged": drop.id},
    )
    db.commit()
    directory_changed.send(current_app._get_current_object(), organisation_ids=changed)
    flash(
        _("“%(drop)s” was merged into “%(keep)s”.", drop=org_name(drop), keep=org_name(keep)),
        "success",
    )
    return redirect(url_for("admin_duplicates.duplicates"))


@bp.route("/duplicates/dismiss", methods=["POST"])
@login_required
def duplicate_dismiss():
    require(access.can_manage_directory(current_user))
    form = DuplicatePairForm()
    first, second = _pair(form)
    db = get_session()
    dismiss_pair(db, first.id, second.id, dismissed_by=current_user.email)
    db.commit()
    flash(_("Marked as distinct organisations; this pair will not be proposed again."), "success")
    return redirect(url_for("admin_duplicates.duplicates"))
