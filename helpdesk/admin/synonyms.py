"""Admin section: search synonyms (blueprint ``admin_synonyms``).

The product ships the sector's synonyms (CPAS/OCMW, sans-abri/dakloos...); admins add local ones here.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk import access
from helpdesk.admin.forms import DeleteForm, SynonymForm
from helpdesk.admin.views import require
from helpdesk.db import get_session
from helpdesk.directory.models import SearchSynonym
from helpdesk.directory.search import SHIPPED_SYNONYMS
from helpdesk.directory.synonyms import SynonymError, add_synonym_group, delete_synonym_group

bp = Blueprint("admin_synonyms", __name__, url_prefix="/admin")


@bp.route("/synonyms", methods=["GET", "POST"])
@login_required
def synonyms():
    require(access.can_manage_directory(current_user))
    db = get_session()
    form = SynonymForm()
    if form.validate_on_submit():
        try:
            add_synonym_group(db, form.terms.data, author=current_user.email)
        except SynonymError:
            form.terms.errors.append(_("Give at least two different words or phrases, separated by commas."))
        else:
            db.commit()
            flash(_("Synonyms added: searches use them now."), "success")
            return redirect(url_for("admin_synonyms.synonyms"))
    groups = list(db.scalars(select(SearchSynonym).order_by(SearchSynonym.id)))
    return render_template(
        "admin/synonyms.html", form=form, groups=groups, delete_form=DeleteForm(), shipped=SHIPPED_SYNONYMS
    )


@bp.route("/synonyms/<int:group_id>/delete", methods=["POST"])
@login_required
def synonyms_delete(group_id: int):
    require(access.can_manage_directory(current_user))
    db = get_session()
    group = db.get(SearchSynonym, group_id)
    form = DeleteForm()
    if group is not None and form.validate_on_submit():  # already gone: nothing to do
        delete_synonym_group(db, group)
        db.commit()
        flash(_("Synonyms removed."), "success")
    return redirect(url_for("admin_synonyms.synonyms"))
