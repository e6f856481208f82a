"""Giving a security or host opinion on an application (docs/rules.md, Requirements).

Web, API and command line call :func:`give_opinion`. Who may give which opinion, and when,
is asked of :mod:`tracker.access` (403, then 409); the values are checked here (422). An
opinion is never changed: a later one of the same kind supersedes it (the latest counts).
"""

from flask_babel import lazy_gettext as _l

from tracker import access
from tracker.applications.models import OPINION_KINDS, VERDICT_LABELS, VERDICTS, Event, Opinion
from tracker.applications.notices import notify_opinion
from tracker.core.errors import InvalidValues
from tracker.core.models import utcnow
from tracker.extensions import db

MAX_COMMENT = 5000


def opinion_problems(kind, verdict, comment):
    """``{field: [messages]}`` of what is wrong with an opinion's values (empty: none)."""
    problems = {}
    if kind not in OPINION_KINDS:
        problems["kind"] = [_l("Choose the kind of opinion.")]
    if verdict not in VERDICTS:
        problems["verdict"] = [_l("Choose a verdict.")]
    if len(comment) > MAX_COMMENT:
        problems["comment"] = [_l("At most %(count)s characters.", count=MAX_COMMENT)]
    elif verdict in VERDICTS and verdict != "favourable" and not comment:
        problems["comment"] = [_l("Say why, or which conditions apply: a comment is required "
                                  "unless the opinion is favourable.")]
    return problems


def give_opinion(application, actor, kind, verdict, comment=""):
    """Record ``actor``'s ``kind`` opinion on ``application``, with one ``opinion`` Event,
    and tell who acts next and the applicant. Flushes, never commits; returns the Opinion."""
    access.check_opinion(actor, application, kind)
    comment = (comment or "").strip()
    problems = opinion_problems(kind, verdict, comment)
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)
    delegator = access.opinion_for(actor, application, kind)
    opinion = Opinion(application_id=application.id, kind=kind, verdict=verdict,
                      comment=comment, author_id=actor.id)
    db.session.add(opinion)
    # The opinion changes who acts next (the decision no longer waits on it): a new wait.
    application.waiting_since = utcnow()
    summary = str(VERDICT_LABELS[verdict]) + (f": {comment}" if comment else "")
    db.session.add(
        Event(application_id=application.id, actor_id=actor.id, action="opinion",
              from_status=application.status, to_status=application.status,
              comment=summary,
              on_behalf_of_id=delegator.id if delegator is not None else None)
    )
    db.session.flush()
    db.session.refresh(application, ["opinions"])
    notify_opinion(application, opinion, actor)
    db.session.flush()
    return opinion
