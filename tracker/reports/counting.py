"""How many rows a list has: exact when small, kept or estimated when large.

:func:`approximate_count` (the list page) caches counts and, on PostgreSQL, reads large ones
from the planner's estimate: an exact count of hundreds of thousands of rows on every page
view is the slowest part of a list, and nobody needs it to the unit.
:func:`kept_exact_count` (the API's ``total``) is always exact, and keeps large figures a while.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.extensions import db
from tracker.core.cache import TTLCache

EXACT_BELOW = 20_000
# Large counts are estimates anyway: kept twice as long as the other report figures.
count_cache = TTLCache("reports.counts", lifetime_factor=2)


@dataclass
class Count:
    """A figure to show, and whether it is exact (else it reads "about N")."""

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
