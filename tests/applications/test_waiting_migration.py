"""The waiting_since revision fills the column from the history of existing applications."""

from datetime import datetime, timezone

import flask_migrate
import sqlalchemy as sa

from tracker.applications.models import Application, Event

BEFORE_WAITING = "d2e4f6a8b0c1"


def at(day, hour=9):
    return datetime(2026, 11, day, hour, 0, tzinfo=timezone.utc)


def test_upgrade_takes_the_last_move_or_opinion_and_leaves_settled_ones_empty(
        db, make, people):
    history = {
        "submitted": [("create", at(2)), ("submit", at(3)), ("edit", at(4)),
                      ("upload", at(5))],
        "endorsed": [("create", at(2)), ("submit", at(3)), ("endorse", at(4)),
                     ("opinion", at(6)), ("upload", at(9))],
        "draft": [("create", at(2)), ("edit", at(7))],
        "approved": [("create", at(2)), ("submit", at(3)), ("approve", at(4))],
    }
    ids = {}
    for status, events in history.items():
        application = make.application(applicant=people["researcher"],
                                       host=people["partner"], status=status)
        ids[status] = application.id
        db.session.add_all(
            Event(application_id=application.id, actor_id=people["researcher"].id,
                  action=action, created_at=moment)
            for action, moment in events
        )
    db.session.commit()
    db.session.remove()

    flask_migrate.downgrade(revision=BEFORE_WAITING)
    flask_migrate.upgrade()

    found = dict(db.session.execute(
        sa.select(Application.id, Application.waiting_since)).all())
    assert found[ids["submitted"]] == at(3)
    assert found[ids["endorsed"]] == at(6)
    assert found[ids["draft"]] == at(2)
    assert found[ids["approved"]] is None
