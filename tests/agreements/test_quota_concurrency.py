"""A quota set as a limit holds under concurrent approvals (PostgreSQL: real races)."""

import time
from datetime import date, timedelta

import sqlalchemy as sa

from tests.applications.test_concurrency import THREADS, postgresql_only, run_together
from tracker.agreements import services
from tracker.agreements.services import QuotaReached
from tracker.applications.models import Application
from tracker.applications.services import transition
from tracker.auth.models import User

QUOTA = 3


@postgresql_only
def test_approvals_at_once_never_pass_the_quota(app, db, make, people, monkeypatch):
    counted = services.quota_use

    def slow_quota_use(agreement, year):
        # Widen the window between counting and approving: without the agreement's lock
        # every thread would count the same approvals and all would pass.
        use = counted(agreement, year)
        time.sleep(0.1)
        return use

    monkeypatch.setattr(services, "quota_use", slow_quota_use)
    agreement = make.agreement([people["unit"], people["partner"]], quota_stays=QUOTA,
                               quota_is_limit=True)
    start = date.today() + timedelta(days=30)
    # Each stay on a programme of its own: the programme's budget lock must not be what
    # serialises them.
    application_ids = [
        make.application(applicant=people["researcher"], status="endorsed",
                         host=people["partner"],
                         agreement_id=agreement.id, start_date=start,
                         end_date=start + timedelta(days=3)).id
        for _ in range(THREADS)
    ]
    admin_id, agreement_id = people["admin"].id, agreement.id
    db.session.remove()

    def approve(index, barrier):
        application = db.session.get(Application, application_ids[index])
        admin = db.session.get(User, admin_id)
        barrier.wait()
        transition(application, "approve", admin, version=1, awarded_amount="100.00")
        return "approved"

    results = run_together(app, db, approve)
    assert results.count("approved") == QUOTA, results
    assert results.count(QuotaReached) == THREADS - QUOTA, results
    approved = db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.agreement_id == agreement_id, Application.status == "approved"))
    assert approved == QUOTA
