"""The home page, the language switcher and a health check for load balancers."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from helpdesk import access
from helpdesk.auth.operations import accounts_awaiting_confirmation
from helpdesk.db import get_session
from helpdesk.i18n import local_zone
from helpdesk.main.day import BLOCK_ROWS, operator_day
from helpdesk.notify.operations import describe, notifications_of, unread_count
from helpdesk.redirects import safe_next
from helpdesk.reports.documents import default_month
from helpdesk.vocabularies import Status, Urgency

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        if current_app.config.get("DIRECTORY_PUBLIC"):
            return redirect(url_for("directory.search"))
        return redirect(url_for("auth.login"))
    db = get_session()
    return render_template(
        "main/home.html",
        day=operator_day(db, current_user) if access.works_on_requests(current_user) else None,
        pending_accounts=len(accounts_awaiting_confirmation(db, current_user)),
        can_confirm=access.can_confirm_accounts(current_user),
        can_list_to_verify=bool(access.verification_basins(current_user)),
        status_labels=Status.labels(),
        urgency_labels=Urgency.labels(),
        notifications=notifications_of(db, current_user, unread_only=True, limit=BLOCK_ROWS),
        unread_notifications=unread_count(db, current_user),
        describe_notification=describe,
        report_month=last_report_month() if access.report_territories(current_user) else None,
    )


def last_report_month() -> date:
    """The first day of the last complete month (the report page reads it as ``YYYY-MM``)."""
    month = default_month(local_zone())
    return date(month.year, month.month, 1)


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
