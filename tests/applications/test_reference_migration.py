"""The reference-counter revision: downgrades, upgrades, and continues existing numbering."""

import flask_migrate
import sqlalchemy as sa

from tracker.applications.models import ReferenceCounter
from tracker.applications.services import next_reference

BEFORE_COUNTERS = "a3c8aea60f2d"


def test_upgrade_continues_after_existing_references(db, make, people):
    db.session.commit()  # no open transaction while the schema changes
    flask_migrate.downgrade(revision=BEFORE_COUNTERS)
    try:
        assert "reference_counters" not in sa.inspect(db.engine).get_table_names()
        common = dict(applicant=people["researcher"], host=people["partner"],
                      programme=people["programme"])
        make.application(reference="MOB-2025-000041", **common)
        make.application(reference="MOB-2025-000007", **common)
        make.application(reference="MOB-2024-000003", **common)
        db.session.commit()
    finally:
        flask_migrate.upgrade()
    counters = dict(db.session.execute(sa.select(ReferenceCounter.year, ReferenceCounter.last_value)).all())
    assert counters == {2025: 41, 2024: 3}
    assert next_reference(2025) == "MOB-2025-000042"
    assert next_reference(2031) == "MOB-2031-000001"
