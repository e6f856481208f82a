"""Who may see and do what. Every permission question of the tracker is answered here.

Views, the API, the services and the command line ask these functions; none of them
decides on its own. Templates ask the same ones (``can``, ``allowed_actions``), so a button
and its endpoint never disagree.

- Scopes: :func:`visible_applications` is the query every list and lookup of applications
  starts from; the review queues (:func:`director_queue`, :func:`admin_decision_queue`,
  :func:`admin_endorsement_queue`) and the opinion queues (:func:`security_queue`,
  :func:`host_opinion_queue`) narrow it. :func:`own_notifications` and
  :func:`own_tokens` scope a person's own rows.
- Questions: :func:`can` ("may this user take this action on this application now?"),
  :func:`allowed_actions`, :func:`can_upload_document`, :func:`can_manage_directory`,
  :func:`can_use_reports`, :func:`can_see_contact_details`, :func:`can_view_laboratory`;
  :func:`home_requests_to_decide` scopes the home-laboratory requests a person decides.
- Checks that raise the workflow's errors in the order of docs/api.md (403, then 409):
  :func:`check_transition`, :func:`check_edit`, :func:`check_upload`, :func:`check_opinion`
  (who gives a security or host opinion, and when: :func:`can_give_opinion`).
- Waiting: :func:`waiting_on` (who must act next on an application) and
  :func:`waiting_on_many` (the same for a page of a list, in a few statements).
- Personal data: :func:`can_export_data` (a person takes a copy of their own data only),
  :func:`can_erase_person`/:func:`check_erase_person` (an administrator erases another
  person, never during a stay in progress: :func:`stays_in_progress`).
- Gates for views: :func:`login_required`, :func:`role_required`.
- Stand-ins: :func:`delegators_of` (whom a person stands in for today) widens the scopes,
  the queues and the actor rules of the reviewing actions and opinions; :func:`acting_for`
  and :func:`opinion_for` name the delegator an Event records. Never on one's own application.

Order of every answer: anonymous is refused first, then who (role and laboratory scope),
then state. Imports: models and the workflow table only; services and views import this.
"""

from datetime import date
from functools import lru_cache, wraps

import sqlalchemy as sa
from flask import abort, g, has_request_context, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import aliased

from tracker.applications.models import (
    DOCUMENT_KINDS,
    Amendment,
    OPINION_KINDS,
    Application,
    Invitation,
    applicable_rules,
    has_opinion_sql,
    requires_opinion_sql,
)
from tracker.applications.workflow import (
    AMENDMENT_TRANSITIONS,
    EDITABLE,
    OPEN_AMENDMENT,
    GRANTED,
    PENDING,
    TRANSITIONS,
    InvalidTransition,
    StaleVersion,
)
from tracker.auth.models import ApiToken, User, UserRole, name_only
from tracker.core.cache import TTLCache
from tracker.core.dates import format_day
from tracker.core.errors import Conflict, NotAllowed, wants_json
from tracker.delegations.models import Delegation
from tracker.directory.models import Laboratory
from tracker.extensions import db
from tracker.jobs.models import Job
from tracker.notifications.models import Notification


# The decisions of reviewers, after which they go on to the next request of their queue.
REVIEW_ACTIONS = ("endorse", "return", "decline", "approve", "reject")


def signed_in(user):
    """True for an authenticated, active user."""
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def has_any_role(user, roles):
    """True when the signed-in ``user`` holds one of ``roles``."""
    return signed_in(user) and any(user.has_role(role) for role in roles)


def directed_laboratory_ids(user):
    """The laboratories ``user`` directs (none unless they hold the director role)."""
    if not signed_in(user) or not user.is_director:
        return []
    return [lab.id for lab in user.directed_laboratories]


def hosted_joint_unit_ids(user):
    """The international joint units ``user`` directs: they give the host opinion."""
    if not signed_in(user) or not user.is_director:
        return []
    return [lab.id for lab in user.directed_laboratories if lab.kind == "joint_unit"]


def is_security_officer(user):
    return has_any_role(user, ("security_officer",))


def gives_host_opinions(user):
    """The directors of international joint units give host opinions (their queue), and
    those standing in for one today."""
    return bool(hosted_joint_unit_ids(user)) or any(
        hosted_joint_unit_ids(delegator) for delegator in delegators_of(user))


def _dialect():
    return db.session.get_bind().dialect.name


def _asks_for_opinion(kind):
    """SQL: pending, and a requirement asks for a ``kind`` opinion; or one was given."""
    return sa.or_(
        sa.and_(Application.status.in_(PENDING), requires_opinion_sql(kind, _dialect())),
        has_opinion_sql(kind),
    )


# Stand-ins ---------------------------------------------------------------------------------
# During a delegation the stand-in takes the delegator's reviewing actions (endorse, return,
# decline, approve, reject) and gives the opinions the delegator gives, never on their own
# application; an administrator's stand-in acts as an administrator for reviews only, not
# for the directory. Everything below asks :func:`delegators_of`.
# The delegations each user holds (delegator, first and last day; not the cancelled ones):
# asked on every page (visibility), rarely changed, and mostly none. Kept a while, and
# forgotten when a transaction that writes a delegation to the user commits.
delegators_cache = TTLCache("access.delegators")


def delegators_of(user, today=None):
    """The people ``user`` stands in for on ``today``: active directors and administrators
    whose delegation to ``user`` runs that day. Asked once per request and day; who gave a
    delegation is kept a while (:data:`delegators_cache`), so that a user standing in for
    nobody costs no statement at all."""
    if not signed_in(user):
        return []
    today = today or date.today()
    key = (user.id, today)
    cache = g.setdefault("tracker_delegators", {}) if has_request_context() else {}
    if key not in cache:
        # Every delegation the user holds, whatever its days: the kept list then answers
        # for any ``today`` a caller asks about, not only the day it was read.
        periods, _computed_at = delegators_cache.get_or_set(user.id, lambda: [
            tuple(row) for row in db.session.execute(
                sa.select(Delegation.delegator_id, Delegation.starts_on, Delegation.ends_on)
                .where(Delegation.delegate_id == user.id, Delegation.cancelled_at.is_(None))
            )])
        ids = {delegator_id for delegator_id, starts_on, ends_on in periods
               if starts_on <= today <= ends_on}
        people = db.session.scalars(
            sa.select(User)
            .where(User.id.in_(ids), User.active.is_(True), User.id != user.id)
            .order_by(User.full_name, User.id)
        ).unique().all() if ids else []
        cache[key] = [person for person in people if person.is_director or person.is_admin]
    return cache[key]


