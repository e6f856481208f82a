"""The list's filters: read and validated from the query string, and applied to a SELECT.

:class:`ListFilters` reads the list's query string against allow-lists (anything else is a
400); its :meth:`~ListFilters.apply` narrows a SELECT that starts from
``visible_applications(user)``. :func:`filter_choices` offers what the filter form lists.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import abort

from tracker.applications.models import (
    DURATION_CATEGORIES, Application, duration_days_expression, in_duration_category,
)
from tracker.applications.workflow import STATUSES
from tracker.auth.models import User
from tracker.core.countries import country_name
from tracker.core.paging import MAX_ID, InvalidCursor, decode_cursor
from tracker import access
from tracker.access import visible_applications
from tracker.directory.models import DIRECTIONS, Laboratory, Programme
from tracker.extensions import db
from tracker.reports.cache import TTLCache

DURATIONS = tuple(category for category, _longest in DURATION_CATEGORIES)
# Sortable columns (the visible ones that have an index or a cheap order) and their types.
SORTS = {
    "created_at": (Application.created_at, datetime),
    "reference": (Application.reference, str),
    "title": (Application.title, str),
    "status": (Application.status, str),
    "start_date": (Application.start_date, date),
    "end_date": (Application.end_date, date),
}
DEFAULT_SORT = ("created_at", "desc")
MAX_QUERY_LENGTH = 100


def _one_of(args, name, allowed):
    value = args.get(name, "")
    if value and value not in allowed:
        abort(400)
    return value or None


def _integer(args, name, low=1, high=MAX_ID):
    value = args.get(name, "")
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        abort(400)
    return int(value)


@dataclass
class ListFilters:
    """The list's filters, sort and cursor, as read from the query string."""

    status: str = None
    direction: str = None
    programme: int = None
    laboratory: int = None
    country: str = None
    year: int = None
    duration: str = None
    q: str = None
    sort: str = DEFAULT_SORT[0]
    order: str = DEFAULT_SORT[1]
    after: tuple = None
    before: tuple = None
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args):
        """Validate ``args``; any value outside the allow-lists answers 400."""
        filters = cls(
            status=_one_of(args, "status", STATUSES),
            direction=_one_of(args, "direction", DIRECTIONS),
            programme=_integer(args, "programme"),
            laboratory=_integer(args, "laboratory"),
            year=_integer(args, "year", 1900, 2999),
            duration=_one_of(args, "duration", DURATIONS),
            sort=_one_of(args, "sort", SORTS) or DEFAULT_SORT[0],
            order=_one_of(args, "order", ("asc", "desc")) or None,
        )
        country = args.get("country", "")
        if country:
            if len(country) != 2 or not country.isalpha():
                abort(400)
            filters.country = country.upper()
        q = args.get("q", "").strip()
        if len(q) > MAX_QUERY_LENGTH:
            abort(400)
        filters.q = q or None
        if filters.order is None:
            filters.order = DEFAULT_SORT[1] if filters.sort == DEFAULT_SORT[0] else "asc"
        if args.get("after") and args.get("before"):
            abort(400)
        if args.get("after"):
            filters.after = _keyset_position(args["after"], filters.sort)
        if args.get("before"):
            filters.before = _keyset_position(args["before"], filters.sort)
        filters.raw = {
            name: args[name]
            for name in ("status", "direction", "programme", "laboratory", "country", "year",
                         "duration", "q", "sort", "order")
            if args.get(name)
        }
        return filters

    def apply(self, query):
        """``query`` (a SELECT of applications) narrowed by these filters."""
        if self.status:
            query = query.where(Application.status == self.status)
        if self.direction:
            query = query.where(Application.direction == self.direction)
        if self.programme:
            query = query.where(Application.programme_id == self.programme)
        if self.laboratory:
            query = query.where(sa.or_(Application.home_laboratory_id == self.laboratory,
                                       Application.host_laboratory_id == self.laboratory))
        if self.country:
            query = query.where(Application.host_laboratory_id.in_(
                sa.select(Laboratory.id).where(Laboratory.country == self.country)
            ))
        if self.year:
            query = query.where(Application.start_date >= date(self.year, 1, 1),
                                Application.start_date < date(self.year + 1, 1, 1))
        if self.duration:
            days = duration_days_expression(db.engine.dialect.name)
            query = query.where(in_duration_category(days, self.duration))
        if self.q:
            query = query.where(_text_search(self.q))
        return query

    def key(self):
        """The filters that decide which rows match (not the order or the page)."""
        return (self.status, self.direction, self.programme, self.laboratory, self.country,
                self.year, self.duration, self.q)

    def url_args(self, **changes):
        """The query string of this view, with ``changes`` (None removes a key)."""
        args = dict(self.raw)
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        return args


def _text_search(q):
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if q.upper().startswith("MOB-"):
        # References are upper-case and unique: a prefix match uses their index.
        return Application.reference.like(q.upper().replace("%", "") + "%")
    return sa.or_(
        Application.title.ilike(pattern, escape="\\"),
        Application.reference.ilike(pattern, escape="\\"),
        Application.applicant_id.in_(
            sa.select(User.id).where(User.full_name.ilike(pattern, escape="\\"))
        ),
    )


def _keyset_position(token, sort):
    """(sort value, id) of a cursor of a list sorted by ``sort``; a cursor that does not
    parse is the client's error: 400."""
    try:
        cursor = decode_cursor(token, SORTS[sort][1])
    except InvalidCursor:
        abort(400)
    return cursor.sort_value, cursor.row_id


def visible_filtered(user, filters):
    return filters.apply(visible_applications(user))



def where_clause(applications):
    """The WHERE clause of ``applications`` (a SELECT of applications), to reuse with
    other columns and joins; ``true`` when it has none (an admin's, unfiltered)."""
    criteria = applications.whereclause
    return sa.true() if criteria is None else criteria


# Filter choices ------------------------------------------------------------------------------
choices_cache = TTLCache()


def filter_choices(user):
    """Programmes, laboratories and host countries offered by the list's filter form.

    The directory changes rarely: the lists are kept for a minute in the process, per
    scope (all units for admins, their own laboratories for a director).
    """
    return choices_cache.get_or_set(access.visibility_scope(user), lambda: _load_filter_choices(user))[0]


def _load_filter_choices(user):
    programmes = db.session.execute(
        sa.select(Programme.id, Programme.name).order_by(Programme.opens_on.desc(), Programme.name)
    ).all()
    laboratories = db.session.execute(
        access.report_laboratories(user).order_by(Laboratory.acronym)
    ).all()
    countries = db.session.scalars(
        sa.select(Laboratory.country).where(Laboratory.kind != "unit").distinct()
        .order_by(Laboratory.country)
    ).all()
    # (value, label) pairs, ready for the form.
    return {
        "programmes": [(programme_id, name) for programme_id, name in programmes],
        "laboratories": [(lab_id, acronym or name) for lab_id, acronym, name in laboratories],
        "countries": [(code, country_name(code)) for code in countries],
    }
