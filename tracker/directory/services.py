"""Changes to the directory: people and their roles, laboratories, programmes, countries'
risk levels and the requirement rules.

The rules that tie several values together live here, so the web forms, the API and the
command line refuse the same things with the same words. ``*_problems`` functions answer
``{field name: message}`` (empty when all is well); ``save_*`` functions check them again,
raise :class:`~tracker.core.errors.InvalidValues` (422, each field with its messages) when
something is wrong, and flush, never commit. Each write records an audit entry
(:mod:`tracker.audit.services`) naming its ``actor``: the signed-in person, None for the
command line.
"""

import re

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from tracker.applications.models import (
    BLOCKED_STEPS,
    DOCUMENT_KINDS,
    OPINION_KINDS,
    PURPOSES,
    RequirementRule,
)
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.auth.services import normalise_email
from tracker.core.countries import (
    RISK_LEVELS,
    country_choices,
    country_name,
    is_country,
    risk_rank,
)
from tracker.core.errors import InvalidValues, Refused
from tracker.core.cache import TTLCache
from tracker.core.models import utcnow
from tracker.directory.models import DIRECTIONS, HOME_COUNTRY, Country
from tracker.extensions import db


def _refuse(problems):
    if problems:
        raise InvalidValues(
            _l("Please correct the fields marked."),
            {name: [message] for name, message in problems.items()},
        )


# People ----------------------------------------------------------------------------------
def set_roles(user, roles):
    """Give ``user`` exactly ``roles``; a change ends every session of theirs.

    The caller records the change in the audit (:func:`update_user`, :func:`make_director`).
    """
    if set(roles) != set(user.roles):
        user.roles = roles
        user.end_all_sessions()


def set_active(user, active):
    """Activate or deactivate ``user``; deactivation ends every session of theirs (the
    caller records the change in the audit)."""
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
    """Apply an admin's edit of ``user``; role changes and deactivation end their sessions.

    The audit names ``editor`` as the actor.
    """
    _refuse(account_problems(editor, user, email=email, roles=roles, active=active))
    before = audit.snapshot("user", user)
    user.email = normalise_email(email)
    user.full_name = full_name.strip()
    user.category = category
    user.nationality = nationality.upper()
    user.home_laboratory_id = home_laboratory_id
    set_roles(user, roles)
    set_active(user, active)
    db.session.flush()
    audit.record_change(editor, "user", user, before)
    return user


def make_director(user, actor=None):
    """Give ``user`` the director role if they lack it; True when it was added."""
    if user.has_role("director"):
        return False
    before = audit.snapshot("user", user)
    set_roles(user, [*user.roles, "director"])
    audit.record_change(actor, "user", user, before)
    return True


# Laboratories ----------------------------------------------------------------------------
def laboratory_problems(kind, country, has_director, director_field="director_email",
                        restricted_zone=False):
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
    if restricted_zone and kind != "unit":
        problems["restricted_zone"] = _l(
            "Only a unit of ours can be a restricted zone: a partner laboratory or a joint "
            "unit abroad cannot. Untick the box, or make it a unit."
        )
    return problems


def save_laboratory(laboratory, *, name, acronym, kind, institution, city, country, director,
                    restricted_zone=False, director_field="director_email", actor=None):
    """Write these values on ``laboratory`` (new or not) and add it to the session.

    Returns True when ``director`` was given the director role by this change.
    """
    _refuse(laboratory_problems(kind, country, director is not None, director_field,
                                restricted_zone))
    before = audit.snapshot("laboratory", laboratory)
    laboratory.name = name
    laboratory.acronym = acronym
    laboratory.kind = kind
    laboratory.institution = institution
    laboratory.city = city
    laboratory.country = country.upper()
    laboratory.director = director
    laboratory.restricted_zone = bool(restricted_zone)
    db.session.add(laboratory)
    granted = make_director(director, actor) if director is not None else False
    db.session.flush()
    audit.record_change(actor, "laboratory", laboratory, before)
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
                   budget, eligible_categories, description, active, actor=None):
    """Write these values on ``programme`` (new or not) and add it to the session."""
    problems = programme_problems(opens_on, closes_on, min_days, max_days)
    if not eligible_categories:
        problems["eligible_categories"] = _l("Choose at least one category of people.")
    _refuse(problems)
    before = audit.snapshot("programme", programme)
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
    audit.record_change(actor, "programme", programme, before)
    return programme