def stand_ins_for(delegators, today=None):
    """``{delegator id: [stand-ins]}``: the active people standing in for each of
    ``delegators`` on ``today``, in one query, asked even for none so that a page costs the
    same whatever its rows (who else an application waits on)."""
    ids = [person.id for person in delegators if person is not None]
    today = today or date.today()
    rows = db.session.execute(
        sa.select(Delegation.delegator_id, User)
        .join(User, User.id == Delegation.delegate_id)
        .where(Delegation.delegator_id.in_(ids), Delegation.runs_on(today),
               User.active.is_(True))
        .order_by(User.full_name, User.id)
        .options(*name_only())
    ).all()
    found = {}
    for delegator_id, stand_in in rows:
        found.setdefault(delegator_id, []).append(stand_in)
    return found


def forget_delegators(delegate_id):
    """Forget what :func:`delegators_of` answered for ``delegate_id``: in this request at
    once, and for every worker once the transaction writing the delegation commits."""
    if has_request_context():
        g.pop("tracker_delegators", None)
    delegators_cache.forget_after_commit(delegate_id)


def may_give_delegation(user):
    """Directors and administrators name stand-ins (for themselves)."""
    return has_any_role(user, ("director", "admin"))


def may_see_delegations(user):
    """The stand-ins page: those who may give one, and anyone standing in for someone."""
    return may_give_delegation(user) or bool(delegators_of(user))


def own_delegations(user):
    """A SELECT of the delegations ``user`` gave or received; nobody sees anyone else's."""
    query = sa.select(Delegation)
    if not signed_in(user):
        return query.where(sa.false())
    return query.where(sa.or_(Delegation.delegator_id == user.id,
                              Delegation.delegate_id == user.id))


def gave_delegation(user, delegation):
    """True when ``user`` is the delegator of ``delegation``: theirs to cancel."""
    return signed_in(user) and delegation.delegator_id == user.id


def can_cancel_delegation(user, delegation, today=None):
    """The delegator cancels their delegation until it has ended (a cancelled one is done)."""
    today = today or date.today()
    return (gave_delegation(user, delegation)
            and delegation.cancelled_at is None and delegation.ends_on >= today)


def _delegated(user, action, application, rule_day, today):
    """The delegator whose rights let ``user`` take ``action`` on ``application``, judged by
    the actor rules on ``rule_day`` with the delegations that run ``today``; else None."""
    if (action not in REVIEW_ACTIONS or not signed_in(user) or application is None
            or application.applicant_id == user.id):
        return None
    transition = TRANSITIONS[action]
    if application.status not in transition.sources:
        return None
    for delegator in delegators_of(user, today):
        if any(ACTOR_RULES[rule](delegator, application, rule_day) for rule in transition.who):
            return delegator
    return None


def acting_for(user, action, application, today=None):
    """The delegator ``user`` takes ``action`` for, when only a delegation allows it (the
    Event then names both); None when ``user`` acts with their own rights, or may not."""
    today = today or date.today()
    if not signed_in(user) or application is None or action not in TRANSITIONS:
        return None
    if any(ACTOR_RULES[rule](user, application, today) for rule in TRANSITIONS[action].who):
        return None
    return _delegated(user, action, application, today, today)


def opinion_for(user, application, kind):
    """The delegator ``user`` gives a ``kind`` opinion for, when only a delegation allows it;
    None when it is their own to give, or not theirs at all."""
    if not signed_in(user) or application is None or application.applicant_id == user.id:
        return None
    if gives_opinion_kind(user, application, kind):
        return None
    for delegator in delegators_of(user):
        if (application.applicant_id != delegator.id
                and gives_opinion_kind(delegator, application, kind)):
            return delegator
    return None


def stand_in_labels(user):
    """``{laboratory id: delegator}`` for the laboratories ``user`` reviews only as a
    stand-in: the queues say "for Dana Director" on their rows."""
    own = set(directed_laboratory_ids(user))
    labels = {}
    for delegator in delegators_of(user):
        for lab_id in directed_laboratory_ids(delegator):
            if lab_id not in own:
                labels.setdefault(lab_id, delegator)
    return labels


def opinion_delegators(user, kind):
    """The people whose ``kind`` opinions ``user`` gives today only as their stand-in (the
    opinion queues name them)."""
    if kind == "security":
        if is_security_officer(user):
            return []
        return [delegator for delegator in delegators_of(user) if is_security_officer(delegator)]
    return [delegator for delegator in delegators_of(user) if hosted_joint_unit_ids(delegator)]


def admin_delegators(user):
    """The administrators ``user`` stands in for today (the decisions page names them)."""
    return [delegator for delegator in delegators_of(user) if delegator.is_admin]


# Seeing applications -----------------------------------------------------------------------
def visible_applications(user):
    """A SELECT of the applications ``user`` may see (empty for anonymous).

    A researcher sees their own, a director also those their laboratories review, an admin
    sees all. A security officer also sees those that ask for a security opinion (while
    submitted or endorsed) or carry one; the director of a joint unit those that ask for
    their host opinion (pending) or carry one. A draft is its applicant's (and the admins'):
    a director sees a request once it is submitted. Anything else answers 404 wherever it is
    asked for. :func:`can_view` says the same in Python.
    """
    query = sa.select(Application)
    if not signed_in(user):
        return query.where(sa.false())
    if user.is_admin:
        return query
    seen = [Application.applicant_id == user.id, *_reviewer_sight(user)]
    # A stand-in sees what their delegators review, never a delegator's own request.
    for delegator in delegators_of(user):
        sight = _reviewer_sight(delegator)
        if sight:
            seen.append(sa.and_(Application.applicant_id != delegator.id, sa.or_(*sight)))
    return query.where(sa.or_(*seen) if len(seen) > 1 else seen[0])


def _reviewer_sight(person):
    """SQL conditions: the applications ``person`` sees as a reviewer or an opinion giver
    (never a draft). An administrator's is what they review: the pending ones."""
    if person.is_admin:
        return [Application.status.in_(PENDING)]
    seen = []
    lab_ids = directed_laboratory_ids(person)
    if lab_ids:
        seen.append(sa.and_(Application.status != "draft", Application.reviewed_by(lab_ids)))
    if is_security_officer(person):
        seen.append(sa.and_(Application.status != "draft", _asks_for_opinion("security")))
    hosted = hosted_joint_unit_ids(person)
    if hosted:
        seen.append(sa.and_(Application.status != "draft",
                            Application.host_laboratory_id.in_(hosted),
                            _asks_for_opinion("host")))
    return seen


