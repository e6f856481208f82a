"""The dashboard's figures, aggregated in the database, one GROUP BY per figure, and kept a
minute per visibility scope and year."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from tracker.applications.models import Application
from tracker.applications.workflow import GRANTED, PENDING, STATUSES
from tracker.auth.models import User
from tracker import access
from tracker.access import visible_applications
from tracker.directory.models import DIRECTIONS, Laboratory, Programme
from tracker.extensions import db
from tracker.reports.cache import TTLCache
from tracker.reports.filters import apply_filters, where_clause


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
    in_year = where_clause(apply_filters(visible_applications(user), year=year))
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
        for status in sorted(PENDING)
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
            .where(where_clause(visible_applications(user).where(
                Application.status.in_(GRANTED), Application.programme_id.in_(programme_ids)
            )))
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
    """The years the dashboard and the list offer: next year, this one and ten before."""
    today = today or date.today()
    return list(range(today.year + 1, today.year - 11, -1))
