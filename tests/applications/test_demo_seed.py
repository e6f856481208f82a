"""The demo organisation has applications in every status, made through the workflow."""

import sqlalchemy as sa

from tests.conftest import sign_in
from tracker.applications.models import Application, Event
from tracker.applications.workflow import STATUSES
from tracker.commands.demo import DEMO_PASSWORD, seed_demo
from tracker.notifications.models import Notification


def test_seed_demo_covers_every_status_with_real_history(app, db):
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
        assert len(history) == application.version  # one event per change
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) > 0

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


def test_seed_demo_meets_the_default_requirements(app, db):
    """With the default rules (as a new database has them), the demo's long research stays
    get the invitation letter they need before submission."""
    from tests.requirement_world import seed_default_rules

    seed_default_rules()
    created = seed_demo()
    db.session.commit()
    assert set(db.session.scalars(sa.select(Application.status))) == set(STATUSES)
    letters = [application for application in created["applications"]
               if any(document.kind == "invitation_letter"
                      for document in application.documents)]
    assert letters and all(application.duration_days > 30 for application in letters)