def own_applications(user):
    """A SELECT of the applications ``user`` made (empty for anonymous)."""
    if not signed_in(user):
        return visible_applications(None)
    return visible_applications(user).where(Application.applicant_id == user.id)


def hosted_visits(user):
    """SQL: the incoming visits ``user`` hosts: those to a unit they direct, and those they
    invited (the person named as host of the visit)."""
    invited = sa.select(Invitation.application_id).where(
        Invitation.invited_by_id == user.id, Invitation.application_id.is_not(None))
    hosted = [Application.id.in_(invited)]
    lab_ids = directed_laboratory_ids(user)
    if lab_ids:
        hosted.append(Application.host_laboratory_id.in_(lab_ids))
    return sa.and_(Application.direction == "incoming", sa.or_(*hosted))


def calendar_applications(user):
    """A SELECT of what ``user``'s calendar feed shows: their own applications and the
    visits they host, among those they may see (empty for anonymous)."""
    if not signed_in(user):
        return visible_applications(None)
    return visible_applications(user).where(
        sa.or_(Application.applicant_id == user.id, hosted_visits(user)))


def visibility_scope(user):
    """What decides which applications ``user`` sees, as a hashable key.

    Two users with the same key see the same applications, so cached figures may be shared
    between them and never with anyone else.
    """
    if user.is_admin:
        return ("admin",)
    scope = ("user", user.id, tuple(sorted(directed_laboratory_ids(user))))
    # A security officer, and a host director, see more than their laboratories say.
    if is_security_officer(user):
        scope += ("security",)
    if hosted_joint_unit_ids(user):
        scope += ("host", tuple(sorted(hosted_joint_unit_ids(user))))
    # A stand-in sees more while their delegations run: their figures are their own.
    delegators = delegators_of(user)
    if delegators:
        scope += ("stand_in", tuple(sorted(delegator.id for delegator in delegators)))
    return scope


def can_view(user, application):
    """The Python twin of :func:`visible_applications`, for an application in hand."""
    if not signed_in(user) or application is None:
        return False
    return (
        user.is_admin
        or application.applicant_id == user.id
        or _sees_as_reviewer(user, application)
        or any(application.applicant_id != delegator.id
               and _sees_as_reviewer(delegator, application)
               for delegator in delegators_of(user))
    )


def _sees_as_reviewer(person, application):
    """The Python twin of :func:`_reviewer_sight`."""
    if application.status == "draft":
        return False
    if person.is_admin:
        return application.status in PENDING
    return (
        is_reviewing_director(person, application)
        or any(_asked_or_given(application, kind)
               for kind in OPINION_KINDS if gives_opinion_kind(person, application, kind))
    )


def gives_opinion_kind(user, application, kind):
    """Is ``user`` the one who gives ``kind`` opinions on ``application``, whatever its
    state? A security officer the security opinion, the director of the host joint unit
    the host opinion."""
    if kind == "security":
        return is_security_officer(user)
    if kind == "host":
        return application.host_laboratory_id in hosted_joint_unit_ids(user)
    return False


def required_opinion_kinds(application):
    """The opinion kinds the requirements of ``application`` ask for (rules that apply)."""
    return {rule.opinion_kind for rule in applicable_rules(application) if rule.opinion_kind}


def _asked_or_given(application, kind):
    """The Python twin of :func:`_asks_for_opinion`."""
    if any(opinion.kind == kind for opinion in application.opinions):
        return True
    return application.status in PENDING and kind in required_opinion_kinds(application)


def can_see_overlaps(user, application):
    """Overlapping requests are for the people who decide, not a worry for the applicant."""
    return can_view(user, application) and application.applicant_id != user.id


def can_see_partner_warning(user, application):
    """A partner without an agreement in force is, like an overlap, for those who decide."""
    return can_see_overlaps(user, application)


def is_reviewing_director(user, application):
    """True when ``user`` directs the laboratory that reviews ``application``."""
    return application.reviewing_laboratory_id in directed_laboratory_ids(user)


def acts_as_applicant(user, application):
    """True when ``user`` is the applicant of ``application`` (the action panel speaks to
    them as such: "why you cancel", not "the applicant will read it")."""
    return signed_in(user) and application.applicant_id == user.id


def review_queue_after(user, application, action):
    """The queue (``"director"`` or ``"admin"``) a reviewer goes on in after taking
    ``action`` on ``application``; None for the applicant's own actions."""
    if action not in REVIEW_ACTIONS or acts_as_applicant(user, application):
        return None
    if is_reviewing_director(user, application) and not admin_stands_in(application):
        return "director"
    if has_any_role(user, ("admin",)):
        return "admin"
    # A stand-in goes back to the queue they acted from.
    if application.reviewing_laboratory_id in stand_in_labels(user):
        return "director"
    if admin_delegators(user):
        return "admin"
    return None


def admin_stands_in(application):
    """True when an admin reviews in the director's place.

    That is when the applicant is the reviewing director (nobody reviews their own), and
    when the reviewing laboratory has no active director, so that no request is stranded.
    :func:`admin_endorsement_queue` says the same in SQL.
    """
    reviewing_lab = application.reviewing_laboratory
    if reviewing_lab is None:
        return False
    director = reviewing_lab.director
    return director is None or not director.active or director.id == application.applicant_id


# Review queues -----------------------------------------------------------------------------
def director_queue(user):
    """Submitted applications that ``user`` endorses as the reviewing director.

    Their own requests are not in it: an administrator endorses those (``_reviewer``). A
    stand-in also finds those of the laboratories their delegators direct, except the
    delegators' own.
    """
    reviewed = [Application.reviewed_by(directed_laboratory_ids(user))]
    for delegator in delegators_of(user):
        lab_ids = directed_laboratory_ids(delegator)
        if lab_ids:
            reviewed.append(sa.and_(Application.reviewed_by(lab_ids),
                                    Application.applicant_id != delegator.id))
    return visible_applications(user).where(
        Application.status == "submitted",
        sa.or_(*reviewed) if len(reviewed) > 1 else reviewed[0],
        Application.applicant_id != user.id,
    )


def reviews_as_director(user):
    """The director's queue: directors, and those standing in for one today."""
    return has_any_role(user, ("director",)) or any(
        delegator.is_director for delegator in delegators_of(user))


def reviews_as_admin(user):
    """The decisions page: administrators, and those standing in for one today."""
    return has_any_role(user, ("admin",)) or bool(admin_delegators(user))


