"""Proposals on the directory: an operator proposes structured corrections, closures and new organisations;
coordinators accept (edited or not) or refuse them; the proposer sees the outcome and is notified; accepted
values are in force at once on the page and in the search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from directory_import.models import LOCAL_SOURCE, Organisation
from helpdesk.audit import AuditEvent
from helpdesk.db import get_session
from helpdesk.notify.models import Notification
from helpdesk.orientation.profiles import active_directory
from helpdesk.stewardship.models import Overlay, Proposal
from tests.conftest import csrf_token, login


@pytest.fixture
def organisation(make_organisation):
    return make_organisation(
        name_fr="Maison médicale du Midi",
        name_nl="Wijkgezondheidscentrum Zuid",
        postcode="1060",
        basin="sud",
        street_fr="Rue de la Victoire",
        number="12",
        phones=["+32 2 538 11 22"],
        emails=["accueil@midi.example"],
        opening_hours_fr="Lundi au vendredi 9h-17h",
        categories=[{"code": "mm", "label_fr": "Maison médicale", "label_nl": "Wijkgezondheidscentrum"}],
        publics=[{"fr": "tout public", "nl": "iedereen"}],
        languages=["fr", "nl"],
    )


def _form(client, url: str) -> dict:
    """The proposal form as the page fills it (every field with the value in force)."""
    page = client.get(url).get_data(as_text=True)
    import re

    data = {"csrf_token": csrf_token(client, url)}
    for name, value in re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value.replace("&#39;", "'").replace("&amp;", "&"))
    for name, value in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>\n?([^<]*)</textarea>', page):
        data[name] = value.replace("&#39;", "'").replace("&amp;", "&")
    data.pop("distinct", None)
    return data


def _propose(client, org_id: int, **changes):
    url = f"/directory/organisations/{org_id}/propose"
    data = _form(client, url)
    data.update(changes)
    return client.post(url, data=data)


def _proposal(app, **where) -> Proposal:
    with app.app_context():
        db = get_session()
        proposal = db.scalars(select(Proposal).filter_by(**where).order_by(Proposal.id.desc())).first()
        assert proposal is not None
        assert proposal.changes is not None  # loaded before the session closes
        return proposal


def test_proposal_keeps_only_the_fields_changed_with_the_directory_value(
    app, client, logged_in, organisation
):
    logged_in("operator", "sud")
    page = client.get(f"/directory/organisations/{organisation.id}/propose").get_data(as_text=True)
    assert "+32 2 538 11 22" in page and "Lundi au vendredi 9h-17h" in page
    response = _propose(
        client,
        organisation.id,
        phones="02/538.99.00",
        opening_hours_fr="Lundi au jeudi 9h-16h",
        note="Appelé.",
    )
    assert response.status_code == 302
    proposal = _proposal(app, organisation_id=organisation.id)
    assert proposal.state == "pending" and proposal.territory == "sud" and proposal.basin == "sud"
    changes = {c.field: (c.directory_value, c.proposed_value) for c in proposal.changes}
    assert changes == {
        "phones": (["+32 2 538 11 22"], ["+32 2 538 99 00"]),
        "opening_hours_fr": ("Lundi au vendredi 9h-17h", "Lundi au jeudi 9h-16h"),
    }
    assert proposal.note == "Appelé."
    with app.app_context():
        actions = get_session().scalars(select(AuditEvent.action)).all()
    assert "proposal.create" in actions


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phones", "pas un numéro", "« pas un numéro » n’est pas un numéro de téléphone."),
        ("emails", "accueil@", "« accueil@ » n’est pas une adresse e-mail."),
        ("websites", "javascript:alert(1)", "n’est pas une adresse web"),
        ("postcode", "106", "« 106 » n’est pas un code postal belge"),
        ("categories", "inconnue", "« inconnue » n’est pas une catégorie du répertoire."),
    ],
)
def test_proposal_bad_values_are_refused_with_a_message_in_french(
    app, client, logged_in, organisation, field, value, message
):
    logged_in("operator", "sud")
    response = _propose(client, organisation.id, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalars(select(Proposal)).all() == []


def test_proposal_bad_phone_is_refused_in_dutch(client, make_user, organisation):
    user = make_user("operator", "nord", locale="nl")
    login(client, user.email)
    response = _propose(client, organisation.id, phones="geen nummer")
    assert response.status_code == 400
    assert "“geen nummer” is geen telefoonnummer." in response.get_data(as_text=True)


def test_proposal_with_nothing_changed_is_refused(app, client, logged_in, organisation):
    logged_in("operator", "sud")
    response = _propose(client, organisation.id)
    assert response.status_code == 400
    assert "Modifiez au moins une valeur" in response.get_data(as_text=True)


def test_proposal_full_needs_a_date_and_a_date_in_the_past_is_refused(client, logged_in, organisation):
    logged_in("operator", "sud")
    response = _propose(client, organisation.id, status="full")
    assert response.status_code == 400 and "jusqu’à quand" in response.get_data(as_text=True)
    past = (date.today() - timedelta(days=3)).isoformat()
    response = _propose(client, organisation.id, status="temporarily_closed", until=past)
    assert response.status_code == 400 and "Cette date est passée." in response.get_data(as_text=True)


def test_proposal_on_an_archived_organisation_is_refused(app, client, logged_in, make_organisation):
    org = make_organisation(name_fr="Ancien centre", archived=True)
    logged_in("operator", "sud")
    response = client.get(f"/directory/organisations/{org.id}/propose")
    assert response.status_code == 302
    with app.app_context():
        assert get_session().scalars(select(Proposal)).all() == []


def _signed_in(app, user):
    """A browser of its own, signed in as ``user``."""
    browser = app.test_client()
    login(browser, user.email)
    return browser


def _decide(client, proposal_id: int, action: str, **data):
    path = f"/directory/proposals/{proposal_id}"
    data["csrf_token"] = csrf_token(client, path)
    return client.post(f"{path}/{action}", data=data)


def test_accepted_proposal_is_in_force_on_the_page_and_in_the_search(
    app, client, make_user, organisation, reindex
):
    reindex()
    operator = make_user("operator", "sud")
    login(client, operator.email)
    _propose(
        client, organisation.id, description_fr="Permanence zanzibarienne le samedi.", phones="02 538 99 00"
    )
    proposal = _proposal(app, organisation_id=organisation.id)
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    queue = coordinator.get("/directory/proposals").get_data(as_text=True)
    assert f"/directory/proposals/{proposal.id}" in queue
    assert _decide(coordinator, proposal.id, "accept").status_code == 302
    page = client.get(f"/directory/organisations/{organisation.id}").get_data(as_text=True)
    assert "+32 2 538 99 00" in page
    assert "source : +32 2 538 11 22 ; helpdesk, depuis le" in page
    hits = client.get("/directory/?q=zanzibarienne").get_data(as_text=True)
    assert "Maison médicale du Midi" in hits
    with app.app_context():
        db = get_session()
        overlays = db.scalars(select(Overlay).where(Overlay.organisation_id == organisation.id)).all()
        assert {o.field: o.state for o in overlays} == {"phones": "active", "description_fr": "active"}
        assert "proposal.accept" in db.scalars(select(AuditEvent.action)).all()


def test_edit_then_accept_keeps_what_was_proposed_and_what_was_accepted(app, client, make_user, organisation):
    operator = make_user("operator", "sud")
    login(client, operator.email)
    _propose(client, organisation.id, phones="02 538 99 00")
    proposal = _proposal(app, organisation_id=organisation.id)
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    response = _decide(coordinator, proposal.id, "accept", **{"edit-phones": "02 538 99 01"})
    assert response.status_code == 302
    accepted = _proposal(app, id=proposal.id)
    assert accepted.state == "accepted"
    assert [(c.proposed_value, c.accepted_value) for c in accepted.changes] == [
        (["+32 2 538 99 00"], ["+32 2 538 99 01"])
    ]
    mine = client.get("/directory/proposals/mine").get_data(as_text=True)
    assert "Accepté" in mine
    notifications = client.get("/notifications/").get_data(as_text=True)
    assert "Votre proposition sur Maison médicale du Midi a été acceptée." in notifications
    with app.app_context():
        note = get_session().scalars(select(Notification)).one()
        assert (note.kind, note.user_id, note.proposal_id, note.mail_state) == (
            "proposal",
            operator.id,
            proposal.id,
            "digest",
        )


def test_edit_with_a_bad_value_accepts_nothing(app, client, make_user, organisation):
    login(client, make_user("operator", "sud").email)
    _propose(client, organisation.id, phones="02 538 99 00")
    proposal = _proposal(app, organisation_id=organisation.id)
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    _decide(coordinator, proposal.id, "accept", **{"edit-phones": "n'importe quoi"})
    page = coordinator.get(f"/directory/proposals/{proposal.id}").get_data(as_text=True)
    assert "n’est pas un numéro de téléphone" in page
    assert _proposal(app, id=proposal.id).state == "pending"


def test_refusal_needs_a_reason_which_the_proposer_reads(app, client, make_user, organisation):
    login(client, make_user("operator", "sud").email)
    _propose(client, organisation.id, emails="nouveau@midi.example")
    proposal = _proposal(app, organisation_id=organisation.id)
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    _decide(coordinator, proposal.id, "refuse", reason="  ")
    assert _proposal(app, id=proposal.id).state == "pending"
    _decide(coordinator, proposal.id, "refuse", reason="Adresse réservée au personnel.")
    assert _proposal(app, id=proposal.id).state == "refused"
    mine = client.get("/directory/proposals/mine").get_data(as_text=True)
    assert "Refusé" in mine and "Adresse réservée au personnel." in mine
    assert "accueil@midi.example" in client.get(f"/directory/organisations/{organisation.id}").get_data(
        as_text=True
    )
    with app.app_context():
        assert get_session().scalars(select(Notification.detail)).all() == ["refused"]
    again = _decide(coordinator, proposal.id, "accept")
    assert again.status_code == 302 and _proposal(app, id=proposal.id).state == "refused"


def test_basin_coordinators_decide_only_when_the_setting_allows_and_only_their_basin(
    app, client, make_user, organisation, make_organisation
):
    north_org = make_organisation(name_fr="Centre du Nord", postcode="1030", basin="nord")
    login(client, make_user("operator", "sud").email)
    _propose(client, organisation.id, phones="02 538 99 00")
    _propose(client, north_org.id, phones="02 241 00 00")
    south = _proposal(app, organisation_id=organisation.id)
    north = _proposal(app, organisation_id=north_org.id)
    coordinator = _signed_in(app, make_user("coordinator", "sud"))
    assert coordinator.get("/directory/proposals").status_code == 403
    assert _decide(coordinator, south.id, "accept").status_code == 403
    app.config["STEWARDSHIP_BASIN_COORDINATORS_VALIDATE"] = True
    queue = coordinator.get("/directory/proposals").get_data(as_text=True)
    assert f"/directory/proposals/{south.id}" in queue and f"/directory/proposals/{north.id}" not in queue
    assert _decide(coordinator, north.id, "accept").status_code == 403
    assert _decide(coordinator, south.id, "accept").status_code == 302
    assert _proposal(app, id=south.id).state == "accepted"
    assert _proposal(app, id=north.id).state == "pending"


def test_closure_accepted_shows_on_the_page_and_a_permanent_one_archives(
    app, client, make_user, organisation, make_organisation
):
    until = (date.today() + timedelta(days=30)).isoformat()
    login(client, make_user("operator", "sud").email)
    _propose(client, organisation.id, status="full", until=until)
    other = make_organisation(name_fr="Centre fermé", postcode="1060", basin="sud")
    _propose(client, other.id, status="closed")
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    for org in (organisation, other):
        _decide(coordinator, _proposal(app, organisation_id=org.id).id, "accept")
    page = client.get(f"/directory/organisations/{organisation.id}").get_data(as_text=True)
    assert "Complet jusqu’au" in page
    with app.app_context():
        assert get_session().get(Organisation, other.id).archived is True
        # The suggestions lower it as they do a record saying it is closed for now.
        profiles = active_directory(app, get_session()).profiles
        assert profiles[organisation.id].temporarily_closed is True and other.id not in profiles


def test_new_organisation_shows_likely_duplicates_first_then_becomes_local_once_accepted(
    app, client, make_user, organisation, reindex
):
    reindex()
    login(client, make_user("operator", "sud").email)
    url = "/directory/proposals/new?name=Maison+m%C3%A9dicale+du+Midi"
    assert 'value="Maison médicale du Midi"' in client.get(url).get_data(as_text=True)
    data = _form(client, url)
    data.update(name_fr="Maison medicale du Midi", postcode="1060", phones="02 777 00 00")
    response = client.post("/directory/proposals/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Est-ce l’une de celles-ci" in page and f"/directory/organisations/{organisation.id}" in page
    with app.app_context():
        assert get_session().scalars(select(Proposal)).all() == []
    data["distinct"] = "y"
    assert client.post("/directory/proposals/new", data=data).status_code == 302
    proposal = _proposal(app, kind="new")
    assert proposal.duplicates_seen == [organisation.id] and proposal.basin == "sud"
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    _decide(coordinator, proposal.id, "accept")
    accepted = _proposal(app, id=proposal.id)
    with app.app_context():
        local = get_session().get(Organisation, accepted.organisation_id)
        assert (local.source, local.name_fr, local.phones, local.basin, local.commune_fr) == (
            LOCAL_SOURCE,
            "Maison medicale du Midi",
            ["+32 2 777 00 00"],
            "sud",
            "Saint-Gilles",
        )
    page = client.get(f"/directory/organisations/{accepted.organisation_id}").get_data(as_text=True)
    assert "Organisation locale" in page
    assert "+32 2 777 00 00" in client.get("/directory/?q=02+777+00+00").get_data(as_text=True) or (
        f"/directory/organisations/{accepted.organisation_id}"
        in client.get("/directory/?q=medicale+midi").get_data(as_text=True)
    )


def test_new_organisation_needs_a_name(app, client, logged_in):
    logged_in("operator", "nord")
    data = _form(client, "/directory/proposals/new")
    data.update(postcode="1030")
    response = client.post("/directory/proposals/new", data=data)
    assert response.status_code == 400 and "Donnez le nom de l’organisation" in response.get_data(
        as_text=True
    )


def test_search_without_result_and_lead_search_offer_a_new_organisation(
    app, client, logged_in, make_request, reindex
):
    reindex()
    user = logged_in("operator", "sud")
    page = client.get("/directory/?q=zorglub").get_data(as_text=True)
    assert "/directory/proposals/new?name=zorglub" in page
    req = make_request(user)
    page = client.get(f"/requests/{req.id}?lead_q=zorglub").get_data(as_text=True)
    assert "/directory/proposals/new?name=zorglub" in page


def test_proposals_of_others_are_hidden_from_operators(app, client, make_user, organisation):
    login(client, make_user("operator", "sud").email)
    _propose(client, organisation.id, phones="02 538 99 00")
    proposal = _proposal(app, organisation_id=organisation.id)
    other = _signed_in(app, make_user("operator", "nord"))
    assert other.get(f"/directory/proposals/{proposal.id}").status_code == 404
    assert client.get(f"/directory/proposals/{proposal.id}").status_code == 200


@pytest.mark.database
def test_migration_turns_correction_notes_into_proposals_and_back(tmp_path):
    """0008_steward: each correction note becomes a proposal (field ``other``, its text kept as the note),
    open ones pending and done ones accepted; the downgrade gives the notes their state again."""
    from sqlalchemy import insert, text

    from helpdesk.db import make_engine, upgrade_database
    from helpdesk.directory.models import OrganisationNote
    from tests.test_migrations import _fresh_url

    url = _fresh_url(tmp_path)
    upgrade_database(url, "0008_verify")
    engine = make_engine(url)
    with engine.begin() as conn:
        org_id = conn.execute(
            insert(Organisation.__table__).values(
                source="test", source_id="1", name_fr="Centre", basin="nord"
            )
        ).inserted_primary_key[0]
        for text_, status in (("Nouvelle adresse : rue Haute 12", "open"), ("Fermé le lundi", "done")):
            conn.execute(
                insert(OrganisationNote.__table__).values(
                    organisation_id=org_id,
                    text=text_,
                    is_correction=True,
                    correction_status=status,
                    territory="nord",
                )
            )
        conn.execute(insert(OrganisationNote.__table__).values(organisation_id=org_id, text="Simple note"))
    upgrade_database(url, "head")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.state, p.note, p.basin, p.territory, c.field, c.proposed_value, p.organisation_id "
                "FROM proposals p JOIN proposal_changes c ON c.proposal_id = p.id ORDER BY p.id"
            )
        ).all()
        statuses = (
            conn.execute(text("SELECT correction_status FROM organisation_notes ORDER BY id")).scalars().all()
        )
    assert [(r[0], r[1], r[2], r[3], r[4], r[6]) for r in rows] == [
        ("pending", "Nouvelle adresse : rue Haute 12", "nord", "nord", "other", org_id),
        ("accepted", "Fermé le lundi", "nord", "nord", "other", org_id),
    ]
    assert statuses == ["migrated", "migrated", ""]
    from alembic import command

    from helpdesk.db import alembic_config

    command.downgrade(alembic_config(url), "0008_verify")
    with engine.connect() as conn:
        statuses = (
            conn.execute(text("SELECT correction_status FROM organisation_notes ORDER BY id")).scalars().all()
        )
    engine.dispose()
    assert statuses == ["open", "done", ""]


def test_proposal_note_naming_someone_waits_for_a_confirmation_and_a_national_number_is_refused(
    app, client, logged_in, organisation
):
    logged_in("operator", "sud")
    response = _propose(client, organisation.id, phones="02 538 99 00", note="Appelé par Monsieur Dubois")
    assert response.status_code == 400 and 'name="confirm_identity"' in response.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalars(select(Proposal)).all() == []
    confirmed = _propose(
        client,
        organisation.id,
        phones="02 538 99 00",
        note="Appelé par Monsieur Dubois",
        confirm_identity="y",
    )
    assert confirmed.status_code == 302
    refused = _propose(
        client, organisation.id, emails="a@midi.example", note="NN 85.07.30-033.28", confirm_identity="y"
    )
    assert refused.status_code == 400
    with app.app_context():
        assert len(get_session().scalars(select(Proposal)).all()) == 1


def test_migrated_correction_is_read_and_accepted_like_a_proposal_without_changing_the_record(
    app, make_user, organisation
):
    from helpdesk.stewardship.models import ProposalChange

    with app.app_context():
        db = get_session()
        migrated = Proposal(kind="change", organisation_id=organisation.id, basin="sud", territory="sud")
        migrated.note = "Nouvelle adresse : rue Haute 12"
        migrated.changes = [ProposalChange(field="other", proposed_value="Nouvelle adresse : rue Haute 12")]
        db.add(migrated)
        db.commit()
        proposal_id = migrated.id
    coordinator = _signed_in(app, make_user("coordinator", "region"))
    page = coordinator.get(f"/directory/proposals/{proposal_id}").get_data(as_text=True)
    assert "Autre correction" in page and "Nouvelle adresse : rue Haute 12" in page
    assert _decide(coordinator, proposal_id, "accept").status_code == 302
    assert _proposal(app, id=proposal_id).state == "accepted"
    assert _overlays_of(app, organisation.id) == []


def _overlays_of(app, organisation_id: int) -> list[Overlay]:
    with app.app_context():
        return list(get_session().scalars(select(Overlay).where(Overlay.organisation_id == organisation_id)))
