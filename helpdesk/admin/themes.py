"""Admin section: the bilingual list of themes (routes on ``helpdesk.admin.views.bp``).

Themes are never deleted (past requests and reports refer to their codes): they are deactivated.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from helpdesk import access
from helpdesk.admin.views import SECTIONS, bp, require
from helpdesk.audit import record_audit
from helpdesk.db import get_session
from helpdesk.followup.models import Theme
from helpdesk.followup.themes import all_themes

SECTIONS.append(("admin.themes", _l("Themes"), access.can_manage_directory))


class ThemeForm(FlaskForm):
    label_fr = StringField(_l("Label in French"), validators=[DataRequired(), Length(max=200)])
    label_nl = StringField(_l("Label in Dutch"), validators=[DataRequired(), Length(max=200)])
    label_en = StringField(_l("Label in English"), validators=[DataRequired(), Length(max=200)])
    position = IntegerField(_l("Position in the list"), validators=[Optional(), NumberRange(min=0, max=999)])
    active = BooleanField(_l("Offered at intake"), default=True)


class NewThemeForm(ThemeForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Lowercase letters, digits and underscores.")),
        ],
        description=_l("Used by the API and the reports; it cannot change later."),
    )


@bp.route("/themes", methods=["GET", "POST"])
@login_required
def themes():
    require(access.can_manage_directory(current_user))
    db = get_session()
    items = all_themes(db)
    form = NewThemeForm()
    if form.validate_on_submit():
        if db.scalar(select(func.count(Theme.id)).where(Theme.code == form.code.data)):
            form.code.errors.append(_("This code exists already."))
        else:
            position = form.position.data if form.position.data is not None else len(items)
            theme = Theme(
                code=form.code.data,
                label_fr=form.label_fr.data.strip(),
                label_nl=form.label_nl.data.strip(),
                label_en=form.label_en.data.strip(),
                position=position,
                active=form.active.data,
            )
            db.add(theme)
            db.flush()
            record_audit(db, "theme.create", user_id=current_user.id, object_type="theme", object_id=theme.id)
            db.commit()
            flash(_("Theme %(code)s added.", code=theme.code), "success")
            return redirect(url_for("admin.themes"))
    db.commit()  # the seed, on a first visit
    forms = {t.id: ThemeForm(prefix=f"t{t.id}", obj=t, formdata=None) for t in items}
    return render_template(
        "admin/themes.html", themes=items, forms=forms, form=form
    ), 400 if form.errors else 200


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
        items = all_themes(db)
        forms = {t.id: ThemeForm(prefix=f"t{t.id}", obj=t, formdata=None) for t in items}
        forms[theme.id] = form
        return render_template(
            "admin/themes.html", themes=items, forms=forms, form=NewThemeForm(formdata=None)
        ), 400
    theme.label_fr, theme.label_nl, theme.label_en = (
        re.sub(r"\s+", " ", v).strip() for v in (form.label_fr.data, form.label_nl.data, form.label_en.data)
    )
    if form.position.data is not None:
        theme.position = form.position.data
    theme.active = form.active.data
    record_audit(db, "theme.update", user_id=current_user.id, object_type="theme", object_id=theme.id)
    db.commit()
    flash(_("Theme %(code)s saved.", code=theme.code), "success")
    return redirect(url_for("admin.themes"))