def gives_security_opinions(user):
    """The security queue: security officers, and those standing in for one today."""
    return is_security_officer(user) or any(
        is_security_officer(delegator) for delegator in delegators_of(user))


def admin_decision_queue(user):
    """Endorsed applications awaiting an administrator's decision (a stand-in's own excepted)."""
    if has_any_role(user, ("admin",)):
        return visible_applications(user).where(Application.status == "endorsed")
    if not admin_delegators(user):
        return visible_applications(None)
    return visible_applications(user).where(Application.status == "endorsed",
                                            Application.applicant_id != user.id)


def admin_endorsement_queue(user):
    """Submitted applications an administrator endorses (:func:`admin_stands_in`)."""
    if has_any_role(user, ("admin",)):
        query = visible_applications(user)
    elif admin_delegators(user):
        query = visible_applications(user).where(Application.applicant_id != user.id)
    else:
        return visible_applications(None)
    reviewing = aliased(Laboratory)
    director = aliased(User)
    return (
        query
        .join(reviewing, reviewing.id == Application.reviewing_laboratory_id)
        .outerjoin(director, director.id == reviewing.director_id)
        .where(
            Application.status == "submitted",
            sa.or_(
                reviewing.director_id.is_(None),
                director.active.is_(False),
                reviewing.director_id == Application.applicant_id,
            ),
        )
    )


def security_queue(user):
    """Submitted or endorsed applications that ask for a security opinion none gave yet."""
    if not gives_security_opinions(user):
        return visible_applications(None)
    return visible_applications(user).where(
        Application.status.in_(PENDING),
        Application.applicant_id != user.id,
        requires_opinion_sql("security", _dialect()),
        sa.not_(has_opinion_sql("security")),
    )


def host_opinion_queue(user):
    """Pending applications to ``user``'s joint units (or those of the directors they stand
    in for) that ask for a host opinion none gave."""
    hosted = hosted_joint_unit_ids(user) + [
        lab_id for delegator in delegators_of(user) for lab_id in hosted_joint_unit_ids(delegator)]
    if not hosted:
        return visible_applications(None)
    return visible_applications(user).where(
        Application.status.in_(PENDING),
        Application.host_laboratory_id.in_(hosted),
        Application.applicant_id != user.id,
        requires_opinion_sql("host", _dialect()),
        sa.not_(has_opinion_sql("host")),
    )


def work_queues(user):
    """The kinds of work ``user`` may have waiting, as the names of the home page's blocks:
    everyone completes their drafts and fixes their returned requests; a director reviews
    the requests of their laboratories; an admin endorses in a director's place and decides;
    a security officer and a joint unit's director give their opinions; a stand-in has the
    blocks of the people they stand in for today."""
    if not signed_in(user):
        return []
    names = ["drafts", "returned"]
    if directed_laboratory_ids(user) or any(
            directed_laboratory_ids(delegator) for delegator in delegators_of(user)):
        names.append("director")
    if reviews_as_admin(user):
        names += ["admin_endorsement", "admin_decision"]
    if gives_security_opinions(user):
        names.append("security")
    if gives_host_opinions(user):
        names.append("host")
    return names


def acts_from_queue(user, application, queue):
    """Can ``user`` do the work ``queue`` stands for on ``application`` now? A reviewer's
    decision for the review queues, the opinion for the opinion queues: "next in the queue"
    never leads to a request the reviewer could only look at."""
    if queue in OPINION_KINDS:
        return can_give_opinion(user, application, queue)
    return any(can(user, action, application) for action in REVIEW_ACTIONS)
# Waiting on ----------------------------------------------------------------------------------
# Who must act next on an application, from the workflow table and the rules above: its
# applicant while it is theirs to edit or submit (draft, returned); while it is submitted,
# the reviewing director (the admins when :func:`admin_stands_in`); once endorsed, the admins
# (not the applicant). A missing opinion that approval needs is asked of its givers: of them
# alone when approving is the next step (endorsed, or a unit mission submitted), alongside
# the reviewer otherwise. Approved and ended requests wait on nobody. Since when is the
# application's ``waiting_since``, set by the workflow services.
def waiting_on(application):
    """The users who must act next on ``application`` (a list, possibly empty)."""
    return waiting_on_many([application])[application.id]


def waiting_on_many(applications):
    """``{application id: [users who must act next]}`` for ``applications``, a page of a list,
    in at most four statements whatever their number (none for an empty page): the open
    changes, the missing opinions, the people who act, their active stand-ins.

    ``applications`` may be rows rather than models: only their ``id``, ``status``,
    ``direction``, ``funding``, ``applicant_id``, ``home_laboratory_id`` and
    ``host_laboratory_id`` are read.
    """
    applications = list(applications)
    waiting = {application.id: [] for application in applications}
    if not applications:
        return waiting
    editable = [a for a in applications if a.status in EDITABLE]
    pending = [a for a in applications if a.status in PENDING]
    # An approved application with an open change waits on that change's next actor.
    approved = [a.id for a in applications if a.status == "approved"]
    changes = _open_amendments(approved) if approved else {}
    changing = [a for a in applications if a.id in changes]
    if not (editable or pending or changing):
        # Closed applications (rejected, withdrawn, approved without a change...) wait on
        # nobody: a list of them asks nothing more.
        return waiting
    missing = _missing_opinions([a.id for a in pending]) if pending else set()
    lab_ids = {_reviewing_laboratory_id(a) for a in pending + changing}
    lab_ids |= {a.host_laboratory_id for a in pending}
    people = _people_who_act(
        lab_ids,
        {a.applicant_id for a in editable}
        | {a.applicant_id for a in changing if changes[a.id] == "returned"},
    )

    for application in changing:
        status = changes[application.id]
        if status == "returned":
            chosen = people["applicants"].get(application.applicant_id, [])
        elif status == "endorsed":
            chosen = people["admin"]
        else:
            director = people["directors"].get(_reviewing_laboratory_id(application))
            chosen = ([director] if director is not None
                      and director.id != application.applicant_id else people["admin"])
        waiting[application.id] = list(chosen)
    reviewed = set(changing) - {a for a in changing if changes[a.id] == "returned"}

    for application in editable:
        waiting[application.id] = people["applicants"].get(application.applicant_id, [])
    for application in pending:
        applicant_id = application.applicant_id
        if application.status == "endorsed":
            deciders = people["admin"]
            approving_next = True
        else:
            director = people["directors"].get(_reviewing_laboratory_id(application))
            deciders = ([director] if director is not None and director.id != applicant_id
                        else people["admin"])
            approving_next = application.funding == "unit"
        givers = []
        if (application.id, "security") in missing:
            givers += people["security_officer"]
        if (application.id, "host") in missing:
            host_director = people["directors"].get(application.host_laboratory_id)
            givers += [host_director] if host_director is not None else []
        chosen = givers if approving_next and givers else deciders + givers
        seen = set()
        waiting[application.id] = [
            user for user in chosen
            if user.id != applicant_id and not (user.id in seen or seen.add(user.id))
        ]
        reviewed.add(application)
    # The reviewers' active stand-ins wait too (SPEC, Waiting), in one more statement, and
    # never on their own application.
    reviewers = {user.id: user for a in reviewed for user in waiting[a.id]}
    stand_ins = stand_ins_for(reviewers.values())
    for application in reviewed:
        listed = waiting[application.id]
        known = {user.id for user in listed}
        for reviewer in list(listed):
            for stand_in in stand_ins.get(reviewer.id, []):
                if stand_in.id not in known and stand_in.id != application.applicant_id:
                    known.add(stand_in.id)
                    listed.append(stand_in)
    return waiting


