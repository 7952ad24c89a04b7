"""The verify button (``POST /directory/organisations/<id>/verify``) and the coordinators' list of
organisations to verify (``/directory/to-verify``), blueprint ``verification``."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_import.models import Organisation
from helpdesk import access
from helpdesk.db import get_or_404, get_session
from helpdesk.i18n import current_language
from helpdesk.identity import IdentityFound
from helpdesk.identity_messages import identity_messages
from helpdesk.redirects import safe_next
from helpdesk.verification import operations
from helpdesk.verification.forms import VerifyForm
from helpdesk.verification.models import NOTE_MAX_CHARS
from helpdesk.verification.reasons import REASONS, reason
from helpdesk.vocabularies.errors import FieldError

bp = Blueprint("verification", __name__, url_prefix="/directory")

MAX_PAGE = 1_000_000


def refusal_message(code: str) -> str:
    """The message of a ``VerificationError`` code, for the pages and the API."""
    if code == "archived":
        return _("This organisation is archived: it can no longer be verified.")
    if code == "note_too_long":
        return _("The note is too long: at most %(n)d characters.", n=NOTE_MAX_CHARS)
    return _("The verification could not be recorded.")


def identity_refusal(fields: dict, *, api: bool = False) -> list[str]:
    """The identity guard's messages about the note."""
    messages: list[str] = []
    for kinds in fields.values():
        messages += [m for m in identity_messages(_("Note"), kinds, api=api) if m]
    return messages


def windows() -> dict[str, int]:
    """Each reason's setting to its number of days, as configured."""
    return {r.setting: int(current_app.config[r.setting]) for r in REASONS if r.setting}


def organisation_verification(organisation: Organisation) -> dict:
    """What the organisation page and its print view show of the verification (and the button's form)."""
    verification = operations.last_verification(get_session(), organisation.id)
    return {
        "verification": verification,
        "verifier": operations.verifier_name(verification),
        "can_verify": access.can_verify_organisation(current_user) and not organisation.archived,
        "verify_form": VerifyForm(formdata=None),
    }


@bp.route("/organisations/<int:organisation_id>/verify", methods=["POST"])
@login_required
def verify(organisation_id: int):
    if not access.can_verify_organisation(current_user):
        abort(403)
    db = get_session()
    organisation = get_or_404(Organisation, organisation_id)
    form = VerifyForm()
    back = (
        safe_next(request.args.get("next"))
        if request.args.get("next")
        else url_for("directory.organisation", organisation_id=organisation.id)
    )
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(refusal_message("note_too_long"), "error")
        return redirect(back)
    try:
        operations.verify_organisation(db, current_user, organisation, note=form.note.data or "")
    except operations.VerificationError as error:
        db.rollback()
        flash(refusal_message(error.code), "error")
    except IdentityFound as found:
        db.rollback()
        for message in identity_refusal(found.fields):
            flash(message, "error")
    else:
        db.commit()
        flash(
            _("%(name)s is marked verified today.", name=organisation.name_in(current_language())), "success"
        )
    return redirect(back)


@bp.route("/to-verify")
@login_required
def to_verify():
    basins = access.verification_basins(current_user)
    if not basins:
        abort(403)
    errors: dict[str, str] = {}
    chosen = reason(request.args.get("reason", "")) if request.args.get("reason") else None
    if request.args.get("reason") and chosen is None:
        errors["reason"] = _("Unknown reason: choose one of the list.")
    basin = request.args.get("basin", "")
    if basin and basin not in basins:
        errors["basin"] = _("Choose one of your basins.")
        basin = ""
    page = request.args.get("page", "") or "1"
    # ASCII digits only: str.isdigit() takes "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,7}", page) or not 1 <= int(page) <= MAX_PAGE:
        errors["page"] = str(FieldError.NOT_A_NUMBER.label)
        page = "1"
    report = operations.to_verify(
        get_session(),
        basins=basins,
        windows=windows(),
        reason=chosen,
        basin=basin,
        page=int(page),
        page_size=int(current_app.config["VERIFICATION_PAGE_SIZE"]),
    )
    return render_template(
        "verification/to_verify.html",
        report=report,
        basins=basins,
        reasons=REASONS,
        reason_labels={r.code: r.label for r in REASONS},
        windows=windows(),
        chosen=chosen.code if chosen else "",
        basin=basin,
        errors=errors,
        verify_form=VerifyForm(formdata=None),
        can_verify=access.can_verify_organisation(current_user),
    ), 400 if errors else 200
