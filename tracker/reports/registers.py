"""The duty-of-care registers: who is abroad now (or soon), and a laboratory's stays."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from tracker.applications.models import Application
from tracker.applications.workflow import GRANTED
from tracker.auth.models import User
from tracker.access import visible_applications
from tracker.directory.models import Laboratory
from tracker.extensions import db
from tracker.reports.filters import where_clause

# The applicant, without their own eager collections (roles, directed laboratories): a
# list never needs them, and selecting them would add two statements per page.
APPLICANT_ONLY = joinedload(Application.applicant).options(
    lazyload(User.role_rows), lazyload(User.directed_laboratories)
)


def abroad(user, today=None, horizon_days=30, country=None, limit=500):
    """Approved outgoing stays in progress or starting within ``horizon_days``."""
    today = today or date.today()
    stays = visible_applications(user).where(
        Application.status == "approved",
        Application.direction == "outgoing",
        Application.end_date >= today,
        Application.start_date <= today + timedelta(days=horizon_days),
    )
    by_country = db.session.execute(
        sa.select(Laboratory.country, sa.func.count())
        .select_from(Application)
        .join(Laboratory, Laboratory.id == Application.host_laboratory_id)
        .where(where_clause(stays))
        .group_by(Laboratory.country)
        .order_by(sa.func.count().desc(), Laboratory.country)
    ).all()
    query = (
        stays
        .join(Laboratory, Laboratory.id == Application.host_laboratory_id)
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
    return list(db.session.scalars(
        visible_applications(user)
        .where(
            Application.status.in_(GRANTED),
            Application.reviewed_by([laboratory_id]),
            Application.start_date <= last_day,
            Application.end_date >= first_day,
        )
        .options(APPLICANT_ONLY, joinedload(Application.host_laboratory),
                 joinedload(Application.home_laboratory))
        .order_by(Application.start_date, Application.id)
        .limit(limit)
    ))