def _open_amendments(application_ids):
    """``{application id: status of its open amendment}`` for ``application_ids`` (approved
    ones), in one statement, asked for every page so that its cost does not depend on its
    rows."""
    return dict(db.session.execute(
        sa.select(Amendment.application_id, Amendment.status)
        .where(Amendment.application_id.in_(application_ids),
               Amendment.status.in_(OPEN_AMENDMENT))
    ).all())


def _missing_opinions(application_ids):
    """``{(application id, kind)}``: the opinions their requirements ask for and nobody gave
    yet, for ``application_ids`` (pending ones), in one statement."""
    rows = db.session.execute(
        _missing_opinions_statement(_dialect()), {"ids": list(application_ids)}
    ).all()
    return {(row.id, kind) for row in rows for kind in OPINION_KINDS if getattr(row, kind)}


@lru_cache(maxsize=4)
def _missing_opinions_statement(dialect_name):
    """The statement of :func:`_missing_opinions`, its ids a parameter: built once per
    dialect, since building the rules' SQL cost a list page more than running it."""
    asked = [
        sa.case((sa.and_(requires_opinion_sql(kind, dialect_name),
                         sa.not_(has_opinion_sql(kind))), 1), else_=0).label(kind)
        for kind in OPINION_KINDS
    ]
    return sa.select(Application.id, *asked).where(
        Application.id.in_(sa.bindparam("ids", expanding=True)))


def _people_who_act(laboratory_ids, applicant_ids):
    """In one statement: the active directors of ``laboratory_ids`` (``directors``, by
    laboratory), the active admins and security officers (by role, by name), and the
    applicants ``applicant_ids`` (``applicants``, by id, each in a list)."""
    people = sa.union_all(
        sa.select(User.id.label("user_id"), Laboratory.id.label("laboratory_id"),
                  sa.literal("director").label("part"))
        .join(Laboratory, Laboratory.director_id == User.id)
        .where(Laboratory.id.in_(laboratory_ids), User.active.is_(True)),
        sa.select(User.id, sa.cast(sa.null(), sa.Integer), UserRole.role)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(("admin", "security_officer")), User.active.is_(True)),
        sa.select(User.id, sa.cast(sa.null(), sa.Integer), sa.literal("applicant"))
        .where(User.id.in_(applicant_ids)),
    ).subquery()
    found = {"directors": {}, "applicants": {}, "admin": [], "security_officer": []}
    rows = db.session.execute(
        sa.select(User, people.c.laboratory_id, people.c.part)
        .join(people, people.c.user_id == User.id)
        .order_by(User.full_name, User.id)
        .options(*name_only())
    ).all()
    for user, laboratory_id, part in rows:
        if part == "director":
            found["directors"][laboratory_id] = user
        elif part == "applicant":
            found["applicants"][user.id] = [user]
        else:
            found[part].append(user)
    return found


def _reviewing_laboratory_id(application):
    """:attr:`Application.reviewing_laboratory_id`, for a model or a plain row alike."""
    if application.direction == "outgoing":
        return application.home_laboratory_id
    return application.host_laboratory_id


def active_users_with_role(role):
    """The active users holding ``role``, by name."""
    return db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.full_name, User.id)
    ).all()


# The actor rules named in the workflow table's ``who`` column.
def _applicant(user, application, today):
    return application.applicant_id == user.id


def _reviewer(user, application, today):
    if application.applicant_id == user.id:
        return False  # nobody reviews their own application
    if is_reviewing_director(user, application):
        return True
    return user.is_admin and admin_stands_in(application)


def _reviewer_if_submitted(user, application, today):
    return application.status == "submitted" and _reviewer(user, application, today)


def _reviewer_of_programme(user, application, today):
    return application.funding == "programme" and _reviewer(user, application, today)


def _reviewer_of_unit_mission_if_submitted(user, application, today):
    return application.funding == "unit" and _reviewer_if_submitted(user, application, today)


def _admin(user, application, today):
    return user.is_admin


def _admin_not_applicant(user, application, today):
    return user.is_admin and application.applicant_id != user.id


def _admin_if_endorsed(user, application, today):
    # The office decides programme calls only: a unit mission is its director's to approve.
    return (application.funding == "programme" and application.status == "endorsed"
            and _admin_not_applicant(user, application, today))


def _admin_after_end(user, application, today):
    return user.is_admin and application.end_date < today


ACTOR_RULES = {
    "applicant": _applicant,
    "reviewer": _reviewer,
    "reviewer_if_submitted": _reviewer_if_submitted,
    "reviewer_of_programme": _reviewer_of_programme,
    "reviewer_of_unit_mission_if_submitted": _reviewer_of_unit_mission_if_submitted,
    "admin": _admin,
    "admin_not_applicant": _admin_not_applicant,
    "admin_if_endorsed": _admin_if_endorsed,
    "admin_after_end": _admin_after_end,
}


def can(user, action, application=None, today=None):
    """May ``user`` take ``action`` (a workflow action, ``view`` or ``edit``) now?"""
    if not signed_in(user) or application is None:
        return False
    today = today or date.today()
    if action == "view":
        return can_view(user, application)
    if action == "edit":
        return application.status in EDITABLE and application.applicant_id == user.id
    transition = TRANSITIONS.get(action)
    if transition is None or application.status not in transition.sources:
        return False
    if any(ACTOR_RULES[rule](user, application, today) for rule in transition.who):
        return True
    return _delegated(user, action, application, today, today) is not None


