"""The list page: one page of the filtered applications, by keyset, as plain rows.

:func:`page_of` pages by keyset (``WHERE (sort, id) < (:last_sort, :last_id)``), so the
2,000th page costs what the first does; OFFSET would read and discard every row before it.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.applications.models import (
    Application, duration_category_expression, duration_days_expression,
)
from tracker.auth.models import User
from tracker.core.paging import encode_cursor
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db
from tracker.reports.filters import SORTS, visible_filtered

PER_PAGE = 50


@dataclass
class Page:
    """A page's rows, and the cursors of the pages after and before it (None at an end)."""

    items: list
    next_cursor: str = None
    prev_cursor: str = None


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
    entities of each row cost more than the query itself.

    Each join is ``(target, condition, outer)``: a mission on the unit's funds has no
    programme, so the programme is outer-joined (an inner join would drop those rows)."""
    home = aliased(Laboratory)
    host = aliased(Laboratory)
    days = duration_days_expression(dialect_name)
    columns = (
        Application.id, Application.reference, Application.title, Application.direction,
        Application.status, Application.start_date, Application.end_date,
        Application.created_at, Application.funding, Application.budget_line,
        # What access.waiting_on_many reads to say who must act next, and since when.
        Application.applicant_id, Application.home_laboratory_id,
        Application.host_laboratory_id, Application.waiting_since,
        User.full_name.label("applicant_name"),
        Programme.name.label("programme_name"),
        home.acronym.label("home_acronym"), home.name.label("home_name"),
        host.acronym.label("host_acronym"), host.name.label("host_name"),
        host.country.label("host_country"),
        duration_category_expression(days).label("duration_category"),
    )
    joins = (
        (User, User.id == Application.applicant_id, False),
        (Programme, Programme.id == Application.programme_id, True),
        (home, home.id == Application.home_laboratory_id, False),
        (host, host.id == Application.host_laboratory_id, False),
    )
    return columns, joins


def page_of(user, filters, per_page=PER_PAGE):
    """One page of the visible, filtered applications, by keyset, with relations joined."""
    column, _kind = SORTS[filters.sort]
    descending = filters.order == "desc"
    columns, joins = _list_columns()
    query = visible_filtered(user, filters).with_only_columns(*columns)
    for target, condition, outer in joins:
        query = query.join(target, condition, isouter=outer)
    key = sa.tuple_(column, Application.id)
    backwards = filters.before is not None
    cursor = filters.before or filters.after
    if cursor is not None:
        going_down = descending != backwards
        query = query.where(key < cursor if going_down else key > cursor)
    # Backwards, the rows nearest the cursor come first; they are put back in order below.
    query = query.order_by(*filters.ordering(reverse=backwards))
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
