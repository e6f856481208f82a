"""The queries behind the reports, each starting from ``visible_applications(user)``.

- :class:`ListFilters` reads and validates the list's query string (an allow-list: anything
  else is a 400), and applies it to a SELECT.
- :func:`page_of` pages by keyset (``WHERE (sort, id) < (:last_sort, :last_id)``), so the
  2,000th page costs what the first does; OFFSET would read and discard every row before it.
- :func:`approximate_count` caches counts and, on PostgreSQL, reads large ones from the
  planner's estimate: an exact count of hundreds of thousands of rows on every page view is
  the slowest part of a list, and nobody needs it to the unit.
- The dashboard functions aggregate in the database, one GROUP BY per figure.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased, joinedload, lazyload

from tracker.applications.models import Application
from tracker.applications.workflow import STATUSES
from tracker.auth.models import User
from tracker.core.countries import country_name
from tracker.core.paging import MAX_ID, InvalidCursor, decode_cursor, encode_cursor
from tracker import access
from tracker.access import visible_applications
from tracker.directory.models import DIRECTIONS, Laboratory, Programme
from tracker.extensions import db
from tracker.reports.cache import TTLCache

PER_PAGE = 50
DURATION_CATEGORIES = ("short", "medium", "long")
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
PENDING = ("submitted", "endorsed")
AWARDED = ("approved", "completed")


def days_expression(dialect_name):
    """``end_date - start_date`` in days, in the dialect at hand."""
    if dialect_name == "sqlite":
        return sa.func.julianday(Application.end_date) - sa.func.julianday(Application.start_date)
    return Application.end_date - Application.start_date


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
            duration=_one_of(args, "duration", DURATION_CATEGORIES),
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
            days = days_expression(db.engine.dialect.name)
            # Stored as end - start; the category counts both ends, hence the minus one.
            if self.duration == "short":
                query = query.where(days <= 29)
            elif self.duration == "medium":
                query = query.where(days > 29, days <= 364)
            else:
                query = query.where(days > 364)
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


# The applicant, without their own eager collections (roles, directed laboratories): a
# list never needs them, and selecting them would add two statements per page.
APPLICANT_ONLY = joinedload(Application.applicant).options(
    lazyload(User.role_rows), lazyload(User.directed_laboratories)
)
# Likewise the programme without its eligible categories.
PROGRAMME_ONLY = joinedload(Application.programme).lazyload(Programme.category_rows)


@dataclass
class Page:
    items: list
    next_cursor: str = None
    prev_cursor: str = None


def visible_filtered(user, filters):
    return filters.apply(visible_applications(user))


_list_columns_by_dialect = {}


def _list_columns():
    """Built once per dialect (aliasing is not free on every request)."""
    name = db.engine.dialect.name
    if name not in _list_columns_by_dialect:
        _list_columns_by_dialect[name] = _build_list_columns(name)
    return _list_columns_by_dialect[name]


def _build_list_columns(dialect_name):
    """The columns a list row shows, joined in the same statement (one query per page,
    whatever its length) and read as plain rows: building ORM objects for the five
    entities of each row cost more than the query itself."""
    home = aliased(Laboratory)
    host = aliased(Laboratory)
    days = days_expression(dialect_name)
    columns = (
        Application.id, Application.reference, Application.title, Application.direction,
        Application.status, Application.start_date, Application.end_date,
        Application.created_at,
        User.full_name.label("applicant_name"),
        Programme.name.label("programme_name"),
        home.acronym.label("home_acronym"), home.name.label("home_name"),
        host.acronym.label("host_acronym"), host.name.label("host_name"),
        host.country.label("host_country"),
        sa.case((days <= 29, "short"), (days <= 364, "medium"), else_="long")
        .label("duration_category"),
    )
    joins = (
        (User, User.id == Application.applicant_id),
        (Programme, Programme.id == Application.programme_id),
        (home, home.id == Application.home_laboratory_id),
        (host, host.id == Application.host_laboratory_id),
    )
    return columns, joins


def page_of(user, filters, per_page=PER_PAGE):
    """One page of the visible, filtered applications, by keyset, with relations joined."""
    column, _kind = SORTS[filters.sort]
    descending = filters.order == "desc"
    columns, joins = _list_columns()
    query = visible_filtered(user, filters).with_only_columns(*columns)
    for target, condition in joins:
        query = query.join(target, condition)
    key = sa.tuple_(column, Application.id)
    backwards = filters.before is not None
    cursor = filters.before or filters.after
    if cursor is not None:
        going_down = descending != backwards
        query = query.where(key < cursor if going_down else key > cursor)
    reverse_order = descending != backwards
    if reverse_order:
        query = query.order_by(column.desc(), Application.id.desc())
    else:
        query = query.order_by(column.asc(), Application.id.asc())
    rows = db.session.execute(query.limit(per_page + 1)).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    page = Page(rows)
    if rows:
        first, last = rows[0], rows[-1]
        has_next = more if not backwards else True
        has_prev = (more if backwards else cursor is not None)
        if has_next:
            page.next_cursor = encode_cursor(last.id, getattr(last, filters.sort))
        if has_prev:
            page.prev_cursor = encode_cursor(first.id, getattr(first, filters.sort))
    return page


# Counts --------------------------------------------------------------------------------------
EXACT_BELOW = 20_000
# Large counts are estimates anyway: kept twice as long as the other report figures.
count_cache = TTLCache(lifetime_factor=2)


@dataclass
class Count:
    value: int
    exact: bool


def approximate_count(query, scope=None):
    """How many rows ``query`` returns: exact when small, else an estimate ("about N").

    On PostgreSQL a large figure is the planner's estimate (one EXPLAIN, no rows read);
    elsewhere it is an exact count, rounded. Large figures are kept for two minutes in the
    process and always shown as estimates, since they may be that old; small counts are
    always exact and fresh. The key is ``scope`` when the caller knows what determines the
    SQL (the visibility scope and the filters), else the SQL and its parameters; both carry
    the visibility rules, so users never share a figure.
    """
    dialect = db.engine.dialect
    compiled = None
    if scope is None:
        compiled = _compiled(query)
        scope = (str(compiled), json.dumps(compiled.params, default=str, sort_keys=True))
    found = count_cache.get(scope)
    if found is not None:
        return Count(_round_estimate(found[0]), exact=False)
    compiled = compiled or _compiled(query)
    params = compiled.params
    total = None
    if dialect.name == "postgresql":
        plan = db.session.connection().exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + str(compiled), params
        ).scalar()
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate >= EXACT_BELOW:
            total = estimate
    if total is None:
        total = _exact_count(query)
        if total < EXACT_BELOW:
            # Small counts are cheap and are never kept: they must be exact and fresh.
            return Count(total, exact=True)
    count_cache.set(scope, total)
    return Count(_round_estimate(total), exact=False)


def kept_exact_count(query, scope):
    """The exact number of rows of ``query``; a large one may be kept for a minute or two.

    For the API's ``total``: always an exact figure, but counting hundreds of thousands of
    rows on every page would cost more than the page itself, so figures of at least
    ``EXACT_BELOW`` are kept under ``scope`` (visibility and filters). Small ones are fresh.
    """
    key = ("exact",) + tuple(scope)
    found = count_cache.get(key)
    if found is not None:
        return found[0]
    total = _exact_count(query)
    if total >= EXACT_BELOW:
        count_cache.set(key, total)
    return total


def _compiled(query):
    return query.order_by(None).compile(
        dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True}
    )


def _exact_count(query):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )


def _round_estimate(value):
    """Two significant figures: the estimate is not more precise than that."""
    if value < 100:
        return value
    digits = len(str(value)) - 2
    return round(value, -digits)


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


# Exports -------------------------------------------------------------------------------------
EXPORT_COLUMNS = ("reference", "title", "status", "direction", "programme", "applicant",
                  "applicant_email", "home_laboratory", "host_laboratory", "host_country",
                  "purpose", "start_date", "end_date", "duration_days", "requested_amount",
                  "awarded_amount", "submitted_at", "created_at")


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(column):
    """``column`` with an apostrophe in front when a spreadsheet would read it as a formula.

    Done in SQL so that every export path (PostgreSQL's COPY, the Python writer, XLSX)
    gets the same protection from one place.
    """
    return sa.case(
        (sa.func.substr(column, 1, 1).in_(FORMULA_TRIGGERS), sa.literal("'") + column),
        else_=column,
    )


def _utc_text(column):
    """A timestamp as ISO 8601 text in UTC, formatted by PostgreSQL (for COPY)."""
    return sa.func.to_char(sa.func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def export_query(user, filters, text_timestamps=False):
    """Plain rows (no ORM objects) for the exports, in the list's order.

    Text typed by people (titles, names, programme and laboratory names) is neutralised in
    SQL. With ``text_timestamps`` (PostgreSQL's COPY), timestamps come formatted as text.
    """
    home = aliased(Laboratory)
    host = aliased(Laboratory)
    criteria = visible_filtered(user, filters).whereclause
    column, _kind = SORTS[filters.sort]
    order = (column.desc(), Application.id.desc()) if filters.order == "desc" else (
        column.asc(), Application.id.asc())
    days = sa.cast(days_expression(db.engine.dialect.name) + 1, sa.Integer)
    submitted, created = Application.submitted_at, Application.created_at
    if text_timestamps:
        submitted, created = _utc_text(submitted), _utc_text(created)
    query = (
        sa.select(
            Application.reference, neutralised(Application.title), Application.status,
            Application.direction, neutralised(Programme.name), neutralised(User.full_name),
            neutralised(User.email), neutralised(home.acronym), neutralised(host.acronym),
            host.country, Application.purpose, Application.start_date, Application.end_date,
            days, Application.requested_amount, Application.awarded_amount, submitted, created,
        )
        .select_from(Application)
        .join(Programme, Programme.id == Application.programme_id)
        .join(User, User.id == Application.applicant_id)
        .join(home, home.id == Application.home_laboratory_id)
        .join(host, host.id == Application.host_laboratory_id)
        .order_by(*order)
    )
    if criteria is not None:
        query = query.where(criteria)
    return query


# Dashboard -----------------------------------------------------------------------------------
def _criteria(user, *extra):
    criteria = visible_applications(user).whereclause
    parts = [criteria] if criteria is not None else []
    return sa.and_(sa.true(), *parts, *extra)


def _year_range(year):
    return (Application.start_date >= date(year, 1, 1),
            Application.start_date < date(year + 1, 1, 1))


dashboard_cache = TTLCache()


def cached_dashboard(user, year):
    """:func:`dashboard`, kept a minute per visibility scope and year.

    Returns (figures, computed_at). Admins share one scope (they see everything); anyone
    else has their own, so a director never gets figures computed for someone else.
    """
    return dashboard_cache.get_or_set(
        (access.visibility_scope(user), year), lambda: dashboard(user, year)
    )


def dashboard(user, year, today=None):
    """Every figure of the dashboard for ``user`` (what they may see) and ``year``."""
    today = today or date.today()
    in_year = _criteria(user, *_year_range(year))
    # Grouped in the covering index's own order (start_date, status, direction), the
    # aggregate streams through the index; months are then summed here (at most 7,300 rows).
    facets = db.session.execute(
        sa.select(Application.start_date, Application.status, Application.direction,
                  sa.func.count())
        .where(in_year)
        .group_by(Application.start_date, Application.status, Application.direction)
    ).all()
    by_status = {status: 0 for status in STATUSES}
    by_direction = {direction: 0 for direction in DIRECTIONS}
    by_month = {direction: [0] * 12 for direction in DIRECTIONS}
    for start_date, status, direction, count in facets:
        by_status[status] += count
        by_direction[direction] += count
        by_month[direction][start_date.month - 1] += count
    hosts = (
        sa.select(Application.host_laboratory_id.label("lab_id"), sa.func.count().label("n"))
        .where(in_year, Application.direction == "outgoing")
        .group_by(Application.host_laboratory_id)
        .subquery()
    )
    host_countries = db.session.execute(
        sa.select(Laboratory.country, sa.func.sum(hosts.c.n).label("n"))
        .join(hosts, hosts.c.lab_id == Laboratory.id)
        .group_by(Laboratory.country)
        .order_by(sa.desc("n"), Laboratory.country)
        .limit(10)
    ).all()
    reviewing = sa.case(
        (Application.direction == "outgoing", Application.home_laboratory_id),
        else_=Application.host_laboratory_id,
    )
    per_lab = (
        sa.select(reviewing.label("lab_id"), sa.func.count().label("n"))
        .where(in_year)
        .group_by(reviewing)
        .subquery()
    )
    laboratories = db.session.execute(
        sa.select(Laboratory.id, Laboratory.acronym, Laboratory.name, per_lab.c.n)
        .join(per_lab, per_lab.c.lab_id == Laboratory.id)
        .order_by(per_lab.c.n.desc(), Laboratory.acronym)
        .limit(15)
    ).all()
    # Budgets: the programmes whose call runs in the selected year.
    programme_rows = _budget_rows(user, year)
    waiting = _waiting_longest(user)
    return {
        "year": year,
        "by_status": by_status,
        "by_direction": by_direction,
        "by_month": by_month,
        "host_countries": [tuple(row) for row in host_countries],
        "laboratories": [tuple(row) for row in laboratories],
        "programmes": programme_rows,
        "waiting": waiting,
        "total": sum(by_status.values()),
        "today": today,
    }


def _waiting_longest(user, limit=10):
    """The applications submitted longest ago that still wait for a decision.

    One index range per pending status, each limited, then merged: an ``IN (...)`` over
    two statuses would make the database sort every pending row first.
    """
    per_status = [
        visible_applications(user)
        .with_only_columns(Application.id)
        .where(Application.status == status, Application.submitted_at.is_not(None))
        .order_by(Application.submitted_at.asc(), Application.id.asc())
        .limit(limit)
        .subquery()
        for status in PENDING
    ]
    # Each limited SELECT wrapped as a subquery: SQLite refuses LIMIT inside a bare UNION.
    candidates = sa.union_all(*[sa.select(part.c.id) for part in per_status]).subquery()
    rows = db.session.execute(
        sa.select(Application.id, Application.reference, User.full_name, Programme.name,
                  Application.status, Application.submitted_at)
        .join(User, User.id == Application.applicant_id)
        .join(Programme, Programme.id == Application.programme_id)
        .where(Application.id.in_(sa.select(candidates.c.id)))
        .order_by(Application.submitted_at.asc(), Application.id.asc())
        .limit(limit)
    ).all()
    # Plain records, not ORM objects: the dashboard's figures are cached across requests.
    return [Waiting(*row) for row in rows]


@dataclass(frozen=True)
class Waiting:
    id: int
    reference: str
    applicant_name: str
    programme_name: str
    status: str
    submitted_at: datetime


def _budget_rows(user, year):
    """(id, name, budget, committed, count) for the programmes whose call runs in ``year``.

    Only the selected year's programmes are summed (an index range per programme), not
    every awarded row of ten years.
    """
    programme_ids = sa.select(Programme.id).where(
        Programme.closes_on >= date(year, 1, 1), Programme.opens_on <= date(year, 12, 31)
    )
    sums = dict(
        (programme_id, (committed, count))
        for programme_id, committed, count in db.session.execute(
            sa.select(Application.programme_id, sa.func.sum(Application.awarded_amount),
                      sa.func.count())
            .where(_criteria(user, Application.status.in_(AWARDED),
                             Application.programme_id.in_(programme_ids)))
            .group_by(Application.programme_id)
        )
    )
    rows = db.session.execute(
        sa.select(Programme.id, Programme.name, Programme.budget)
        .where(Programme.id.in_(programme_ids))
        .order_by(Programme.name)
    ).all()
    return [(pid, name, budget, *sums.get(pid, (0, 0))) for pid, name, budget in rows]


def year_choices(today=None):
    today = today or date.today()
    return list(range(today.year + 1, today.year - 11, -1))


# Duty of care --------------------------------------------------------------------------------
def abroad(user, today=None, horizon_days=30, country=None, limit=500):
    """Approved outgoing stays in progress or starting within ``horizon_days``."""
    today = today or date.today()
    criteria = _criteria(
        user,
        Application.status == "approved",
        Application.direction == "outgoing",
        Application.end_date >= today,
        Application.start_date <= today + timedelta(days=horizon_days),
    )
    by_country = db.session.execute(
        sa.select(Laboratory.country, sa.func.count())
        .select_from(Application)
        .join(Laboratory, Laboratory.id == Application.host_laboratory_id)
        .where(criteria)
        .group_by(Laboratory.country)
        .order_by(sa.func.count().desc(), Laboratory.country)
    ).all()
    query = (
        sa.select(Application)
        .join(Laboratory, Laboratory.id == Application.host_laboratory_id)
        .where(criteria)
        .options(APPLICANT_ONLY,
                 joinedload(Application.host_laboratory),
                 joinedload(Application.home_laboratory))
        .order_by(Laboratory.country, Application.start_date, Application.id)
        .limit(limit)
    )
    if country:
        query = query.where(Laboratory.country == country)
    return by_country, list(db.session.scalars(query))


def laboratory_stays(user, laboratory_id, first_day, last_day, limit=200):
    """Approved or completed stays reviewed by a laboratory that overlap a period."""
    criteria = _criteria(
        user,
        Application.status.in_(AWARDED),
        sa.or_(
            sa.and_(Application.direction == "outgoing",
                    Application.home_laboratory_id == laboratory_id),
            sa.and_(Application.direction == "incoming",
                    Application.host_laboratory_id == laboratory_id),
        ),
        Application.start_date <= last_day,
        Application.end_date >= first_day,
    )
    return list(db.session.scalars(
        sa.select(Application)
        .where(criteria)
        .options(APPLICANT_ONLY, joinedload(Application.host_laboratory),
                 joinedload(Application.home_laboratory))
        .order_by(Application.start_date, Application.id)
        .limit(limit)
    ))
