"""Every action × status × actor: the rows of the table in docs/rules.md pass, the rest
fails."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.applications.models import Application, Event
from tracker.applications.services import transition
from tracker.applications.workflow import ACTIONS, STATUSES, InvalidTransition
from tracker.core.errors import NotAllowed, Refused

ACTORS = ("applicant", "reviewing_director", "other_director", "admin", "other_researcher")

# The workflow table of docs/rules.md, written out independently of tracker.applications.workflow.
ALLOWED = {
    ("submit", "draft"): {"applicant"},
    ("submit", "returned"): {"applicant"},
    ("endorse", "submitted"): {"reviewing_director"},
    ("return", "submitted"): {"reviewing_director"},
    ("return", "endorsed"): {"admin"},
    ("decline", "submitted"): {"reviewing_director"},
    ("approve", "endorsed"): {"admin"},
    ("reject", "endorsed"): {"admin"},
    ("withdraw", "draft"): {"applicant"},
    ("withdraw", "submitted"): {"applicant"},
    ("withdraw", "returned"): {"applicant"},
    ("withdraw", "endorsed"): {"applicant"},
    ("cancel", "approved"): {"applicant", "admin"},
    ("complete", "approved"): {"admin"},
}
TARGET = {
    "submit": "submitted", "endorse": "endorsed", "return": "returned", "decline": "declined",
    "approve": "approved", "reject": "rejected", "withdraw": "withdrawn",
    "cancel": "cancelled", "complete": "completed",
}
# Actors who may take an action in some state: refusing them in another state is a 409.
EVER_ALLOWED = {}
for (action, status), actors in ALLOWED.items():
    EVER_ALLOWED.setdefault(action, set()).update(actors)


@pytest.fixture
def world(make):
    unit = make.lab("unit")
    other_unit = make.lab("unit")
    partner = make.lab("partner")
    applicant = make.user(lab=unit)
    people = {
        "applicant": applicant,
        "reviewing_director": make.director_of(unit),
        "other_director": make.director_of(other_unit),
        "admin": make.user(roles=("admin",), lab=other_unit),
        "other_researcher": make.user(lab=unit),
    }
    programme = make.programme("outgoing", budget=Decimal("10000.00"))
    return people, dict(applicant=applicant, home=unit, host=partner, programme=programme)


CASES = [
    (action, status, actor)
    for action in ACTIONS
    for status in STATUSES
    for actor in ACTORS
]


@pytest.mark.parametrize("action,status,actor", CASES, ids=lambda value: value)
def test_transition_matrix(make, db, world, action, status, actor):
    people, fields = world
    application = make.application(status=status, **fields)
    # A day when every date rule holds (the programme is still open): the stay's first day
    # (it may still be submitted), or the day after it for completing it.
    today = (application.end_date + timedelta(days=1) if action == "complete"
             else application.start_date)
    allowed = actor in ALLOWED.get((action, status), set())
    before = application.version
    kwargs = dict(comment="Because.", version=before, today=today)
    if action == "approve":
        kwargs["awarded_amount"] = "1000.00"
    if allowed:
        transition(application, action, people[actor], **kwargs)
        db.session.commit()
        stored = db.session.get(Application, application.id)
        assert stored.status == TARGET[action]
        assert stored.version == before + 1
        events = db.session.scalars(sa.select(Event).where(Event.application_id == stored.id)).all()
        assert [(e.action, e.from_status, e.to_status) for e in events] == [
            (action, status, TARGET[action])
        ]
    else:
        expected = InvalidTransition if actor in EVER_ALLOWED[action] else NotAllowed
        with pytest.raises(Refused) as refused:
            transition(application, action, people[actor], **kwargs)
        assert isinstance(refused.value, expected), refused.value
        db.session.rollback()
        stored = db.session.get(Application, application.id)
        assert (stored.status, stored.version) == (status, before)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