class _InStatus:
    """``application`` seen as if it were in ``status``; everything else unchanged."""

    def __init__(self, application, status):
        self._application = application
        self.status = status

    def __getattr__(self, name):
        return getattr(self._application, name)


def could_ever(user, action, application, today=None):
    """Would ``user`` be allowed ``action`` had ``application`` the right status and date?

    Separates "not yours to do" (403) from "not now" (409) with the same actor rules. A
    stand-in's rights are those of the delegations running ``today``: before or after one,
    the delegator's actions are not theirs (403).
    """
    if not signed_in(user) or application is None or action not in TRANSITIONS:
        return False
    transition = TRANSITIONS[action]
    today = today or date.today()
    return any(
        ACTOR_RULES[rule](user, _InStatus(application, status), date.max)
        for status in transition.sources
        for rule in transition.who
    ) or any(
        _delegated(user, action, _InStatus(application, status), date.max, today) is not None
        for status in transition.sources
    )


def allowed_actions(user, application, today=None):
    """The workflow actions ``user`` may take on ``application`` now, in table order."""
    return [action for action in TRANSITIONS if can(user, action, application, today)]


def _version_matches(application, version):
    """True when no ``version`` is given or it is the application's current one."""
    if version is None:
        return True
    if isinstance(version, bool):
        return False
    try:
        return int(version) == application.version
    except (TypeError, ValueError):
        return False


def check_transition(user, application, action, version=None, today=None):
    """Raise what refuses ``action`` before any value is looked at, in the order of docs/api.md.

    :class:`NotAllowed` (403) when ``user`` could never take it; :class:`StaleVersion`
    (409) when ``version`` is not the current one; :class:`InvalidTransition` (409) when
    the state or the date does not allow it now. ``action`` must be a workflow action.
    """
    if not could_ever(user, action, application, today):
        raise NotAllowed(_l("You may not do this on this application."))
    if not _version_matches(application, version):
        raise StaleVersion(_l("Someone else acted on this application first."))
    if not can(user, action, application, today):
        raise InvalidTransition(_l("This action is not possible in the current state."))


def check_edit(user, application, version=None):
    """Raise what refuses an edit of ``application`` by ``user``, in the order of docs/api.md."""
    if not signed_in(user) or application.applicant_id != user.id:
        raise NotAllowed(_l("Only the applicant edits an application."))
    if not _version_matches(application, version):
        raise StaleVersion(_l("Someone else acted on this application first."))
    if not can(user, "edit", application):
        raise InvalidTransition(_l("This application can no longer be edited."))


def directions_to_apply(user):
    """The directions ``user`` may apply for, as their home laboratory decides: a person of
    one of our units goes out (``outgoing``: the home laboratory is their own unit); a
    person of a partner laboratory or a joint unit abroad comes in (``incoming``). Nobody
    else yet: a person without a home laboratory waits for one (a registration's request,
    or an administrator)."""
    if not signed_in(user):
        return ()
    home = user.home_laboratory
    if home is None:
        return ()
    return ("outgoing",) if home.kind == "unit" else ("incoming",)


def can_apply(user, direction):
    """May ``user`` start an application in ``direction``? The page and the form agree."""
    return direction in directions_to_apply(user)


def can_delete(user, application):
    """May ``user`` delete ``application``? Its applicant, while it is a draft (nothing has
    been asked of anyone yet; later, the applicant withdraws it and the history stays)."""
    return (signed_in(user) and application is not None
            and application.applicant_id == user.id and application.status == "draft")


def check_delete(user, application):
    """Raise what refuses deleting ``application``: 403 for anyone but its applicant, then
    409 when it is no longer a draft."""
    if not signed_in(user) or application.applicant_id != user.id:
        raise NotAllowed(_l("Only the applicant deletes their draft."))
    if not can_delete(user, application):
        raise InvalidTransition(
            _l("Only a draft can be deleted; a submitted application can be withdrawn.")
        )


# Opinions ----------------------------------------------------------------------------------
def could_give_opinion(user, application, kind):
    """Would ``user`` give a ``kind`` opinion on ``application`` were it asked now?

    Separates "not yours to give" (403) from "not now" (409). Nobody gives one on their own
    application.
    """
    if not signed_in(user) or application is None or application.applicant_id == user.id:
        return False
    return gives_opinion_kind(user, application, kind) or opinion_for(
        user, application, kind) is not None


def can_give_opinion(user, application, kind):
    """May ``user`` give a ``kind`` opinion on ``application`` now? Only while it is
    submitted or endorsed, and only when its requirements ask for that opinion."""
    return (
        could_give_opinion(user, application, kind)
        and application.status in PENDING
        and kind in required_opinion_kinds(application)
    )


def opinion_kinds_user_may_give(user, application):
    return [kind for kind in OPINION_KINDS if can_give_opinion(user, application, kind)]


def check_opinion(user, application, kind):
    """Raise what refuses a ``kind`` opinion by ``user``, before its values: 403, then 409.

    An unknown ``kind`` is left to the values' check (422), unless ``user`` gives no
    opinion at all on ``application`` (403).
    """
    if kind not in OPINION_KINDS:
        if not any(could_give_opinion(user, application, known) for known in OPINION_KINDS):
            raise NotAllowed(_l("You do not give opinions on this application."))
        return
    if not could_give_opinion(user, application, kind):
        raise NotAllowed(_l("You do not give this opinion on this application."))
    if application.status not in PENDING or kind not in required_opinion_kinds(application):
        raise InvalidTransition(_l("This opinion is not asked for in the current state."))


# Amendments --------------------------------------------------------------------------------
# A change to an approved application is asked by its applicant or an admin, and reviewed by
# the same people as the application (the workflow's AMENDMENT_TRANSITIONS), never by who
# asked it. Whoever sees the application sees its amendments.
AMENDMENT_REVIEW_ACTIONS = ("endorse", "approve", "return", "reject")


def could_ask_amendment(user, application):
    """Is ``user`` one who asks changes to ``application`` (its applicant, or an admin)?"""
    return signed_in(user) and application is not None and (
        application.applicant_id == user.id or user.is_admin)


def can_ask_amendment(user, application):
    """May ``user`` ask a change to ``application`` now? Only once it is approved (one open
    at a time is the service's to say: it holds the lock)."""
    return could_ask_amendment(user, application) and application.status == "approved"


def check_ask_amendment(user, application, version=None):
    """Raise what refuses asking a change, before its values: 403, then 409 (stale version,
    or an application that is not approved)."""
    if not could_ask_amendment(user, application):
        raise NotAllowed(_l("Only the applicant or an administrator asks for a change."))
    if not _version_matches(application, version):
        raise StaleVersion(_l("Someone else acted on this application first."))
    if not can_ask_amendment(user, application):
        raise InvalidTransition(_l("Only an approved application can be changed."))


