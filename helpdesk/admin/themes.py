"""Admin section: the bilingual list of themes (blueprint ``admin_themes``).

Themes are never deleted (past requests and reports refer to their codes): they are deactivated. The changes
are ``helpdesk.admin.operations``; a GET writes nothing (``helpdesk db upgrade`` seeds the sector's themes, and
an empty list offers a button that does).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from helpdesk import access
from helpdesk.admin import operations as ops
from helpdesk.admin.forms import NewThemeForm, ThemeForm
from helpdesk.admin.views import require
from helpdesk.db import get_session
from helpdesk.followup.models import Theme

bp = Blueprint("admin_themes", __name__, url_prefix="/admin")


@bp.route("/themes", methods=["GET", "POST"])
@login_required
def themes():
    require(access.can_manage_directory(current_user))
    db = get_session()
    form = NewThemeForm()
    if form.validate_on_submit():
        try:
            theme = ops.create_theme(
                db,
                code=form.code.data,
                labels=(form.label_fr.data, form.label_nl.data, form.label_en.data),
                position=form.position.data,
                active=form.active.data,
                by=current_user,
            )
        except ops.ThemeExists:
            db.rollback()
            form.code.errors.append(_("This code exists already."))
        else:
            db.commit()
            flash(_("Theme %(code)s added.", code=theme.code), "success")
            return redirect(url_for("admin_themes.themes"))
    return _page(form, 400 if form.errors else 200)


def _page(form: NewThemeForm, status: int, edited: ThemeForm | None = None, edited_id: int | None = None):
    items = ops.stored_themes(get_session())
    forms = {t.id: ThemeForm(prefix=f"t{t.id}", obj=t, formdata=None) for t in items}
    if edited is not None and edited_id is not None:
        forms[edited_id] = edited
    return render_template(
        "admin/themes.html", themes=items, forms=forms, form=form, seed_form=FlaskForm()
    ), status


@bp.route("/themes/seed", methods=["POST"])
@login_required
def themes_seed():
    require(access.can_manage_directory(current_user))
    if FlaskForm().validate_on_submit():
        db = get_session()
        added = ops.load_sector_themes(db, by=current_user)
        db.commit()
        flash(_("%(count)s themes of the sector added.", count=added), "success")
    return redirect(url_for("admin_themes.themes"))


@bp.route("/themes/<int:theme_id>", methods=["POST"])
@login_required
def theme_edit(theme_id: int):
    require(access.can_manage_directory(current_user))
    db = get_session()
    theme = db.get(Theme, theme_id)
    if theme is None:
        abort(404)
    form = ThemeForm(prefix=f"t{theme.id}")
    if not form.validate_on_submit():
        flash(_("The theme could not be saved: every label is required."), "error")
        return _page(NewThemeForm(formdata=None), 400, form, theme.id)
    ops.update_theme(
        db,
        theme,
        labels=(form.label_fr.data, form.label_nl.data, form.label_en.data),
        position=form.position.data,
        active=form.active.data,
        by=current_user,
    )
    db.commit()
    flash(_("Theme %(code)s saved.", code=theme.code), "success")
    return redirect(url_for("admin_themes.themes"))
