"""Each kind of import: how a row is checked, matched with a stored row, and written.

A row is checked by the rules the forms use (``directory.services``' ``*_problems`` and
``save_*``, ``applications.validation``), so an import refuses what a form would. Its
outcome says whether it would create a row, update one (matched by the stable key of
``columns.KEYS``), leave one unchanged, or be refused with a message per column. Writes
go through the directory's services, which record the audit; a past application gets one
``import`` event naming the file.
"""

import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker.applications.models import (
    COST_KINDS, FUNDING_LABELS, PURPOSE_LABELS, Application, CostItem, Event, ReferenceCounter,
)
from tracker.applications.services import budget_committed
from tracker.applications.validation import (
    application_problems, changes_between, columns_of, current_data, values_from,
)
from tracker.applications.workflow import EDITABLE, GRANTED, PENDING, STATUS_LABELS
from tracker.audit import services as audit
from tracker.auth.models import (
    CATEGORIES, CATEGORY_LABELS, ROLE_LABELS, User, UserRole, name_only,
)
from tracker.auth.services import normalise_email, user_by_email
from tracker.core.models import utcnow
from tracker.directory import services as directory
from tracker.directory.models import (
    DIRECTION_LABELS, LAB_KIND_LABELS, MAX_STAY_DAYS, Laboratory, Programme,
)
from tracker.extensions import db
from tracker.imports.cells import Cells
from tracker.imports.columns import KEYS

SEVERAL_PROGRAMMES = _l("Several programmes have this name: rename one first.")
NO_LABORATORY = _l("No laboratory has this acronym.")
REFERENCE = re.compile(r"^MOB-(\d{4})-(\d{6})$")
# An imported person signs in once the office gives them a password (or through single
# sign-on): this hash matches no password.
NO_PASSWORD = "!imported"
# Fields of the application rules, as the columns of an import name them.
APPLICATION_COLUMNS = {"programme_id": "programme", "home_laboratory_id": "home_laboratory",
                       "host_laboratory_id": "host_laboratory"}
# The columns of each kind that name a person by email, read for a whole batch at once.
EMAIL_COLUMNS = {"laboratories": ("director_email",), "people": ("email",), "programmes": (),
                 "applications": ("applicant_email",)}


@dataclass
class Outcome:
    """What a row would do: ``create``, ``update``, ``unchanged`` or ``refuse``."""

    action: str
    problems: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    existing: object = None


class Context:
    """What the rows of one run share: who imports, from which file, the keys seen so far
    (a second row with the same key is refused), and the rows the current batch names,
    read by :func:`prefetch` in a few statements and let go by :meth:`forget`."""

    def __init__(self, kind, actor, source):
        self.kind = kind
        self.actor = actor
        self.source = source
        self.seen = {}
        self.laboratories = {}
        self.programmes = {}
        self.committed = {}
        self.references = {}
        self.people = {}
        self.applications = {}

    def forget(self):
        """Let go of the batch's rows (memory stays flat): the next batch reads its own,
        as they may have changed with this one."""
        self.laboratories.clear()
        self.programmes.clear()
        self.people.clear()
        self.applications.clear()

    def laboratories_named(self, acronym, country=None):
        key = (acronym, country)
        if key not in self.laboratories:
            query = sa.select(Laboratory).where(Laboratory.acronym == acronym)
            if country:
                query = query.where(Laboratory.country == country)
            self.laboratories[key] = db.session.scalars(query.limit(3)).all()
        return self.laboratories[key]

    def person(self, email):
        """The account of ``email`` (None when there is none): read with the batch by
        :func:`prefetch`, alone only for an address it did not foresee."""
        if email not in self.people:
            self.people[email] = user_by_email(email)
        return self.people[email]

    def application(self, reference):
        """The stored application of ``reference`` (None when there is none), as
        :meth:`person` reads it."""
        if reference not in self.applications:
            self.applications[reference] = db.session.scalar(
                sa.select(Application).where(Application.reference == reference))
        return self.applications[reference]

    def programmes_named(self, name):
        if name not in self.programmes:
            self.programmes[name] = db.session.scalars(
                sa.select(Programme).where(Programme.name == name).limit(2)).all()
        return self.programmes[name]

    def budget_used(self, programme):
        if programme.id not in self.committed:
            self.committed[programme.id] = Decimal(budget_committed(programme.id))
        return self.committed[programme.id]


