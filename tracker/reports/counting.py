"""How many rows a list has: exact when small, estimated (and said so) when large.

:func:`approximate_count` (the list page) counts at most ``PROBE`` rows: below that, the
figure is exact and fresh. Above, an exact count of hundreds of thousands of rows on every
page view would be the slowest part of a list, and nobody needs it to the unit: on
PostgreSQL the figure is estimated from a sample of the table's pages (the same query on
``TABLESAMPLE SYSTEM``, so filters and searches are estimated as they are, not as the
planner guesses them), elsewhere counted; either way it is kept a while and shown as
"about N". :func:`kept_exact_count` (the API's ``total``) is always exact, and keeps large
figures a while.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.util import ClauseAdapter

from tracker.extensions import db
from tracker.core.cache import TTLCache

# The list's exact counts stop here: a count of at most this many rows is cheap.
PROBE = 1_001
# The API's exact totals from this many rows on are kept a while rather than counted again.
EXACT_BELOW = PROBE
# Rows a first sample reads; fewer matches than SAMPLE_MATCHES in it and the next sample is
# ten times larger, up to the whole table (then the figure is exact).
SAMPLE_ROWS = 20_000
SAMPLE_MATCHES = 100
# Large counts are estimates anyway: kept twice as long as the other report figures.
count_cache = TTLCache("reports.counts", lifetime_factor=2)


@dataclass
class Count:
    """A figure to show, and whether it is exact (else it reads "about N")."""

    value: int
    exact: bool


def approximate_count(query, scope=None, table=None):
    """How many rows ``query`` returns: exact below :data:`PROBE`, else an estimate.

    ``table`` is the table ``query`` reads its rows from (the estimate samples it). The
    probe counts at most ``PROBE`` rows, so a small figure is always exact and fresh. A
    larger one is estimated (PostgreSQL) or counted (elsewhere), kept two minutes in the
    process and shown as an estimate, since it may be that old. The key is ``scope`` when
    the caller knows what determines the SQL (the visibility scope and the filters), else
    the SQL and its parameters; both carry the visibility rules, so users never share a
    figure.
    """
    if scope is None:
        compiled = _compiled(query)
        scope = (str(compiled), json.dumps(compiled.params, default=str, sort_keys=True))
    found = count_cache.get(scope)
    if found is not None:
        return Count(_round_estimate(found[0]), exact=False)
    probed = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).limit(PROBE).subquery()))
    if probed < PROBE:
        return Count(probed, exact=True)
    if db.engine.dialect.name == "postgresql" and table is not None:
        total = sampled_count(query, table)
    else:
        total = _exact_count(query)
    count_cache.set(scope, total)
    return Count(_round_estimate(total), exact=False)


def sampled_count(query, table):
    """An estimate of the number of rows of ``query`` (PostgreSQL): the same query on a
    ``TABLESAMPLE SYSTEM`` of ``table``, scaled up. The sample grows tenfold while it holds
    fewer than ``SAMPLE_MATCHES`` rows, so that a rare match is not guessed from a handful;
    at 100% the figure is exact."""
    rows = db.session.scalar(sa.text(
        "SELECT reltuples::bigint FROM pg_class WHERE oid = CAST(:name AS regclass)"
    ), {"name": table.name}) or 0
    percent = min(100.0, 100.0 * SAMPLE_ROWS / rows) if rows > 0 else 100.0
    counting = query.order_by(None).with_only_columns(sa.func.count())
    while True:
        if percent >= 100:
            return _exact_count(query)
        # REPEATABLE: the same pages for the same figure, so a kept estimate and a fresh
        # one do not jump about.
        sample = sa.tablesample(table, sa.func.system(percent), name="sampled",
                                seed=sa.literal(2026))
        matches = db.session.scalar(ClauseAdapter(sample).traverse(counting))
        if matches >= SAMPLE_MATCHES:
            return round(matches * 100.0 / percent)
        percent *= 10


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
