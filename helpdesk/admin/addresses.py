"""Admin section: each territory's shared address (blueprint ``admin_addresses``), the Reply-To of the mail
sent on its behalf and where the notifications of transfers to it go. A blank field falls back to the
``TERRITORY_REPLY_TO`` setting."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from directory_import.territory import TERRITORIES
from helpdesk import access
from helpdesk.admin.views import require
from helpdesk.db import get_session
from helpdesk.mail.messages import MailError
from helpdesk.mail.models import TerritoryAddress
from helpdesk.mail.outbox import set_territory_address

bp = Blueprint("admin_addresses", __name__, url_prefix="/admin")


class AddressesForm(FlaskForm):
    """Only the CSRF token: one text field per territory, read by name (``address-<territory>``)."""


@bp.route("/territory-addresses", methods=["GET", "POST"])
@login_required
def addresses():
    require(access.can_read_outbox(current_user))
    db = get_session()
    form = AddressesForm()
    stored = dict(db.execute(select(TerritoryAddress.territory, TerritoryAddress.address)).all())
    values = {t: stored.get(t, "") for t in TERRITORIES}
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        values = {t: request.form.get(f"address-{t}", "")[:320] for t in TERRITORIES}
        for territory, address in values.items():
            try:
                set_territory_address(db, territory, address, current_user.id)
            except MailError:
                errors[territory] = _("This is not a valid e-mail address.")
        if not errors:
            db.commit()
            flash(_("The territories' addresses are saved."), "success")
            return redirect(url_for("admin_addresses.addresses"))
        db.rollback()
    return render_template(
        "admin/addresses.html", form=form, territories=TERRITORIES, values=values, errors=errors
    ), 400 if errors else 200