def prefetch(kind, rows, context):
    """Read the stored rows that a batch of ``rows`` names by key (the people of its email
    columns, the applications of its references) in one statement each, instead of one
    per row: the checks then find them in ``context``."""
    emails = {normalise_email(row.get(code)) for row in rows for code in EMAIL_COLUMNS[kind]}
    emails.discard("")
    if emails:
        context.people.update(dict.fromkeys(emails))
        query = sa.select(User).where(User.email.in_(emails))
        if kind != "people":
            # Roles and directed units matter to a person's own row only: read on demand.
            query = query.options(*name_only())
        for person in db.session.scalars(query):
            context.people[person.email] = person
    if kind == "applications":
        references = {(row.get("reference") or "").strip() for row in rows} - {""}
        context.applications.update(dict.fromkeys(references))
        for application in db.session.scalars(
                sa.select(Application).where(Application.reference.in_(references))
                .options(selectinload(Application.cost_items))):
            context.applications[application.reference] = application


def check_row(kind, row, context, line):
    """The :class:`Outcome` of ``row`` (``{code: text}``), line ``line`` of the file."""
    cells = Cells(row)
    values, existing = CHECKS[kind](cells, context)
    key = tuple(str(values.get(code) or "").lower() for code in KEYS[kind])
    if not cells.problems and all(key):
        if key in context.seen:
            cells.refuse(KEYS[kind][0], _l("Row %(row)d of the file has the same key already.",
                                           row=context.seen[key]))
        else:
            context.seen[key] = line
    if cells.problems:
        return Outcome("refuse", cells.problems)
    if existing is None:
        return Outcome("create", values=values)
    if _unchanged(kind, existing, values):
        return Outcome("unchanged", values=values, existing=existing)
    return Outcome("update", values=values, existing=existing)


def write_batch(kind, outcomes, context):
    """Write a batch's rows whose outcome is ``create`` or ``update``; flushes, never
    commits. The new people and applications go to the database together, a few multi-row
    statements for the batch (:data:`CREATES`); the rest row by row, through the services."""
    created = [WRITES[kind](outcome.values, outcome.existing, context) for outcome in outcomes]
    db.session.flush()
    created = [row for row in created if row is not None]
    if created:
        CREATES[kind](created, context)
    advance_reference_counters(context)


def _ids_of(column, keys, key_column):
    """``{key: id}`` of the rows just inserted, in one statement."""
    return dict((key, ident) for ident, key in db.session.execute(
        sa.select(column, key_column).where(key_column.in_(keys))))


def _unchanged(kind, existing, values):
    if kind == "applications":
        return _application_snapshot(existing) == values["snapshot"]
    subject = {"laboratories": "laboratory", "people": "user", "programmes": "programme"}[kind]
    before = audit.snapshot(subject, existing)
    return all(_same(values[name], before[name]) for name in before if name in values)


def _same(new, old):
    """A value of a row against the audit's snapshot of it (a reference is compared by id)."""
    if isinstance(old, dict) and "id" in old:
        old = old["id"]
    return audit.json_value(new) == old


def _one(cells, code, rows, unknown, several):
    if len(rows) > 1:
        cells.refuse(code, several)
    elif not rows:
        cells.refuse(code, unknown)
    return rows[0] if len(rows) == 1 else None


# Laboratories ------------------------------------------------------------------------------
def _check_laboratory(cells, context):
    values = {
        "name": cells.text("name", 200, required=True),
        "acronym": cells.text("acronym", 30, required=True),
        "kind": cells.choice("kind", LAB_KIND_LABELS),
        "institution": cells.text("institution", 200),
        "city": cells.text("city", 100),
        "country": cells.country("country"),
        "restricted_zone": cells.yes_no("restricted_zone", False),
    }
    director = None
    if cells.raw("director_email"):
        director = context.person(cells.email("director_email") or "")
        if director is None:
            cells.refuse("director_email", _l("Nobody has this email address: import the "
                                              "people first, then the laboratories again."))
    values["director"] = director
    values["director_id"] = director.id if director is not None else None
    if values["kind"] and values["country"]:
        for name, message in directory.laboratory_problems(
                values["kind"], values["country"], director is not None, "director_email",
                values["restricted_zone"]).items():
            cells.refuse(name, message)
    existing = None
    if values["acronym"] and values["country"]:
        existing = db.session.scalar(sa.select(Laboratory).where(
            Laboratory.acronym == values["acronym"], Laboratory.country == values["country"]
        ).limit(1))
    return values, existing


