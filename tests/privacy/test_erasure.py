"""Erasing a person: nothing of theirs is left in any table or in the upload folder, while
statistics and other people's histories keep their counts."""

import os
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tests.privacy.conftest import DOCUMENT, EMAIL, NAME, SECRETS
from tracker.applications.models import Application, Event, Opinion
from tracker.audit.models import AuditEntry
from tracker.auth.models import ApiToken, User
from tracker.extensions import db
from tracker.privacy.erasure import erase_people


def found_in_database(value):
    """Every (table, column) whose text holds ``value``, whatever its case."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            text = sa.func.lower(sa.cast(column, sa.Text))
            hit = db.session.execute(
                sa.select(sa.func.count()).select_from(table)
                .where(text.contains(value.lower(), autoescape=True))
            ).scalar()
            if hit:
                found.append(f"{table.name}.{column.name}")
    return found


def found_in_uploads(app, values):
    found = []
    folder = app.config["UPLOAD_FOLDER"]
    for parent, _folders, names in os.walk(folder):
        for name in names:
            with open(os.path.join(parent, name), "rb") as handle:
                content = handle.read()
            found += [name for value in values if value in content or value.decode() in name]
    return found


def counts():
    """What the statistics count: applications by status, events, opinions, people."""
    return {
        "applications": dict(db.session.execute(
            sa.select(Application.status, sa.func.count()).group_by(Application.status)).all()),
        "amounts": db.session.scalar(sa.select(sa.func.sum(Application.requested_amount))),
        "events": db.session.scalar(sa.select(sa.func.count()).select_from(Event)),
        "opinions": db.session.scalar(sa.select(sa.func.count()).select_from(Opinion)),
        "people": db.session.scalar(sa.select(sa.func.count()).select_from(User)),
    }


def stats(client):
    return client.get("/api/v1/stats").get_json()


def test_erasure_leaves_no_personal_value_anywhere(app, traveller):
    # The fixture did put every value somewhere.
    for value in SECRETS:
        assert found_in_database(value), value
    assert found_in_uploads(app, [b"Wobblethorpe"])
    client = app.test_client()
    sign_in(client, traveller.admin)
    before, stats_before = counts(), stats(client)

    response = post_form(client, f"/admin/people/{traveller.person.id}/erase", {})

    assert response.status_code == 302
    for value in SECRETS:
        assert found_in_database(value) == [], value
    assert found_in_uploads(app, [DOCUMENT, b"Wobblethorpe"]) == []
    assert counts() == before
    assert stats(client) == stats_before


def test_the_erased_person_keeps_a_pseudonym_and_loses_every_way_in(app, traveller):
    person_id = traveller.person.id
    erase_people([person_id], traveller.admin)
    db.session.commit()
    person = db.session.get(User, person_id)
    assert person.full_name.startswith("Erased person ")
    assert person.email == f"erased-{person_id}@erased.invalid"
    assert person.nationality == "XX" and not person.active
    assert person.erased_at is not None
    assert db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == person_id)).all() == []
    assert person.calendar_feed is None
    # The old password opens nothing.
    client = app.test_client()
    response = client.post("/auth/login", data={"email": EMAIL, "password": "x"})
    assert b"Zyxwvut" not in response.data


def test_the_audit_records_the_erasure_without_the_values(traveller):
    erase_people([traveller.person.id], traveller.admin)
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "erase")).one()
    assert entry.actor_id == traveller.admin.id
    assert entry.subject_id == str(traveller.person.id)
    assert entry.before is None and entry.after is None
    assert entry.subject_label.startswith("Erased person ")


def test_a_session_of_the_erased_person_ends(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.person)
    assert client.get("/account/data").status_code == 200
    erase_people([traveller.person.id], traveller.admin)
    db.session.commit()
    assert client.get("/account/data").status_code == 302


def test_other_people_s_histories_still_read(app, traveller):
    erase_people([traveller.person.id], traveller.admin)
    db.session.commit()
    client = app.test_client()
    sign_in(client, traveller.director)
    page = client.get(f"/applications/{traveller.other.id}")
    assert page.status_code == 200
    assert b"Not this year" in page.data
    # The erased person's application reads too, under its reference, without their name.
    page = client.get(f"/applications/{traveller.application.id}")
    assert page.status_code == 200
    assert NAME.encode() not in page.data
    assert traveller.application.reference.encode() in page.data


def test_the_confirmation_page_states_the_consequences(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.admin)
    page = client.get(f"/admin/people/{traveller.person.id}/erase")
    assert page.status_code == 200
    assert b"cannot be undone" in page.data
    assert b"Erase this person" in page.data


def test_erasure_is_refused_with_its_reason_during_a_stay(app, make, traveller):
    stay = make.application(applicant=traveller.person, host=traveller.partner,
                            status="approved", start_date=date.today() - timedelta(days=3),
                            end_date=date.today() + timedelta(days=10))
    client = app.test_client()
    sign_in(client, traveller.admin)
    page = client.get(f"/admin/people/{traveller.person.id}/erase")
    assert page.status_code == 200
    assert stay.reference.encode() in page.data
    assert b"Erase this person</button>" not in page.data
    response = post_form(client, f"/admin/people/{traveller.person.id}/erase", {},
                         page=f"/admin/users/{traveller.person.id}")
    assert response.status_code == 409
    assert stay.reference.encode() in response.data
    db.session.expire_all()
    assert db.session.get(User, traveller.person.id).full_name == NAME


@pytest.mark.parametrize("ended", [1, 0])
def test_a_stay_ended_or_not_started_does_not_refuse(app, make, traveller, ended):
    start = date.today() - timedelta(days=20) if ended else date.today() + timedelta(days=1)
    make.application(applicant=traveller.person, host=traveller.partner, status="approved",
                     start_date=start, end_date=start + timedelta(days=10))
    client = app.test_client()
    sign_in(client, traveller.admin)
    response = post_form(client, f"/admin/people/{traveller.person.id}/erase", {})
    assert response.status_code == 302


def test_an_admin_does_not_erase_themself_nor_twice(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.admin)
    response = post_form(client, f"/admin/people/{traveller.admin.id}/erase", {},
                         page="/account/data")
    assert response.status_code == 403
    assert post_form(client, f"/admin/people/{traveller.person.id}/erase", {}).status_code == 302
    again = post_form(client, f"/admin/people/{traveller.person.id}/erase", {},
                      page="/account/data")
    assert again.status_code == 409


def test_only_admins_erase(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.director)
    response = post_form(client, f"/admin/people/{traveller.person.id}/erase", {},
                         page="/account/data")
    assert response.status_code == 403
    assert db.session.get(User, traveller.person.id).erased_at is None


def test_an_unknown_person_is_404(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.admin)
    assert client.get("/admin/people/999999/erase").status_code == 404
    assert client.get("/admin/people/99999999999999999999/erase").status_code == 404


def test_the_audit_page_shows_the_erasure(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.admin)
    post_form(client, f"/admin/people/{traveller.person.id}/erase", {})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Data erased" in page
    assert NAME not in page and EMAIL not in page
