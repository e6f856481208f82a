"""The demo organisation has applications in every status, made through the workflow."""

import sqlalchemy as sa

from tests.conftest import sign_in
from tracker.agreements.models import AgreementDocument
from tracker.applications.models import Application, Event
from tracker.applications.workflow import STATUSES
from tracker.commands.demo import DEMO_PASSWORD, seed_demo
from tracker.core.storage import storage
from tracker.notifications.models import Notification
from tests.requirement_world import seed_default_rules


def test_seed_demo_covers_every_status_with_real_history(app, db):
    seed_default_rules()  # as a new database has them
    created = seed_demo()
    db.session.commit()
    statuses = set(db.session.scalars(sa.select(Application.status)))
    assert statuses == set(STATUSES)
    for application in created["applications"]:
        history = db.session.scalars(
            sa.select(Event).where(Event.application_id == application.id).order_by(Event.id)
        ).all()
        assert history[0].action == "create"
        assert history[-1].to_status == application.status
        # One event per change of the application; documents and opinions add their own.
        changes = [event for event in history if event.action not in ("upload", "opinion")]
        assert len(changes) == application.version
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) > 0
    # One agreement has its signed text attached, stored and downloadable.
    documents = db.session.scalars(sa.select(AgreementDocument)).all()
    assert len(documents) == 1 and storage().exists(documents[0].stored_key)

    for email in ("researcher@example.org", "director@example.org", "admin@example.org",
                  "visitor@example.org"):
        client = app.test_client()
        user = created["users"][email]
        sign_in(client, user, password=DEMO_PASSWORD)
        assert client.get("/applications/").status_code == 200
        for application in created["applications"]:
            response = client.get(f"/applications/{application.id}")
            assert response.status_code in (200, 404), (email, application.status)
        if user.is_director:
            assert client.get("/review/director").status_code == 200
        if user.is_admin:
            html = client.get("/review/admin").get_data(as_text=True)
            assert "Collaboration visit to Boulder" in html


def test_seed_demo_fills_every_queue_of_the_organisations_process(app, db):
    seed_default_rules()
    created = seed_demo()
    db.session.commit()
    users = created["users"]
    by_title = {application.title: application for application in created["applications"]}

    # Missions on the unit's funds: one waits for its director, one he approved himself.
    assert by_title["Two-day workshop in Siena"].funding == "unit"
    assert by_title["Two-day workshop in Siena"].duration_days == 2
    assert by_title["Seminar talk in Berlin"].status == "approved"
    # A two-year incoming stay fits a programme.
    assert by_title["Two-year visit: coastal sediment physics"].duration_days == 730
    # Cost items make up the requested amount.
    siena = by_title["Two-day workshop in Siena"]
    assert siena.requested_amount == sum(item.amount for item in siena.cost_items)

    queues = {
        "security@example.org": "/review/security",
        "host@example.org": "/review/host",
        "director@example.org": "/review/director",
        "admin@example.org": "/review/admin",
    }
    expected = {
        "security@example.org": "Sediment sampling in the Niger delta",
        "host@example.org": "Soft robotics experiments at JRL",
        "director@example.org": "Two-day workshop in Siena",
        "admin@example.org": "Biodiversity survey in the Andes",
    }
    for email, path in queues.items():
        client = app.test_client()
        sign_in(client, users[email], password=DEMO_PASSWORD)
        html = client.get(path).get_data(as_text=True)
        assert by_title[expected[email]].reference in html, email
    # The office never sees the unit's missions in its queues.
    client = app.test_client()
    sign_in(client, users["admin@example.org"], password=DEMO_PASSWORD)
    assert siena.reference not in client.get("/review/admin").get_data(as_text=True)