def _write_laboratory(values, existing, context):
    directory.save_laboratory(
        existing or Laboratory(), name=values["name"], acronym=values["acronym"],
        kind=values["kind"], institution=values["institution"], city=values["city"],
        country=values["country"], director=values["director"],
        restricted_zone=values["restricted_zone"], actor=context.actor)


# People ------------------------------------------------------------------------------------
def _check_person(cells, context):
    email = cells.email("email")
    values = {
        "email": email,
        "full_name": cells.text("full_name", 200, required=True),
        "nationality": cells.country("nationality"),
        "category": cells.choice("category", CATEGORY_LABELS, default="researcher"),
        "roles": cells.choices("roles", ROLE_LABELS, default=("researcher",)),
        "active": cells.yes_no("active", True),
        "home_laboratory_id": None,
    }
    acronym = cells.raw("home_laboratory")
    if acronym:
        laboratory = _one(cells, "home_laboratory",
                          context.laboratories_named(acronym, cells.country(
                              "home_laboratory_country", required=False)),
                          NO_LABORATORY,
                          _l("Several laboratories have this acronym: give its country in "
                             "the home laboratory's country column."))
        values["home_laboratory_id"] = laboratory.id if laboratory is not None else None
    existing = context.person(email) if email else None
    if existing is not None:
        # The row's email found this very account: no other one has it (no ``email=``).
        for name, message in directory.account_problems(
                context.actor, existing, roles=values["roles"],
                active=values["active"]).items():
            cells.refuse(name, message)
    return values, existing


def _write_person(values, existing, context):
    """Update ``existing`` through the directory's service; a new person is returned, for
    :func:`_create_people` to insert with the batch's others."""
    if existing is not None:
        directory.update_user(existing, context.actor, **values)
        return None
    return values


def _create_people(people, context):
    """Insert new people, their roles and the audit of their creation: three multi-row
    statements for the batch."""
    now = utcnow()
    db.session.execute(sa.insert(User), [{
        "email": person["email"], "full_name": person["full_name"],
        "category": person["category"], "nationality": person["nationality"],
        "home_laboratory_id": person["home_laboratory_id"], "active": person["active"],
        "password_hash": NO_PASSWORD + secrets.token_hex(8), "email_confirmed_at": now,
    } for person in people])
    ids = _ids_of(User.id, [person["email"] for person in people], User.email)
    db.session.execute(sa.insert(UserRole), [
        {"user_id": ids[person["email"]], "role": role}
        for person in people for role in person["roles"]])
    audit.record_creations(context.actor, "user", [_saved_person(person, ids[person["email"]])
                                                   for person in people])


def _saved_person(person, ident):
    """A stand-in of an inserted person, as the audit reads one (not in the session)."""
    saved = User(id=ident, **{name: person[name] for name in (
        "email", "full_name", "category", "nationality", "home_laboratory_id", "active")})
    saved.roles = person["roles"]
    return saved


# Programmes --------------------------------------------------------------------------------
def _check_programme(cells, context):
    values = {
        "name": cells.text("name", 200, required=True),
        "direction": cells.choice("direction", DIRECTION_LABELS),
        "opens_on": cells.day("opens_on"),
        "closes_on": cells.day("closes_on"),
        "min_days": cells.whole("min_days", 1, 1, MAX_STAY_DAYS),
        "max_days": cells.whole("max_days", MAX_STAY_DAYS, 1, MAX_STAY_DAYS),
        "budget": cells.amount("budget", required=True),
        "eligible_categories": cells.choices("eligible_categories", CATEGORY_LABELS,
                                             default=CATEGORIES),
        "description": cells.text("description", 5000),
        "active": cells.yes_no("active", True),
    }
    for name, message in directory.programme_problems(
            values["opens_on"], values["closes_on"], values["min_days"],
            values["max_days"]).items():
        cells.refuse(name, message)
    rows = context.programmes_named(values["name"]) if values["name"] else []
    if len(rows) > 1:
        cells.refuse("name", SEVERAL_PROGRAMMES)
    return values, rows[0] if len(rows) == 1 else None


