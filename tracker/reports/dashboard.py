"""The dashboard's figures, aggregated in the database, one GROUP BY per figure, and kept a
minute per visibility scope and year."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from tracker.applications.models import COST_KINDS, FUNDINGS, Application
from tracker.applications.workflow import GRANTED, PENDING, STATUSES
from tracker.auth.models import User
from tracker import access
from tracker.access import visible_applications
from tracker.directory.models import DIRECTIONS, Laboratory, Programme
from tracker.extensions import db
from tracker.reports import statistics
from tracker.core.cache import TTLCache
from tracker.reports.filters import apply_filters

dashboard_cache = TTLCache("reports.dashboard")
ZERO = Decimal("0.00")


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
    in_year = apply_filters(visible_applications(user), year=year)
    counted = statistics.tally(in_year, by_month=True)
    # Stays that happen (approved or completed), not every request: a draft or a declined
    # request sends nobody anywhere.
    stays_abroad = in_year.where(Application.direction == "outgoing",
                                 Application.status.in_(GRANTED))
    # Every host country (the world map shades them all); the top ten are its first rows.
    host_countries = db.session.execute(
        statistics.per_host_country(stays_abroad)
        .order_by(sa.desc("count"), Laboratory.country)
    ).all()
    laboratories = db.session.execute(
        statistics.per_reviewing_laboratory(in_year)
        .order_by(sa.desc("count"), Laboratory.acronym)
        .limit(15)
    ).all()
    by_funding = {funding: (count, _cents(requested), _cents(awarded))
                  for funding, count, requested, awarded
                  in db.session.execute(statistics.per_funding(in_year))}
    cost_by_kind = dict(db.session.execute(statistics.cost_per_kind(in_year)).all())
    # Budgets: the programmes whose call runs in the selected year, and those with stays
    # awarded that start in it (a call of last year pays for this year's stays).
    programme_rows = _budget_rows(user, year, in_year)
    waiting = _waiting_longest(user)
    return {
        "year": year,
        # Every status and direction, those that did not occur at zero: the charts show all.
        "by_status": {status: counted.by_status.get(status, 0) for status in STATUSES},
        "by_direction": {direction: counted.by_direction.get(direction, 0)
                         for direction in DIRECTIONS},
        "by_month": {direction: counted.by_month.get(direction, [0] * 12)
                     for direction in DIRECTIONS},
        # Every funding and cost kind, those that did not occur at zero: (count, requested,
        # awarded) per funding, the sum of the cost items per kind.
        "by_funding": {funding: by_funding.get(funding, (0, ZERO, ZERO))
                       for funding in FUNDINGS},
        "cost_by_kind": {kind: _cents(cost_by_kind.get(kind, 0)) for kind in COST_KINDS},
        "host_countries": [tuple(row) for row in host_countries[:10]],
        "stays_by_country": {country: count for country, count in host_countries},
        "laboratories": [tuple(row) for row in laboratories],
        "programmes": programme_rows,
        "waiting": waiting,
        "total": counted.total,
        "today": today,
    }


def _cents(value):
    """An amount as a Decimal with two places, whatever the database summed it as (SQLite
    sums in floating point)."""
    return Decimal(str(value)).quantize(ZERO)


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
                  Application.funding, Application.status, Application.submitted_at)
        .join(User, User.id == Application.applicant_id)
        # Outer: a mission on the unit's funds names no programme.
        .outerjoin(Programme, Programme.id == Application.programme_id)
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
    programme_name: str  # None for a mission on the unit's funds
    funding: str
    status: str
    submitted_at: datetime


def _budget_rows(user, year, in_year):
    """(id, name, budget, committed, count) for the programmes whose call runs in ``year``
    and those with granted applications among ``in_year`` (the stays starting in ``year``).

    Only those programmes are summed (an index range per programme), not every awarded row
    of ten years.
    """
    call_runs = sa.and_(Programme.closes_on >= date(year, 1, 1),
                        Programme.opens_on <= date(year, 12, 31))
    awarded_in_year = (
        in_year.with_only_columns(Application.programme_id)
        .where(Application.status.in_(GRANTED), Application.programme_id.is_not(None))
    )
    shown = sa.or_(call_runs, Programme.id.in_(awarded_in_year))
    committed = statistics.committed_per_programme(
        visible_applications(user).where(
            Application.programme_id.in_(sa.select(Programme.id).where(shown))
        )
    ).subquery()
    rows = db.session.execute(
        sa.select(Programme.id, Programme.name, Programme.budget,
                  sa.func.coalesce(committed.c.committed, 0),
                  sa.func.coalesce(committed.c.count, 0))
        .outerjoin(committed, committed.c.programme_id == Programme.id)
        .where(shown)
        .order_by(Programme.name)
    ).all()
    return [tuple(row) for row in rows]


def default_year(user, today=None):
    """The year the dashboard opens on: this year if it has stays (approved or completed)
    the user may see, else the latest earlier year that has some, else this year.

    One statement, kept with the figures: the latest start of a granted stay up to the end
    of this year (the start_date index, read backwards).
    """
    today = today or date.today()

    def latest():
        latest_start = db.session.scalar(
            visible_applications(user)
            .with_only_columns(sa.func.max(Application.start_date))
            .where(Application.status.in_(GRANTED),
                   Application.start_date < date(today.year + 1, 1, 1))
        )
        if latest_start is None:
            return today.year
        # Never older than the years the page offers.
        return max(latest_start.year, min(year_choices(today)))

    return dashboard_cache.get_or_set((access.visibility_scope(user), "default_year"),
                                      latest)[0]


def year_choices(today=None):
    """The years the dashboard and the list offer: next year, this one and ten before."""
    today = today or date.today()
    return list(range(today.year + 1, today.year - 11, -1))
