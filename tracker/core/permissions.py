"""Who may see and do what. Every permission question is answered here.

- :func:`visible_applications` is the query every list and lookup of applications starts
  from: a researcher sees their own, a director also those their laboratories review, an
  admin sees all.
- :func:`can` answers "may this user take this action on this application now?".
- :func:`role_required` and :func:`login_required` gate views.

Order of the checks: anonymous is refused first, then state, then role and scope.
"""

from datetime import date
from functools import wraps

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_login import current_user

from tracker.applications.models import Application
from tracker.applications.workflow import EDITABLE, TRANSITIONS
from tracker.directory.models import Laboratory


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def signed_in(user):
    """True for an authenticated, active user."""
    return _authenticated(user)


def directed_laboratory_ids(user):
    return [lab.id for lab in user.directed_laboratories]


def visible_applications(user):
    """A SELECT of the applications ``user`` may see (empty for anonymous)."""
    query = sa.select(Application)
    if not _authenticated(user):
        return query.where(sa.false())
    if user.is_admin:
        return query
    own = Application.applicant_id == user.id
    lab_ids = directed_laboratory_ids(user) if user.is_director else []
    if not lab_ids:
        return query.where(own)
    reviewed = sa.or_(
        sa.and_(Application.direction == "outgoing", Application.home_laboratory_id.in_(lab_ids)),
        sa.and_(Application.direction == "incoming", Application.host_laboratory_id.in_(lab_ids)),
    )
    return query.where(sa.or_(own, reviewed))


def is_reviewing_director(user, application):
    """True when ``user`` directs the laboratory that reviews ``application``."""
    return user.is_director and application.reviewing_laboratory_id in directed_laboratory_ids(
        user
    )


# The actor rules named in the workflow table's ``who`` column.
def _applicant(user, application, today):
    return application.applicant_id == user.id


def _reviewer(user, application, today):
    if application.applicant_id == user.id:
        return False  # nobody reviews their own application
    if is_reviewing_director(user, application):
        return True
    return user.is_admin and admin_stands_in(application)


def admin_stands_in(application):
    """True when an admin reviews in the director's place.

    That is when the applicant is the reviewing director (nobody reviews their own), and
    when the reviewing laboratory has no active director, so that no request is stranded.
    """
    reviewing_lab = application.reviewing_laboratory
    if reviewing_lab is None:
        return False
    director = reviewing_lab.director
    return director is None or not director.active or director.id == application.applicant_id


def _reviewer_if_submitted(user, application, today):
    return application.status == "submitted" and _reviewer(user, application, today)


def _admin(user, application, today):
    return user.is_admin


def _admin_not_applicant(user, application, today):
    return user.is_admin and application.applicant_id != user.id


def _admin_if_endorsed(user, application, today):
    return application.status == "endorsed" and _admin_not_applicant(user, application, today)


def _admin_after_end(user, application, today):
    return user.is_admin and application.end_date < today


ACTOR_RULES = {
    "applicant": _applicant,
    "reviewer": _reviewer,
    "reviewer_if_submitted": _reviewer_if_submitted,
    "admin": _admin,
    "admin_not_applicant": _admin_not_applicant,
    "admin_if_endorsed": _admin_if_endorsed,
    "admin_after_end": _admin_after_end,
}


def can(user, action, application=None, today=None):
    """May ``user`` take ``action`` (a workflow action, ``view`` or ``edit``) now?"""
    if not _authenticated(user):
        return False
    if application is None:
        return False
    today = today or date.today()
    if action == "view":
        return user.is_admin or application.applicant_id == user.id or is_reviewing_director(
            user, application
        )
    if action == "edit":
        return application.status in EDITABLE and application.applicant_id == user.id
    transition = TRANSITIONS.get(action)
    if transition is None or application.status not in transition.sources:
        return False
    return any(ACTOR_RULES[rule](user, application, today) for rule in transition.who)


class _InStatus:
    """``application`` seen as if it were in ``status``; everything else unchanged."""

    def __init__(self, application, status):
        self._application = application
        self.status = status

    def __getattr__(self, name):
        return getattr(self._application, name)


def could_ever(user, action, application):
    """Would ``user`` be allowed ``action`` had ``application`` the right status and date?

    Separates "not yours to do" (403) from "not now" (409) with the same actor rules.
    """
    if not _authenticated(user) or application is None or action not in TRANSITIONS:
        return False
    transition = TRANSITIONS[action]
    return any(
        ACTOR_RULES[rule](user, _InStatus(application, status), date.max)
        for status in transition.sources
        for rule in transition.who
    )


def allowed_actions(user, application, today=None):
    """The workflow actions ``user`` may take on ``application`` now, in table order."""
    return [action for action in TRANSITIONS if can(user, action, application, today)]


# Documents -------------------------------------------------------------------------------
REPORT_STATUSES = frozenset({"approved", "completed"})


def can_upload_document(user, application, kind=None):
    """May ``user`` attach a document (of ``kind``, or of some kind) to ``application`` now?

    The applicant attaches anything while they may edit, and their report once approved.
    """
    if not _authenticated(user) or application is None:
        return False
    if can(user, "edit", application):
        return True
    return (
        kind in (None, "report")
        and application.status in REPORT_STATUSES
        and application.applicant_id == user.id
    )


# Directory -------------------------------------------------------------------------------
def can_manage_directory(user):
    return _authenticated(user) and user.is_admin


def laboratories_directed_by(user):
    return sa.select(Laboratory).where(Laboratory.director_id == user.id)


# View gates ----------------------------------------------------------------------------
def wants_json():
    return request.path.startswith("/api/")


def login_required(view):
    """Anonymous browser requests go to the login page (with ``next``); API ones get 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _authenticated(current_user):
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
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator
