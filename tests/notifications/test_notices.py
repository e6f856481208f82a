"""The messages queued by the workflow read as sentences, with the awarded amount."""

from decimal import Decimal

import sqlalchemy as sa

from tracker.applications.services import transition
from tracker.notifications.models import Notification


def messages_to(db, user):
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def test_approval_tells_the_applicant_in_a_sentence_with_the_amount(db, make, people):
    application = make.application(applicant=people["researcher"], status="endorsed",
                                   programme=people["programme"], title="Ice cores")
    transition(application, "approve", people["admin"], version=application.version,
               awarded_amount=Decimal("1200.00"))
    db.session.commit()

    [message] = messages_to(db, people["researcher"])
    assert message.body == (
        f"Ada Admin approved your application {application.reference} “Ice cores”: "
        "€1,200.00 awarded."
    )
    assert "approve on" not in message.body and "now approved" not in message.body


def test_submission_tells_the_reviewer_what_awaits_them(db, make, people):
    application = make.application(applicant=people["researcher"], status="draft",
                                   programme=people["programme"], title="Ice cores")
    transition(application, "submit", people["researcher"], version=application.version)
    db.session.commit()

    [message] = messages_to(db, people["director"])
    assert message.body == (
        f"Rita Researcher submitted the application {application.reference} “Ice cores”, "
        "which awaits your review."
    )


def test_return_says_so_and_carries_the_comment(db, make, people):
    application = make.application(applicant=people["researcher"], status="submitted",
                                   programme=people["programme"], title="Ice cores")
    transition(application, "return", people["director"], comment="Add the budget line.",
               version=application.version)
    db.session.commit()

    [message] = messages_to(db, people["researcher"])
    assert message.body == (
        f"Dana Director returned your application {application.reference} “Ice cores” "
        "for changes.\n\nComment: Add the budget line."
    )