def _write_programme(values, existing, context):
    directory.save_programme(existing or Programme(), actor=context.actor, **values)


# Past applications -------------------------------------------------------------------------
def _check_application(cells, context):
    reference = cells.text("reference", 20, required=True)
    if reference and not REFERENCE.match(reference):
        cells.refuse("reference", _l("Write a reference as MOB-YYYY-NNNNNN."))
    status = cells.choice("status", STATUS_LABELS)
    direction = cells.choice("direction", DIRECTION_LABELS)
    applicant = None
    email = cells.email("applicant_email")
    if email:
        applicant = context.person(email)
        if applicant is None:
            cells.refuse("applicant_email", _l("Nobody has this email address: import the "
                                               "people first."))
    data = {
        "funding": cells.choice("funding", FUNDING_LABELS, default=""),
        "programme_id": _programme_id(cells, context),
        "budget_line": cells.raw("budget_line"),
        "home_laboratory_id": _laboratory_id(cells, context, "home_laboratory", applicant),
        "host_laboratory_id": _laboratory_id(cells, context, "host_laboratory", None,
                                             cells.country("host_country", required=False)),
        "title": cells.raw("title"),
        "purpose": cells.choice("purpose", PURPOSE_LABELS),
        "start_date": cells.day("start_date"),
        "end_date": cells.day("end_date"),
        "requested_amount": cells.amount("requested_amount") or Decimal("0.00"),
        "justification": "",
        "cost_items": [
            {"kind": kind, "description": "", "amount": amount}
            for kind in COST_KINDS
            if (amount := cells.amount(f"cost_{kind}"))
        ],
    }
    awarded = cells.amount("awarded_amount")
    existing = context.application(reference) if reference else None
    if cells.problems or applicant is None or direction is None:
        return {"reference": reference}, existing
    values = values_from(data, direction)
    # A past stay left from the unit the row names, which need not be the person's today.
    for name, messages in application_problems(values, applicant, past_allowed=True,
                                               home_is_current_unit=False).items():
        cells.refuse(_column_of(name, values), messages[0])
    if status in GRANTED:
        _check_budget(cells, context, values["programme"], awarded, existing)
    return {
        "reference": reference, "status": status, "direction": direction,
        "applicant": applicant, "awarded_amount": awarded, "checked": values,
        "submitted_at": cells.moment("submitted_at"),
        "snapshot": {**_json(current_data_of(values)), "status": status,
                     "direction": direction, "applicant_id": applicant.id,
                     "awarded_amount": _json(awarded)},
    }, existing


def _column_of(field_name, values):
    """The import column of a field the application rules name (``cost_items.2.amount`` is
    the column of that item's kind)."""
    parts = field_name.split(".")
    if parts[0] == "cost_items" and len(parts) > 1:
        return f"cost_{values['cost_items'][int(parts[1])]['kind']}"
    return APPLICATION_COLUMNS.get(field_name, field_name)


def _programme_id(cells, context):
    name = cells.raw("programme")
    if not name:
        return None
    programme = _one(cells, "programme", context.programmes_named(name),
                     _l("No programme has this name: import the programmes first."),
                     SEVERAL_PROGRAMMES)
    return programme.id if programme is not None else None


def _laboratory_id(cells, context, code, applicant, country=None):
    acronym = cells.raw(code)
    if not acronym:
        return None
    rows = context.laboratories_named(acronym, country)
    if applicant is not None and len(rows) > 1:
        # The applicant's own unit, among laboratories of the same acronym.
        rows = [row for row in rows if row.id == applicant.home_laboratory_id] or rows
    laboratory = _one(cells, code, rows, NO_LABORATORY,
                      _l("Several laboratories have this acronym."))
    return laboratory.id if laboratory is not None else None


