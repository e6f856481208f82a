"""The reviewer's return that a returned request answers: who asked for what, and when."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.applications.models import Event
from tracker.extensions import db


def return_to_answer(application):
    """The last "return" event of ``application`` while it is returned (its comment says
    what to change), with its actor and the person they stood in for; None once the request
    has moved on (resubmitted, withdrawn) or when it was never returned."""
    if application is None or application.status != "returned":
        return None
    return db.session.scalar(
        sa.select(Event)
        .where(Event.application_id == application.id, Event.action == "return")
        .options(joinedload(Event.actor), joinedload(Event.on_behalf_of))
        .order_by(Event.id.desc())
        .limit(1)
    )
