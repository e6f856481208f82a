"""Figures over a set of applications, for the dashboard and ``GET /api/v1/stats``.

Each function takes ``applications``, a SELECT of applications that starts from
``visible_applications(user)`` (narrowed by :func:`~tracker.reports.filters.apply_filters`
as the caller needs), and aggregates in the database. Those that answer a table of rows
return a SELECT, so that each caller orders and limits it for what it shows.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.applications.models import Application, CostItem
from tracker.applications.workflow import GRANTED
from tracker.directory.models import Laboratory
from tracker.extensions import db
from tracker.reports.filters import where_clause


@dataclass
class Tally:
    """How many applications, in all and by status and direction (only the values that
    occur), and, when asked for, the stays that happen (approved or completed: ``GRANTED``)
    by direction and month of start: a draft or a declined request is no stay."""

    total: int = 0
    by_status: dict = field(default_factory=dict)
    by_direction: dict = field(default_factory=dict)
    by_month: dict = field(default_factory=dict)


def tally(applications, by_month=False):
    """The :class:`Tally` of ``applications``, from one GROUP BY."""
    groups = [Application.status, Application.direction]
    if by_month:
        # Grouped in the covering index's own order (start_date, status, direction), the
        # aggregate streams through the index; months are then summed here (a year has at
        # most 7,300 groups).
        groups.insert(0, Application.start_date)
    rows = db.session.execute(
        sa.select(*groups, sa.func.count()).where(where_clause(applications)).group_by(*groups)
    )
    counted = Tally()
    for row in rows:
        *_, status, direction, count = row
        counted.total += count
        counted.by_status[status] = counted.by_status.get(status, 0) + count
        counted.by_direction[direction] = counted.by_direction.get(direction, 0) + count
        if by_month and status in GRANTED:
            months = counted.by_month.setdefault(direction, [0] * 12)
            months[row.start_date.month - 1] += count
    return counted


def per_host_country(applications):
    """A SELECT of ``(country, count)``: ``applications`` by their host laboratory's country."""
    # Counted per laboratory first (the facets index holds host_laboratory_id), so that only
    # a few hundred laboratories are joined, not every application.
    per_host = (
        sa.select(Application.host_laboratory_id.label("laboratory_id"),
                  sa.func.count().label("count"))
        .where(where_clause(applications))
        .group_by(Application.host_laboratory_id)
        .subquery()
    )
    # A sum of counts is NUMERIC on PostgreSQL: cast back to a whole number.
    count = sa.cast(sa.func.sum(per_host.c.count), sa.Integer).label("count")
    return (
        sa.select(Laboratory.country, count)
        .join(per_host, per_host.c.laboratory_id == Laboratory.id)
        .group_by(Laboratory.country)
    )


def per_reviewing_laboratory(applications):
    """A SELECT of ``(id, acronym, name, count)``: ``applications`` by reviewing laboratory."""
    reviewing = Application.reviewing_laboratory_id
    per_laboratory = (
        sa.select(reviewing.label("laboratory_id"), sa.func.count().label("count"))
        .where(where_clause(applications))
        .group_by(reviewing)
        .subquery()
    )
    return (
        sa.select(Laboratory.id, Laboratory.acronym, Laboratory.name,
                  per_laboratory.c.count.label("count"))
        .join(per_laboratory, per_laboratory.c.laboratory_id == Laboratory.id)
    )


def committed_per_programme(applications):
    """A SELECT of ``(programme_id, committed, count)`` over the granted ``applications``:
    the amounts awarded, which count against each programme's budget, and how many."""
    return (
        sa.select(
            Application.programme_id.label("programme_id"),
            sa.func.coalesce(sa.func.sum(Application.awarded_amount), 0).label("committed"),
            sa.func.count().label("count"),
        )
        .where(where_clause(applications), Application.status.in_(GRANTED))
        .group_by(Application.programme_id)
    )


def per_funding(applications):
    """A SELECT of ``(funding, count, requested, awarded)`` over ``applications``: how many
    of each funding (a programme call, a mission on the unit's funds), the amounts they
    request, and the amounts awarded to the granted ones (approved or completed, as the
    budget committed counts them)."""
    awarded = sa.case((Application.status.in_(GRANTED), Application.awarded_amount))
    return (
        sa.select(
            Application.funding.label("funding"),
            sa.func.count().label("count"),
            sa.func.coalesce(sa.func.sum(Application.requested_amount), 0).label("requested"),
            sa.func.coalesce(sa.func.sum(awarded), 0).label("awarded"),
        )
        .where(where_clause(applications))
        .group_by(Application.funding)
    )


def cost_per_kind(applications):
    """A SELECT of ``(kind, amount)``: the cost items of ``applications`` summed per kind
    (only the kinds that occur)."""
    return (
        sa.select(CostItem.kind.label("kind"), sa.func.sum(CostItem.amount).label("amount"))
        .join(Application, Application.id == CostItem.application_id)
        .where(where_clause(applications))
        .group_by(CostItem.kind)
    )
