"""Every blueprint of the app, registered in one place (called by ``create_app``).

One blueprint per area (``main``, ``auth``, ``intake``, ``followup``, ``directory``, ``reports``), per admin
section and per API resource; no module registers routes on another's blueprint.
"""

from __future__ import annotations

from flask import Blueprint, Flask


def register_blueprints(app: Flask) -> None:
    from helpdesk import security
    from helpdesk.admin import addresses, duplicates, imports, needs, outbox, synonyms, themes, users
    from helpdesk.admin import views as admin
    from helpdesk.api import openapi, organisations, proposals, requests_api, suggestions
    from helpdesk.auth import views as auth
    from helpdesk.directory import notes
    from helpdesk.directory import views as directory
    from helpdesk.followup import views as followup
    from helpdesk.intake import views as intake
    from helpdesk.main import views as main
    from helpdesk.notify import views as notify
    from helpdesk.reports import views as reports
    from helpdesk.stewardship import views as stewardship
    from helpdesk.verification import views as verification

    api: list[Blueprint] = [organisations.bp, proposals.bp, requests_api.bp, suggestions.bp, openapi.bp]
    for blueprint in (
        main.bp,
        auth.bp,
        intake.bp,
        followup.bp,
        directory.bp,
        notes.bp,
        stewardship.bp,
        reports.bp,
        admin.bp,
        users.bp,
        imports.bp,
        duplicates.bp,
        themes.bp,
        synonyms.bp,
        needs.bp,
        outbox.bp,
        addresses.bp,
        notify.bp,
        verification.bp,
        *api,
    ):
        app.register_blueprint(blueprint)
    security.exempt_api_from_csrf(app, api)
