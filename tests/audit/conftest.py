import sqlalchemy as sa

from tests.directory.conftest import admin, count_queries  # noqa: F401  (shared fixtures)
from tracker.audit.models import AuditEntry
from tracker.extensions import db


def entries(subject_type=None):
    """Every audit entry (of ``subject_type`` when given), oldest first."""
    db.session.expire_all()
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    return list(db.session.scalars(query))