def _check_budget(cells, context, programme, awarded, existing):
    """The awarded amounts of a programme's granted stays never exceed its budget: the run
    counts those it imports on top of those stored."""
    if programme is None or awarded is None:
        return
    counted = (existing.awarded_amount or 0) if existing is not None and \
        existing.status in GRANTED and existing.programme_id == programme.id else 0
    used = context.budget_used(programme) - counted + awarded
    if used > programme.budget:
        cells.refuse("awarded_amount", _l("The awarded amounts of this programme would exceed "
                                          "its budget."))
    else:
        context.committed[programme.id] = used


def current_data_of(values):
    """The editable fields of checked ``values``, as :func:`current_data` gives them."""
    data = columns_of(values)
    data["cost_items"] = values["cost_items"]
    return data


def _json(value):
    return audit.json_value(value)


def _application_snapshot(application):
    return {**_json(current_data(application)), "status": application.status,
            "direction": application.direction, "applicant_id": application.applicant_id,
            "awarded_amount": _json(application.awarded_amount)}


def _write_application(values, existing, context):
    """Update ``existing`` (its event names the changes); a new application is returned,
    for :func:`_create_applications` to insert with the batch's others."""
    year, number = REFERENCE.match(values["reference"]).groups()
    context.references[int(year)] = max(context.references.get(int(year), 0), int(number))
    checked = values["checked"]
    columns = _application_columns(values)
    if existing is None:
        return {**columns, "reference": values["reference"], "version": 1,
                "cost_items": checked["cost_items"]}
    before = current_data(existing)
    from_status = existing.status
    for name, value in columns.items():
        if name != "submitted_at" or value is not None:
            setattr(existing, name, value)
    existing.version += 1
    existing.cost_items = [
        CostItem(position=index, kind=item["kind"], description=item["description"],
                 amount=item["amount"]) for index, item in enumerate(checked["cost_items"])
    ]
    existing.events.append(Event(
        actor_id=getattr(context.actor, "id", None), action="import", from_status=from_status,
        to_status=values["status"], comment=context.source,
        changes=changes_between(before, current_data(existing)) or None))
    return None


def _application_columns(values):
    return {**columns_of(values["checked"]), "status": values["status"],
            "direction": values["direction"], "applicant_id": values["applicant"].id,
            "awarded_amount": values["awarded_amount"], "submitted_at": values["submitted_at"],
            # Someone acts next on a pending request, from now; a settled one waits on nobody.
            "waiting_since": utcnow() if values["status"] in PENDING | EDITABLE else None}


def _create_applications(applications, context):
    """Insert new applications, their cost items and their import events: three multi-row
    statements for the batch."""
    db.session.execute(sa.insert(Application), [
        {name: value for name, value in application.items() if name != "cost_items"}
        for application in applications])
    ids = _ids_of(Application.id, [application["reference"] for application in applications],
                  Application.reference)
    items = [{"application_id": ids[application["reference"]], "position": index,
              "kind": item["kind"], "description": item["description"],
              "amount": item["amount"]}
             for application in applications
             for index, item in enumerate(application["cost_items"])]
    if items:
        db.session.execute(sa.insert(CostItem), items)
    db.session.execute(sa.insert(Event), [
        {"application_id": ids[application["reference"]],
         "actor_id": getattr(context.actor, "id", None), "action": "import",
         "from_status": None, "to_status": application["status"], "comment": context.source,
         "changes": None}
        for application in applications])


def advance_reference_counters(context):
    """Move each year's reference counter past the imported references, so that the next
    application of that year never takes one of theirs."""
    for year, number in context.references.items():
        counter = db.session.get(ReferenceCounter, year)
        if counter is None:
            db.session.add(ReferenceCounter(year=year, last_value=number))
        elif counter.last_value < number:
            counter.last_value = number
    context.references.clear()
    db.session.flush()


CHECKS = {"laboratories": _check_laboratory, "people": _check_person,
          "programmes": _check_programme, "applications": _check_application}
WRITES = {"laboratories": _write_laboratory, "people": _write_person,
          "programmes": _write_programme, "applications": _write_application}
# The kinds whose new rows are inserted together (the others' writes return None).
CREATES = {"people": _create_people, "applications": _create_applications}
