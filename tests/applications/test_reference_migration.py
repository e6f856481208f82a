"""The reference-counter revision: downgrades, upgrades, and continues existing numbering."""

from datetime import date

import flask_migrate
import sqlalchemy as sa

from tracker.applications.models import ReferenceCounter
from tracker.core.models import utcnow
from tracker.applications.services import next_reference

BEFORE_COUNTERS = "a3c8aea60f2d"


def test_upgrade_continues_after_existing_references(db, make, people):
    # Plain rows, written with the columns of the old schema: the models describe the newest
    # one (later revisions add columns to users), so no ORM object is loaded meanwhile.
    common = dict(
        direction="outgoing", applicant_id=people["researcher"].id,
        home_laboratory_id=people["unit"].id, host_laboratory_id=people["partner"].id,
        programme_id=people["programme"].id, title="Earlier stay", purpose="conference",
        start_date=date(2025, 3, 1), end_date=date(2025, 3, 2), requested_amount=0,
        justification="", status="draft", version=1, created_at=utcnow(), updated_at=utcnow(),
    )
    db.session.commit()  # no open transaction while the schema changes
    flask_migrate.downgrade(revision=BEFORE_COUNTERS)
    try:
        assert "reference_counters" not in sa.inspect(db.engine).get_table_names()
        with db.engine.begin() as connection:
            old_applications = sa.table(
                "applications", *(sa.column(name) for name in (*common, "reference"))
            )
            connection.execute(sa.insert(old_applications), [
                {**common, "reference": reference}
                for reference in ("MOB-2025-000041", "MOB-2025-000007", "MOB-2024-000003")
            ])
    finally:
        flask_migrate.upgrade()
    counters = dict(db.session.execute(sa.select(ReferenceCounter.year, ReferenceCounter.last_value)).all())
    assert counters == {2025: 41, 2024: 3}
    assert next_reference(2025) == "MOB-2025-000042"
    assert next_reference(2031) == "MOB-2031-000001"