# Countries and their risk level ------------------------------------------------------------
# A country without a row is green: only the levels someone set are stored. The levels are
# the organisation's own assessment (in the demo, examples), not an official map.
def country_or_404(code):
    """The upper-case code of a known ISO country, or a 404 refusal."""
    code = (code or "").strip().upper()
    if len(code) != 2 or not is_country(code):
        raise Refused(_l("There is no country with this code."), status=404)
    return code


def stored_countries(level=None):
    """The stored rows (levels someone set), by code; only those at ``level`` when given."""
    query = sa.select(Country).order_by(Country.code)
    if level:
        query = query.where(Country.risk_level == level)
    return {row.code: row for row in db.session.scalars(query)}


def country_entries(level=None, text=None, stored=None):
    """Every ISO country as ``(code, name, row or None)``: those with a stored level other
    than green first (most dangerous first), then by name.

    ``level`` keeps the countries at that level (green includes the countries without a
    row); ``text`` keeps those whose name or code contains it.
    """
    stored = stored_countries() if stored is None else stored
    entries = []
    for code, name in country_choices():
        row = stored.get(code)
        current = row.risk_level if row is not None else "green"
        if level and current != level:
            continue
        if text and text.lower() not in name.lower() and text.upper() != code:
            continue
        entries.append((code, name, row))
    entries.sort(key=lambda entry: (
        -risk_rank(entry[2].risk_level if entry[2] is not None else "green"), entry[1]))
    return entries


def country_problems(risk_level, note):
    problems = {}
    if risk_level not in RISK_LEVELS:
        problems["risk_level"] = _l("Choose green, yellow, orange or red.")
    if note is not None and len(note) > 2000:
        problems["note"] = _l("Use at most 2000 characters.")
    return problems


def set_country_level(code, risk_level, note, editor):
    """Set the risk level (and note) of the country ``code`` on behalf of ``editor``.

    ``note`` None keeps the current note. Returns the row; flushes, never commits.
    """
    code = country_or_404(code)
    _refuse(country_problems(risk_level, note))
    row = db.session.get(Country, code)
    # A country without a row was green with no note: its first level is a change of that.
    before = (audit.snapshot("country", row) if row is not None
              else {"risk_level": "green", "note": ""})
    if row is None:
        row = Country(code=code, note="")
        db.session.add(row)
    row.risk_level = risk_level
    risk_levels_cache.forget_after_commit(None)
    if note is not None:
        row.note = note.strip()
    row.updated_by_id = editor.id if editor is not None else None
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(editor, "update", "country", code, before, audit.snapshot("country", row),
                 label=country_name(code, "en"))
    if has_request_context():
        g.pop("risk_levels", None)
    return row


def country_json_values(code, row):
    """A country as the API writes it (a country without a row is green; the name in
    English whatever the caller reads, so that clients see one value)."""
    return {
        "code": code,
        "name": country_name(code, "en"),
        "risk_level": row.risk_level if row is not None else "green",
        "note": row.note if row is not None else "",
        "updated_by_id": row.updated_by_id if row is not None else None,
        "updated_at": row.updated_at if row is not None else None,
    }


# The levels change a few times a year and every list shows them: kept a while, and
# forgotten when a level set here commits.
risk_levels_cache = TTLCache("directory.risk_levels")


def risk_levels():
    """``{code: level}`` of every country above green, read once per request at most.

    Every badge of a page asks this; the first reads the kept levels, or asks the database
    (one statement), the others read what it kept on :data:`flask.g`, so a page's
    statements do not grow with its rows.
    """
    if has_request_context() and "risk_levels" in g:
        return g.risk_levels
    levels = risk_levels_cache.get_or_set(None, lambda: dict(db.session.execute(
        sa.select(Country.code, Country.risk_level).where(Country.risk_level != "green")
    ).all()))[0]
    if has_request_context():
        g.risk_levels = levels
    return levels


