"""The home page, the language switcher and a health check for load balancers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from helpdesk.db import get_session
from helpdesk.redirects import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        if current_app.config.get("DIRECTORY_PUBLIC"):
            return redirect(url_for("directory.search"))
        return redirect(url_for("auth.login"))
    return render_template("main/home.html")


@bp.route("/language", methods=["POST"])
def language():
    """Remember the chosen language: on the account when signed in, else in the session."""
    code = request.form.get("language", "")
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            get_session().commit()
    return redirect(safe_next(request.form.get("next")))


@bp.route("/healthz")
def healthz():
    get_session().execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
