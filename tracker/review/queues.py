"""What waits for whom: the queues of work, oldest first, for the home page, the queue pages
and "next in the queue" after a decision.

Every queue starts from a scope of :mod:`tracker.access` (which says who sees and acts on
what); this module only orders them, counts them and says since when each request waits.
"""

from dataclasses import dataclass
from datetime import date
from typing import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from tracker import access
from tracker.applications.models import Application
from tracker.extensions import db

# How many requests of each queue the home page lists; the rest is one link away.
HOME_ITEMS = 5
# How many of the next requests "next in the queue" looks at for one the reviewer can act
# on (a queue holds nothing else but in rare cases, such as an admin's own request).
NEXT_CANDIDATES = 20


def waiting_since(entity=Application):
    """SQL: since when ``entity`` (:class:`Application` or an alias of it) waits in its
    state: its stored ``waiting_since`` (set by the workflow services), else its last update.

    The one place that says "since when" for the queues and the home page.
    """
    return sa.func.coalesce(entity.waiting_since, entity.updated_at)


def oldest_first(entity=Application):
    """The ORDER BY of every queue: the longest waiting first, then by id."""
    return (waiting_since(entity), entity.id)


def _own_in(status):
    return lambda user: access.own_applications(user).where(Application.status == status)


@dataclass(frozen=True)
class Queue:
    name: str
    heading: object  # a lazy string
    scope: Callable  # user -> SELECT of Application
    page: str  # the endpoint listing it all
    anchor: str = ""
    own: bool = False  # the person's own requests (not a reviewer's queue)


QUEUES = {
    queue.name: queue
    for queue in (
        Queue("drafts", _l("Drafts to complete"), _own_in("draft"), "applications.list_mine",
              own=True),
        Queue("returned", _l("Returned requests to fix"), _own_in("returned"),
              "applications.list_mine", own=True),
        Queue("director", _l("Requests to review"), access.director_queue,
              "review.director_queue"),
        Queue("admin_endorsement", _l("Requests to endorse in a director's place"),
              access.admin_endorsement_queue, "review.admin_queue", "endorsements-heading"),
        Queue("admin_decision", _l("Endorsed requests to decide"), access.admin_decision_queue,
              "review.admin_queue", "decisions-heading"),
        Queue("security", _l("Security opinions to give"), access.security_queue,
              "review.security_queue"),
        Queue("host", _l("Host opinions to give"), access.host_opinion_queue,
              "review.host_queue"),
    )
}
# The queues a reviewer acts from, with "next in the queue" (the applicant's are not).
REVIEW_QUEUES = ("director", "admin_endorsement", "admin_decision", "security", "host")


@dataclass
class Block:
    """One kind of work waiting on the home page: the first items and how many in all."""

    queue: Queue
    items: list  # of (application, waiting since)
    total: int


def waiting_work(user, limit=HOME_ITEMS):
    """The blocks of work waiting for ``user``, in the order of :func:`access.work_queues`,
    each with its ``limit`` oldest requests and its count; empty queues are left out.

    One statement per kind of work the person may have, whatever the queues hold: the
    count comes with the rows (a window over the whole queue), the applicant joined.
    """
    blocks = []
    for name in access.work_queues(user):
        queue = QUEUES[name]
        since = waiting_since()
        rows = db.session.execute(
            queue.scope(user)
            .add_columns(since.label("waiting_since"), sa.func.count().over().label("total"))
            .options(joinedload(Application.applicant))
            .order_by(*oldest_first())
            .limit(limit)
        ).all()
        if rows:
            blocks.append(Block(queue, [(row[0], row[1]) for row in rows], rows[0][2]))
    return blocks


def upcoming_stays(user, limit=HOME_ITEMS, today=None):
    """``user``'s approved stays that have not ended yet, the soonest first."""
    today = today or date.today()
    return db.session.scalars(
        access.own_applications(user)
        .where(Application.status == "approved", Application.end_date >= today)
        .options(joinedload(Application.host_laboratory))
        .order_by(Application.start_date, Application.id)
        .limit(limit)
    ).all()


def queue_of_decision(user, application, action, from_status):
    """The queue a reviewer took ``action`` from, on ``application`` that was in
    ``from_status``; None for anything else (the applicant's own actions)."""
    queue = access.review_queue_after(user, application, action)
    if queue == "admin":
        return "admin_endorsement" if from_status == "submitted" else "admin_decision"
    return queue


def next_in_queue(user, name, current, after_current=False):
    """The request of queue ``name`` that ``user`` should open after ``current``, or None.

    After a decision (``after_current`` False) the oldest one left but ``current``; from a
    request being read (``after_current`` True) the one that follows it in the queue's
    order, so that following the link walks the queue without coming back. Only a request
    the reviewer can act on now is offered (:func:`access.acts_from_queue`).
    """
    queue = QUEUES.get(name)
    if queue is None or name not in REVIEW_QUEUES or name not in access.work_queues(user):
        return None
    query = queue.scope(user).where(Application.id != current.id)
    if after_current:
        this_since = current.waiting_since or current.updated_at  # as waiting_since() reads
        since = waiting_since()
        query = query.where(sa.or_(
            since > this_since,
            sa.and_(since == this_since, Application.id > current.id),
        ))
    candidates = db.session.scalars(
        query.order_by(*oldest_first()).limit(NEXT_CANDIDATES)
    ).all()
    return next(
        (candidate for candidate in candidates if access.acts_from_queue(user, candidate, name)),
        None,
    )
