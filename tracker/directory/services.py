"""Changes to the directory: people and their roles, laboratories, programmes.

The rules that tie several values together live here, so the web forms, the API and the
command line refuse the same things with the same words. ``*_problems`` functions answer
``{field name: message}`` (empty when all is well); ``save_*`` functions check them again,
raise :class:`~tracker.core.errors.InvalidValues` (422, each field with its messages) when
something is wrong, and flush, never commit.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.auth.services import normalise_email
from tracker.core.errors import InvalidValues
from tracker.directory.models import HOME_COUNTRY
from tracker.extensions import db


def _refuse(problems):
    if problems:
        raise InvalidValues(
            _l("Please correct the fields marked."),
            {name: [message] for name, message in problems.items()},
        )


# People ----------------------------------------------------------------------------------
def set_roles(user, roles):
    """Give ``user`` exactly ``roles``; a change ends every session of theirs."""
    if set(roles) != set(user.roles):
        user.roles = roles
        user.end_all_sessions()


def set_active(user, active):
    """Activate or deactivate ``user``; deactivation ends every session of theirs."""
    if user.active and not active:
        user.end_all_sessions()
    user.active = active


def email_in_use(email, by_other_than=None):
    """True when another account than ``by_other_than`` uses ``email`` (in any case)."""
    query = sa.select(User.id).where(User.email == normalise_email(email))
    if by_other_than is not None and by_other_than.id is not None:
        query = query.where(User.id != by_other_than.id)
    return db.session.scalar(query.limit(1)) is not None


def account_problems(editor, user, email=None, roles=None, active=None):
    """What refuses these changes to ``user`` by the admin ``editor``.

    An admin cannot take away their own admin role nor deactivate themselves: the office
    would otherwise lock itself out. Email addresses are unique whatever their case.
    """
    problems = {}
    if email is not None and email_in_use(email, by_other_than=user):
        problems["email"] = _l("Another account already uses this email address.")
    if roles is not None and not roles:
        problems["roles"] = _l("Choose at least one role.")
    elif roles is not None and "director" not in roles and user.directed_laboratories:
        # A laboratory's director must hold the role, or its requests would have no reviewer.
        problems["roles"] = _l(
            "%(name)s directs %(labs)s: name another director there first, "
            "or keep the director role.",
            name=user.full_name,
            labs=", ".join(lab.acronym or lab.name for lab in user.directed_laboratories),
        )
    if editor is not None and editor.id == user.id:
        if roles is not None and "admin" not in roles:
            problems["roles"] = _l(
                "You cannot remove your own administrator role; ask another administrator."
            )
        if active is not None and not active:
            problems["active"] = _l(
                "You cannot deactivate your own account; ask another administrator."
            )
    return problems


def update_user(user, editor, *, email, full_name, category, nationality,
                home_laboratory_id, roles, active):
    """Apply an admin's edit of ``user``; role changes and deactivation end their sessions."""
    _refuse(account_problems(editor, user, email=email, roles=roles, active=active))
    user.email = normalise_email(email)
    user.full_name = full_name.strip()
    user.category = category
    user.nationality = nationality.upper()
    user.home_laboratory_id = home_laboratory_id
    set_roles(user, roles)
    set_active(user, active)
    db.session.flush()
    return user


def make_director(user):
    """Give ``user`` the director role if they lack it; True when it was added."""
    if user.has_role("director"):
        return False
    set_roles(user, [*user.roles, "director"])
    return True


# Laboratories ----------------------------------------------------------------------------
def laboratory_problems(kind, country, has_director, director_field="director_email"):
    """What refuses a laboratory of this ``kind`` in ``country``, with or without director.

    The same rules are CHECK constraints in the database; saying them here first gives the
    user a sentence next to the field instead of an error page. ``director_field`` names the
    field that gave the director (an email on the form, an id in the API).
    """
    problems = {}
    country = (country or "").upper()
    if country:
        if kind == "unit" and country != HOME_COUNTRY:
            problems["country"] = _l(
                "A unit is one of our laboratories in France: choose France, "
                "or another kind of laboratory."
            )
        elif kind in ("partner", "joint_unit") and country == HOME_COUNTRY:
            problems["country"] = _l(
                "Partner laboratories and joint units are abroad: choose a country "
                "other than France, or make it a unit."
            )
    if kind == "partner" and has_director:
        problems[director_field] = _l(
            "Partner laboratories have no director here: leave this empty, "
            "or make it a unit or a joint unit."
        )
    return problems


def save_laboratory(laboratory, *, name, acronym, kind, institution, city, country, director,
                    director_field="director_email"):
    """Write these values on ``laboratory`` (new or not) and add it to the session.

    Returns True when ``director`` was given the director role by this change.
    """
    _refuse(laboratory_problems(kind, country, director is not None, director_field))
    laboratory.name = name
    laboratory.acronym = acronym
    laboratory.kind = kind
    laboratory.institution = institution
    laboratory.city = city
    laboratory.country = country.upper()
    laboratory.director = director
    granted = make_director(director) if director is not None else False
    db.session.add(laboratory)
    db.session.flush()
    return granted


# Programmes ------------------------------------------------------------------------------
def programme_problems(opens_on, closes_on, min_days, max_days):
    """What refuses these dates and stay bounds together (None: not known, not checked)."""
    problems = {}
    if opens_on is not None and closes_on is not None and closes_on < opens_on:
        problems["closes_on"] = _l("The programme must close on or after the day it opens.")
    if min_days is not None and max_days is not None and max_days < min_days:
        problems["max_days"] = _l(
            "The longest stay cannot be shorter than the shortest stay."
        )
    return problems


def save_programme(programme, *, name, direction, opens_on, closes_on, min_days, max_days,
                   budget, eligible_categories, description, active):
    """Write these values on ``programme`` (new or not) and add it to the session."""
    problems = programme_problems(opens_on, closes_on, min_days, max_days)
    if not eligible_categories:
        problems["eligible_categories"] = _l("Choose at least one category of people.")
    _refuse(problems)
    programme.name = name
    programme.direction = direction
    programme.opens_on = opens_on
    programme.closes_on = closes_on
    programme.min_days = min_days
    programme.max_days = max_days
    programme.budget = budget
    programme.eligible_categories = eligible_categories
    programme.description = description
    programme.active = active
    db.session.add(programme)
    db.session.flush()
    return programme