def _amendment_actor(user, amendment, rule, status):
    if rule == "requester":
        return amendment.requested_by_id == user.id
    return ACTOR_RULES[rule](user, _InStatus(amendment.application, status), date.max)


def _may_review_amendment(user, action, amendment):
    # Nobody reviews a change they asked, be they an admin asking for the applicant.
    return action not in AMENDMENT_REVIEW_ACTIONS or amendment.requested_by_id != user.id


def could_act_on_amendment(user, action, amendment):
    """Would ``user`` be allowed ``action`` on ``amendment`` in some status (403 if not)?"""
    transition = AMENDMENT_TRANSITIONS.get(action)
    if not signed_in(user) or amendment is None or transition is None:
        return False
    if not _may_review_amendment(user, action, amendment):
        return False
    return any(_amendment_actor(user, amendment, rule, status)
               for status in transition.sources for rule in transition.who)


def can_act_on_amendment(user, action, amendment):
    """May ``user`` take ``action`` on ``amendment`` now? Its status allows it, and a review
    needs the application still approved (a change to a cancelled stay can only be
    withdrawn)."""
    transition = AMENDMENT_TRANSITIONS.get(action)
    if (transition is None or not signed_in(user) or amendment is None
            or amendment.status not in transition.sources
            or (action in AMENDMENT_REVIEW_ACTIONS
                and amendment.application.status != "approved")
            or not _may_review_amendment(user, action, amendment)):
        return False
    return any(_amendment_actor(user, amendment, rule, amendment.status)
               for rule in transition.who)


def amendment_actions(user, amendment):
    """The actions ``user`` may take on ``amendment`` now, in table order."""
    return [action for action in AMENDMENT_TRANSITIONS
            if can_act_on_amendment(user, action, amendment)]


def check_amendment_transition(user, amendment, action, version=None):
    """Raise what refuses ``action`` on ``amendment`` before any value: 403, then 409."""
    if not could_act_on_amendment(user, action, amendment):
        raise NotAllowed(_l("You may not do this on this change."))
    if not _version_matches(amendment, version):
        raise StaleVersion(_l("Someone else acted on this change first."))
    if not can_act_on_amendment(user, action, amendment):
        raise InvalidTransition(_l("This action is not possible in the current state."))


def visible_amendments(user):
    """A SELECT of the amendments of the applications ``user`` sees."""
    visible = visible_applications(user).with_only_columns(Application.id)
    return sa.select(Amendment).where(Amendment.application_id.in_(visible))


def amendment_queue(user):
    """Open amendments ``user`` reviews now: as the reviewing director (submitted), as an
    admin (endorsed programme calls, and submitted ones an admin reviews in the director's
    place). Never those they asked, never those of their own applications."""
    if not signed_in(user):
        return visible_amendments(None)
    reviewing = aliased(Laboratory)
    director = aliased(User)
    stands_in = sa.or_(
        reviewing.director_id.is_(None),
        director.active.is_(False),
        reviewing.director_id == Application.applicant_id,
    )
    waiting = [sa.and_(Amendment.status == "submitted",
                       Application.reviewed_by(directed_laboratory_ids(user)),
                       sa.not_(stands_in))]
    if user.is_admin:
        waiting.append(sa.and_(Amendment.status == "endorsed",
                               Application.funding == "programme"))
        waiting.append(sa.and_(Amendment.status == "submitted", stands_in))
    visible = visible_applications(user).with_only_columns(Application.id)
    return (
        sa.select(Amendment)
        .join(Application, Application.id == Amendment.application_id)
        .join(reviewing, reviewing.id == Application.reviewing_laboratory_id)
        .outerjoin(director, director.id == reviewing.director_id)
        .where(
            Application.id.in_(visible),
            Application.status == "approved",
            Application.applicant_id != user.id,
            sa.or_(Amendment.requested_by_id.is_(None), Amendment.requested_by_id != user.id),
            sa.or_(*waiting),
        )
    )


def has_open_amendment(application):
    """True when ``application`` has an amendment awaiting a decision or a new ask."""
    return any(amendment.status in OPEN_AMENDMENT for amendment in application.amendments)


# Documents ---------------------------------------------------------------------------------
def can_upload_document(user, application, kind=None):
    """May ``user`` attach a document (of ``kind``, or of some kind) to ``application`` now?

    The applicant attaches anything while they may edit, or while a change they asked is
    open (an extension may need a hosting agreement), and their report once granted.
    """
    if not signed_in(user) or application is None:
        return False
    if can(user, "edit", application):
        return True
    if (application.applicant_id == user.id and application.status == "approved"
            and has_open_amendment(application)):
        return True
    return (
        kind in (None, "report")
        and application.status in GRANTED
        and application.applicant_id == user.id
    )


def kinds_user_may_upload(user, application):
    """The document kinds ``user`` may attach to ``application`` now (none: no form)."""
    return [kind for kind in DOCUMENT_KINDS if can_upload_document(user, application, kind)]


def check_upload(user, application, kind=None):
    """Raise what refuses an upload before the file is looked at: 403, then 409."""
    if not signed_in(user) or application.applicant_id != user.id:
        raise NotAllowed(_l("Only the applicant attaches documents to an application."))
    if not can_upload_document(user, application):
        raise InvalidTransition(_l("No document can be attached in the current state."))
    if kind is not None and not can_upload_document(user, application, kind):
        raise InvalidTransition(_l("Only a report can be attached in the current state."))


# Reports -----------------------------------------------------------------------------------
REPORT_ROLES = ("director", "admin")


def can_use_reports(user):
    """The lists, dashboard and registers are for directors and administrators."""
    return has_any_role(user, REPORT_ROLES)


def may_record_past_stay(user):
    """A stay that started already may be created, edited or submitted by an administrator
    only (the office records it); anyone else starts today or later (docs/rules.md)."""
    return has_any_role(user, ("admin",))


def can_see_contact_details(user, application):
    """Contact details in the duty-of-care register: admins and the reviewing director."""
    return signed_in(user) and (user.is_admin or is_reviewing_director(user, application))


def can_view_laboratory(user, laboratory):
    """A laboratory's own pages (its stays): admins, and the laboratory's director."""
    return signed_in(user) and (user.is_admin or laboratory.director_id == user.id)


def report_laboratories(user):
    """A SELECT of the laboratories ``user`` may filter the reports by (ids, names)."""
    query = sa.select(Laboratory.id, Laboratory.acronym, Laboratory.name)
    if has_any_role(user, ("admin",)):
        return query.where(Laboratory.kind == "unit")
    if not signed_in(user):
        return query.where(sa.false())
    return query.where(Laboratory.director_id == user.id)


# Directory ---------------------------------------------------------------------------------
def can_manage_directory(user):
    """People, laboratories and programmes are changed by administrators."""
    return has_any_role(user, ("admin",))


def can_manage_agreements(user):
    """Agreements are recorded and changed by administrators (the international office)."""
    return has_any_role(user, ("admin",))


# Home laboratory requests ------------------------------------------------------------------
def home_requests_to_decide(user):
    """A SELECT of the people whose requested home laboratory ``user`` may confirm or refuse.

    The director of the laboratory asked for decides, and admins for any laboratory (one
    without a director included). Only confirmed, active accounts are listed: an address
    nobody confirmed may be anyone's. Nobody decides on their own request.
    """
    query = sa.select(User).where(
        User.requested_laboratory_id.is_not(None),
        User.email_confirmed_at.is_not(None),
        User.active.is_(True),
    )
    if not signed_in(user):
        return query.where(sa.false())
    query = query.where(User.id != user.id)
    if user.is_admin:
        return query
    return query.where(User.requested_laboratory_id.in_(directed_laboratory_ids(user)))


# A person's own rows -----------------------------------------------------------------------
def own_notifications(user):
    """A SELECT of ``user``'s notifications: nobody reads anyone else's."""
    query = sa.select(Notification)
    if not signed_in(user):
        return query.where(sa.false())
    return query.where(Notification.user_id == user.id)


def undelivered_notifications(user):
    """A SELECT of the messages delivery gave up on: the office sees and resends them."""
    query = sa.select(Notification).where(Notification.failed_at.is_not(None))
    if not has_any_role(user, ("admin",)):
        return query.where(sa.false())
    return query


def own_tokens(user):
    """A SELECT of ``user``'s API tokens: nobody sees or revokes anyone else's."""
    query = sa.select(ApiToken)
    if not signed_in(user):
        return query.where(sa.false())
    return query.where(ApiToken.user_id == user.id)


# View gates --------------------------------------------------------------------------------
def login_required(view):
    """Anonymous browser requests go to the login page (with ``next``); API ones get 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not signed_in(current_user):
            if wants_json():
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles):
    """Like :func:`login_required`, then 403 unless the user holds one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_any_role(current_user, roles):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator


# Countries, requirement rules, invitations (issue 10) --------------------------------------
# Countries' risk levels are kept by the office and the security officers; the requirement
# rules are part of the directory (:func:`can_manage_directory`). A unit's director invites
# visitors to their unit, an admin to any unit.
def can_manage_countries(user):
    """Risk levels of destinations are set by administrators and security officers."""
    return has_any_role(user, ("admin", "security_officer"))


def can_invite(user, host_laboratory=None):
    """May ``user`` invite a visitor (to ``host_laboratory``, or to some unit when None)?

    Admins invite to any unit; a director to the units they direct.
    """
    if not signed_in(user):
        return False
    if user.is_admin:
        return host_laboratory is None or host_laboratory.kind == "unit"
    directed = user.directed_laboratories if user.is_director else []
    if host_laboratory is None:
        return any(lab.kind == "unit" for lab in directed)
    return host_laboratory.kind == "unit" and host_laboratory.id in [lab.id for lab in directed]


def invitation_host_laboratories(user):
    """A SELECT of the units ``user`` may invite a visitor to."""
    query = sa.select(Laboratory).where(Laboratory.kind == "unit")
    if not signed_in(user):
        return query.where(sa.false())
    if user.is_admin:
        return query
    return query.where(Laboratory.id.in_(directed_laboratory_ids(user)))


def own_invitations(user):
    """A SELECT of the invitations ``user`` follows: those they sent; every one for admins."""
    query = sa.select(Invitation)
    if not signed_in(user):
        return query.where(sa.false())
    if user.is_admin:
        return query
    return query.where(Invitation.invited_by_id == user.id)


# Personal data ----------------------------------------------------------------------------
# A copy of a person's data goes to that person only: an administrator asked for someone
# else's copy exports it as that person would, through the office's own channel, not here.
def can_export_data(user, person):
    """May ``user`` download everything the tracker holds about ``person``?"""
    return signed_in(user) and person is not None and user.id == person.id


def stays_in_progress(person_ids, today):
    """The condition "a stay of one of ``person_ids`` (a list, or a SQL column) is in
    progress on ``today``": approved, started and not ended. Its traveller cannot be
    erased, by an administrator or by retention, until it ends."""
    return sa.and_(
        Application.applicant_id.in_(person_ids) if isinstance(person_ids, list)
        else Application.applicant_id == person_ids,
        Application.status == "approved",
        Application.start_date <= today,
        Application.end_date >= today,
    )


def can_erase_person(user, person, today=None):
    """May ``user`` erase ``person`` now (for the button that offers it)?"""
    try:
        check_erase_person(user, person, today)
    except (NotAllowed, Conflict):
        return False
    return True


def check_erase_person(user, person, today=None):
    """Raise unless ``user`` may erase ``person`` now: administrators erase another person
    (403), one not erased yet and not abroad today (409, naming the stay in progress)."""
    if not signed_in(user) or not user.is_admin:
        raise NotAllowed(_l("Only administrators erase a person's data."))
    if user.id == person.id:
        raise NotAllowed(_l("Another administrator erases your own data."))
    if person.erased_at is not None:
        raise Conflict(_l("This person's data is erased already."))
    stay = db.session.scalars(
        sa.select(Application).where(stays_in_progress(person.id, today or date.today()))
        .order_by(Application.end_date.desc()).limit(1)
    ).first()
    if stay is not None:
        raise Conflict(
            _l("%(reference)s is in progress until %(end)s: a person is not erased during a "
               "stay, so that the office can still reach them. Erase them once it has ended.",
               reference=stay.reference, end=format_day(stay.end_date)),
            code="stay_in_progress",
        )


# Background jobs ---------------------------------------------------------------------------
def visible_job(user, job_id):
    """Job ``job_id`` when ``user`` may follow it: its owner only. Anyone else, and a job
    of a command (no owner), is answered as if it did not exist (None)."""
    if not signed_in(user):
        return None
    job = db.session.get(Job, job_id)
    if job is None or job.owner_id != user.id:
        return None
    return job
