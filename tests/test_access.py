"""The access module's two ways of saying who sees what agree, for every status and person.

``visible_applications`` (SQL, for lists and lookups) and ``can_view`` (Python, for an
application in hand) are written separately; this matrix fails when they drift apart, and
states the visibility rules of docs/rules.md: own applications, those a director's
laboratories review once submitted (never a draft), everything for admins.
"""

import pytest

from tracker import access
from tracker.applications.models import Application
from tracker.applications.workflow import STATUSES
from tracker.extensions import db

VIEWERS = ("researcher", "other_researcher", "director", "other_director", "admin")


def _expected(viewer, status):
    if viewer in ("researcher", "admin"):
        return True
    if viewer == "director":
        return status != "draft"
    return False


@pytest.mark.parametrize("status", STATUSES)
def test_sql_and_python_visibility_agree_with_the_rules(people, make_application, status):
    application = make_application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"], status=status)
    for viewer in VIEWERS:
        user = people[viewer]
        listed = db.session.scalar(
            access.visible_applications(user).where(Application.id == application.id)
        )
        expected = _expected(viewer, status)
        assert (listed is not None) == expected, (viewer, status)
        assert access.can_view(user, application) == expected, (viewer, status)
        assert access.can(user, "view", application) == expected, (viewer, status)


def test_incoming_requests_are_reviewed_by_the_host_unit(people, make, make_application):
    visitor = make.user(lab=people["partner"])
    application = make_application(applicant=visitor, direction="incoming",
                                   home=people["partner"], host=people["unit"],
                                   status="submitted")
    assert application.reviewing_laboratory_id == people["unit"].id
    reviewed = db.session.scalars(
        access.visible_applications(people["director"])
    ).all()
    assert application in reviewed
    assert application not in db.session.scalars(
        access.visible_applications(people["other_director"])
    ).all()
    # The hybrid property's SQL form says the same as its Python form.
    assert db.session.scalar(
        db.select(Application.reviewing_laboratory_id).where(Application.id == application.id)
    ) == people["unit"].id


def test_anonymous_sees_nothing(people, make_application):
    make_application(applicant=people["researcher"], status="submitted")
    assert db.session.scalars(access.visible_applications(None)).all() == []
    assert db.session.scalars(access.own_applications(None)).all() == []


def test_a_draft_is_not_in_the_directors_queue_or_lists(people, make_application, client,
                                                       login):
    draft = make_application(applicant=people["researcher"], host=people["partner"],
                             programme=people["programme"], title="Secret plan")
    login(people["director"])
    assert client.get(f"/applications/{draft.id}").status_code == 404
    assert "Secret plan" not in client.get("/reports/applications").get_data(as_text=True)


def test_visibility_scope_tells_apart_what_people_see(people):
    scopes = {viewer: access.visibility_scope(people[viewer]) for viewer in VIEWERS}
    assert scopes["admin"] == ("admin",)
    assert scopes["director"] == ("user", people["director"].id, (people["unit"].id,))
    assert len(set(scopes.values())) == len(VIEWERS)
