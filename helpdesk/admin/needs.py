"""Admin section: the needs thesaurus (blueprint ``admin_needs``), edited like the synonyms.

The product ships the entries (``search_index/data/needs.csv``); admins and regional coordinators
add, change and remove them here. Every change is audited; a re-seed never undoes one.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from helpdesk import access
from helpdesk.admin.views import require
from helpdesk.audit import record_audit
from helpdesk.db import get_session
from helpdesk.orientation.models import Need
from helpdesk.orientation.needs import NeedError, delete_need, entry_of, listed_needs, parse_lines, save_need
from search_index.analysis import fold
from search_index.needs import NeedEntry, format_weights, parse_weights

bp = Blueprint("admin_needs", __name__, url_prefix="/admin")

WEIGHTS_HELP = _l("Codes with a weight from 0 to 1, separated by commas, e.g. ssm:1, mm:0.5.")


class NeedForm(FlaskForm):
    label_en = StringField(_l("Label in English"), validators=[DataRequired(), Length(max=200)])
    phrases_fr = TextAreaField(
        _l("French phrasings"),
        validators=[Length(max=4000)],
        description=_l("One a line; the first is the label. Accents and plurals do not matter."),
    )
    phrases_nl = TextAreaField(
        _l("Dutch phrasings"),
        validators=[Length(max=4000)],
        description=_l("One a line; the first is the label. Accents and plurals do not matter."),
    )
    categories = StringField(
        _l("Directory categories"), validators=[Length(max=1000)], description=WEIGHTS_HELP
    )
    publics = StringField(
        _l("Publics"),
        validators=[Length(max=1000)],
        description=_l("French labels of the publics with a weight, e.g. jeunes:0.5."),
    )
    themes = StringField(_l("Request themes"), validators=[Length(max=1000)], description=WEIGHTS_HELP)
    terms = StringField(
        _l("Words of the services"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Words a service answering this need writes in its record, separated by commas."),
    )


class NewNeedForm(NeedForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Lowercase letters, digits and underscores.")),
        ],
    )


class DeleteForm(FlaskForm):
    pass


def _weights(form: NeedForm, name: str) -> dict[str, float] | None:
    raw = (getattr(form, name).data or "").replace(",", "|").replace("\n", "|")
    try:
        return parse_weights(raw)
    except ValueError:
        getattr(form, name).errors.append(_("Each weight is a number from 0 to 1, e.g. ssm:0.5."))
        return None


def _entry(form: NeedForm, code: str) -> NeedEntry | None:
    weights = {name: _weights(form, name) for name in ("categories", "publics", "themes")}
    if any(w is None for w in weights.values()):
        return None
    return NeedEntry(
        code=code,
        label_en=" ".join(form.label_en.data.split()),
        fr=parse_lines(form.phrases_fr.data or ""),
        nl=parse_lines(form.phrases_nl.data or ""),
        categories=weights["categories"] or {},
        publics=weights["publics"] or {},
        themes=weights["themes"] or {},
        terms=parse_lines((form.terms.data or "").replace(",", "\n")),
    )


ERRORS = {
    "code_taken": ("code", _l("This code exists already.")),
    "no_phrase": ("phrases_fr", _l("Give at least one French or Dutch phrasing.")),
    "no_answer": ("categories", _l("Give at least one category or public that answers this need.")),
    "unknown_category": ("categories", _l("Unknown category: %(codes)s.")),
    "unknown_public": ("publics", _l("Unknown public: %(codes)s.")),
    "unknown_theme": ("themes", _l("Unknown theme: %(codes)s.")),
}


def _save(form: NeedForm, need: Need | None, code: str) -> Need | None:
    entry = _entry(form, code)
    if entry is None:
        return None
    db = get_session()
    try:
        return save_need(db, need, entry, author=current_user.email)
    except NeedError as error:
        name, message = ERRORS[error.code]
        target = getattr(form, name, form.label_en)
        target.errors.append(str(message) % {"codes": error.detail})
        return None


def _fill_form(form: NeedForm, need: Need) -> None:
    entry = entry_of(need)
    form.label_en.data = entry.label_en
    form.phrases_fr.data = "\n".join(entry.fr)
    form.phrases_nl.data = "\n".join(entry.nl)
    form.categories.data = format_weights(entry.categories).replace("|", ", ")
    form.publics.data = format_weights(entry.publics).replace("|", ", ")
    form.themes.data = format_weights(entry.themes).replace("|", ", ")
    form.terms.data = ", ".join(entry.terms)


@bp.route("/needs")
@login_required
def needs():
    require(access.can_edit_needs(current_user))
    query = fold(request.args.get("q", "")[:100]).strip()
    rows = []
    for need in listed_needs(get_session()):
        entry = entry_of(need)
        if query and query not in fold(" ".join((need.code,) + entry.phrases)):
            continue
        rows.append((need, entry))
    return render_template(
        "admin/needs.html", rows=rows, q=request.args.get("q", "")[:100], delete_form=DeleteForm()
    )


@bp.route("/needs/new", methods=["GET", "POST"])
@login_required
def need_new():
    require(access.can_edit_needs(current_user))
    form = NewNeedForm()
    if form.validate_on_submit():
        need = _save(form, None, form.code.data)
        if need is not None:
            db = get_session()
            record_audit(db, "need.create", user_id=current_user.id, object_type="need", object_id=need.id)
            db.commit()
            flash(_("Need %(code)s added: searches use it now.", code=need.code), "success")
            return redirect(url_for("admin_needs.needs"))
    return render_template("admin/need_form.html", form=form, need=None), 400 if form.errors else 200


@bp.route("/needs/<int:need_id>", methods=["GET", "POST"])
@login_required
def need_edit(need_id: int):
    require(access.can_edit_needs(current_user))
    db = get_session()
    need = db.get(Need, need_id)
    if need is None or need.deleted:
        abort(404)
    form = NeedForm()
    if request.method == "GET":
        _fill_form(form, need)
    elif form.validate_on_submit():
        if _save(form, need, need.code) is not None:
            record_audit(db, "need.update", user_id=current_user.id, object_type="need", object_id=need.id)
            db.commit()
            flash(_("Need %(code)s saved.", code=need.code), "success")
            return redirect(url_for("admin_needs.needs"))
        db.rollback()
    return render_template("admin/need_form.html", form=form, need=need), 400 if form.errors else 200


@bp.route("/needs/<int:need_id>/delete", methods=["POST"])
@login_required
def need_delete(need_id: int):
    require(access.can_edit_needs(current_user))
    db = get_session()
    need = db.get(Need, need_id)
    form = DeleteForm()
    if need is not None and not need.deleted and form.validate_on_submit():  # already gone: nothing to do
        code, object_id = need.code, need.id
        delete_need(db, need, author=current_user.email)
        record_audit(db, "need.delete", user_id=current_user.id, object_type="need", object_id=object_id)
        db.commit()
        flash(_("Need %(code)s removed.", code=code), "success")
    return redirect(url_for("admin_needs.needs"))