# Requirement rules -------------------------------------------------------------------------
RULE_CODE = re.compile(r"^[a-z0-9_]{1,40}$")


def rule_problems(*, code, name, direction, min_days, min_risk_level, purposes, document_kind,
                  opinion_kind, blocks):
    """What refuses these values of a requirement rule, as ``{field: message}``.

    Several rules may share a code (two default rules ask for a security opinion): the code
    names what is required, not the rule.
    """
    problems = {}
    if not code or not RULE_CODE.match(code):
        problems["code"] = _l(
            "Use 1 to 40 lowercase letters, digits or underscores, such as host_agreement."
        )
    if not (name or "").strip():
        problems["name"] = _l("Enter a name.")
    elif len(name.strip()) > 200:
        problems["name"] = _l("Use at most 200 characters.")
    if direction not in (None, *DIRECTIONS):
        problems["direction"] = _l("Choose incoming, outgoing or either.")
    if min_days is not None and (isinstance(min_days, bool) or not isinstance(min_days, int)
                                 or min_days < 1):
        problems["min_days"] = _l("Enter a number of days of 1 or more, or leave it empty.")
    if min_risk_level not in (None, *RISK_LEVELS):
        problems["min_risk_level"] = _l("Choose a risk level, or none.")
    unknown = [purpose for purpose in purposes or () if purpose not in PURPOSES]
    if unknown:
        problems["purposes"] = _l("Choose purposes from the list.")
    if document_kind not in (None, *DOCUMENT_KINDS):
        problems["document_kind"] = _l("Choose a kind of document from the list.")
    if opinion_kind not in (None, *OPINION_KINDS):
        problems["opinion_kind"] = _l("Choose a kind of opinion from the list.")
    if (document_kind is None) == (opinion_kind is None):
        problems.setdefault("document_kind", _l(
            "A rule requires exactly one thing: a kind of document or a kind of opinion."
        ))
    if blocks not in BLOCKED_STEPS:
        problems["blocks"] = _l("Choose the step it must be met before.")
    return problems


def save_rule(rule, *, code, name, direction, min_days, min_risk_level, non_eu_national,
              host_restricted, host_joint_unit_director, purposes, document_kind, opinion_kind,
              blocks, active, actor=None):
    """Write these values on ``rule`` (new or not) and add it to the session."""
    values = dict(code=code, name=name, direction=direction or None, min_days=min_days,
                  min_risk_level=min_risk_level or None, purposes=list(purposes or ()),
                  document_kind=document_kind or None, opinion_kind=opinion_kind or None,
                  blocks=blocks)
    _refuse(rule_problems(**values))
    before = audit.snapshot("requirement_rule", rule)
    rule.code = values["code"]
    rule.name = values["name"].strip()
    rule.direction = values["direction"]
    rule.min_days = min_days
    rule.min_risk_level = values["min_risk_level"]
    rule.non_eu_national = bool(non_eu_national)
    rule.host_restricted = bool(host_restricted)
    rule.host_joint_unit_director = bool(host_joint_unit_director)
    rule.purposes = ",".join(purpose for purpose in PURPOSES if purpose in values["purposes"])
    rule.document_kind = values["document_kind"]
    rule.opinion_kind = values["opinion_kind"]
    rule.blocks = blocks
    rule.active = bool(active)
    db.session.add(rule)
    db.session.flush()
    audit.record_change(actor, "requirement_rule", rule, before)
    return rule


def set_rule_active(rule, active, actor=None):
    """Switch ``rule`` on or off: a rule is never deleted, so its past stays readable."""
    before = audit.snapshot("requirement_rule", rule)
    rule.active = bool(active)
    db.session.flush()
    audit.record_change(actor, "requirement_rule", rule, before)
    return rule
