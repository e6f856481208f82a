"""The list's filters: read and validated from the query string, and turned into SQL.

- :func:`apply_filters` is the one place where filters (status, direction, funding,
  programme, laboratory, host country, year, duration, text) become WHERE clauses: the list
  page, its exports, the dashboard and the API's list and statistics all call it, each after
  reading and validating its own parameters in its own way.
- :class:`ListFilters` reads the list page's query string against allow-lists (anything
  else is a 400), and carries its sort and keyset position.
- :func:`filter_choices` offers what the filter form lists.

Every SELECT given to these starts from ``visible_applications(user)``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import abort

from tracker.applications.models import (
    DURATION_CATEGORIES, FUNDINGS, Application, duration_days_expression,
    in_duration_category,
)
from tracker.applications.workflow import STATUSES
from tracker.auth.models import User
from tracker.core.countries import country_name
from tracker.core.paging import MAX_ID, InvalidCursor, decode_cursor
from tracker.core.text import folded_contains, lowered_contains
from tracker import access
from tracker.access import visible_applications
from tracker.directory.models import DIRECTIONS, Laboratory, Programme
from tracker.extensions import db
from tracker.core.cache import TTLCache

DURATIONS = tuple(category for category, _longest in DURATION_CATEGORIES)
# The sorts the list offers, each served by an index on (column, id) (reports/models.py),
# and their types. A sort without one (status, for instance) would sort every visible row
# on each page: it is not offered, and an unknown sort falls back to the default.
SORTS = {
    "created_at": (Application.created_at, datetime),
    "reference": (Application.reference, str),
    "title": (Application.title, str),
    "start_date": (Application.start_date, date),
    "end_date": (Application.end_date, date),
}
DEFAULT_SORT = ("created_at", "desc")
MAX_QUERY_LENGTH = 100
# The list's filters, in the order of its cache keys; sort and order only arrange the rows.
CRITERIA = ("status", "direction", "funding", "programme", "laboratory", "country", "year",
            "duration", "q")
# A reference, or its beginning, as people type one (in any case): MOB-2024-0001...
REFERENCE_START = re.compile(r"MOB-[0-9-]*")


def apply_filters(query, *, status=None, direction=None, funding=None, programme=None,
                  laboratory=None, country=None, year=None, duration=None, q=None):
    """``query`` (a SELECT of applications) narrowed by each filter given.

    A filter left at None (or empty) does not narrow. The values must be valid already
    (each caller validates its parameters and answers its own errors): ``funding`` is
    ``programme`` (a call) or ``unit`` (a mission on the unit's funds), ``laboratory`` is
    the home or the host laboratory, ``country`` the host laboratory's (upper-case ISO
    code), ``year`` the year the stay starts, ``duration`` a duration category, and ``q``
    the text of :func:`text_search`.
    """
    conditions = []
    if status:
        conditions.append(Application.status == status)
    if direction:
        conditions.append(Application.direction == direction)
    if funding:
        conditions.append(Application.funding == funding)
    if programme:
        conditions.append(Application.programme_id == programme)
    if laboratory:
        conditions.append(sa.or_(Application.home_laboratory_id == laboratory,
                                 Application.host_laboratory_id == laboratory))
    if country:
        conditions.append(Application.host_laboratory_id.in_(
            sa.select(Laboratory.id).where(Laboratory.country == country)
        ))
    if year:
        # A range, not extract(year): the start_date indexes serve it.
        conditions += [Application.start_date >= date(year, 1, 1),
                       Application.start_date < date(year + 1, 1, 1)]
    if duration:
        days = duration_days_expression(db.engine.dialect.name)
        conditions.append(in_duration_category(days, duration))
    if q:
        conditions.append(text_search(q))
    return query.where(*conditions)


def text_search(q):
    """SQL condition: the applications that the text ``q`` finds, taken literally.

    A reference or its beginning (``mob-2024-00``, in any case) finds the applications
    whose reference starts so; any other text is looked for, ignoring case and accents
    (``pétit`` finds ``Petit`` and ``petit`` finds ``Pétit``), in titles, references and
    applicants' names and e-mail addresses.

    Each comparison is written as the expression of its trigram index on PostgreSQL
    (tracker/core/search_indexes.py), so that the people are found through an index rather
    than read one by one for each search.
    """
    start = q.upper()
    if REFERENCE_START.fullmatch(start):
        # References are stored upper-case; the pattern holds no wildcard to escape. A
        # prefix also spares the database a search through every title and name.
        return Application.reference.like(start + "%")
    return sa.or_(
        folded_contains(Application.title, q),
        lowered_contains(Application.reference, q),
        Application.applicant_id.in_(
            sa.select(User.id).where(sa.or_(folded_contains(User.full_name, q),
                                            lowered_contains(User.email, q)))
        ),
    )


def _one_of(args, name, allowed):
    value = args.get(name, "")
    if value and value not in allowed:
        abort(400)
    return value or None


def _integer(args, name, low=1, high=MAX_ID):
    value = args.get(name, "")
    if not value:
        return None
    # isdigit() alone lets through digits int() refuses, such as "²".
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        abort(400)
    return int(value)


@dataclass
class ListFilters:
    """The list's filters, sort and cursor, as read from the query string."""

    status: str = None
    direction: str = None
    funding: str = None
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
            funding=_one_of(args, "funding", FUNDINGS),
            programme=_integer(args, "programme"),
            laboratory=_integer(args, "laboratory"),
            year=_integer(args, "year", 1900, 2999),
            duration=_one_of(args, "duration", DURATIONS),
            # An unknown sort (an old link, a sort no longer offered) shows the default.
            sort=args.get("sort") if args.get("sort") in SORTS else DEFAULT_SORT[0],
            order=_one_of(args, "order", ("asc", "desc")) or None,
        )
        country = args.get("country", "")
        if country:
            if len(country) != 2 or not country.isalpha():
                abort(400)
            filters.country = country.upper()
        q = args.get("q", "").strip()
        # PostgreSQL text cannot hold NUL: such a search would fail in the driver.
        if len(q) > MAX_QUERY_LENGTH or "\x00" in q:
            abort(400)
        filters.q = q or None
        if args.get("sort") not in SORTS:
            filters.order = None  # an unknown sort's order goes with it: the default view
        if filters.order is None:
            filters.order = DEFAULT_SORT[1] if filters.sort == DEFAULT_SORT[0] else "asc"
        if args.get("after") and args.get("before"):
            abort(400)
        if args.get("after"):
            filters.after = _keyset_position(args["after"], filters.sort)
        if args.get("before"):
            filters.before = _keyset_position(args["before"], filters.sort)
        filters.raw = {name: args[name] for name in CRITERIA if args.get(name)}
        if args.get("sort") in SORTS:
            filters.raw.update(sort=filters.sort, order=filters.order)
        return filters

    def criteria(self):
        """The filters that decide which rows match (not the order or the page), by name."""
        return {name: getattr(self, name) for name in CRITERIA}

    def apply(self, query):
        """``query`` (a SELECT of applications) narrowed by these filters."""
        return apply_filters(query, **self.criteria())

    def key(self):
        """:meth:`criteria` as a tuple, for cache keys."""
        return tuple(self.criteria().values())

    def ordering(self, reverse=False):
        """ORDER BY clauses of the list's order (the opposite one with ``reverse``); the id
        breaks ties, so that a keyset position is one row."""
        column = SORTS[self.sort][0]
        if (self.order == "desc") != reverse:
            return column.desc(), Application.id.desc()
        return column.asc(), Application.id.asc()

    def url_args(self, **changes):
        """The query string of this view, with ``changes`` (None removes a key)."""
        args = dict(self.raw)
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        return args


def _keyset_position(token, sort):
    """(sort value, id) of a cursor of a list sorted by ``sort``; a cursor that does not
    parse is the client's error: 400."""
    try:
        cursor = decode_cursor(token, SORTS[sort][1])
    except InvalidCursor:
        abort(400)
    return cursor.sort_value, cursor.row_id


def visible_filtered(user, filters):
    """A SELECT of the applications ``user`` may see that match ``filters``."""
    return filters.apply(visible_applications(user))


def where_clause(applications):
    """The WHERE clause of ``applications`` (a SELECT of applications), to reuse with
    other columns and joins; ``true`` when it has none (an admin's, unfiltered)."""
    criteria = applications.whereclause
    return sa.true() if criteria is None else criteria


# Filter choices ------------------------------------------------------------------------------
choices_cache = TTLCache("reports.filter_choices")


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
