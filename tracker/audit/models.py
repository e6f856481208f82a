"""The audit of the directory: one append-only row per change of a person, a laboratory, a
programme and its budget, a country's risk level, a requirement rule, a delegation or an
agreement."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import UTCDateTime, in_values, utcnow
from tracker.extensions import db

# ``export`` and ``erase`` are about a person's personal data: a copy taken, an erasure.
ACTIONS = ("create", "update", "delete", "export", "erase")
ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "export": _l("Data exported"),
    "erase": _l("Data erased"),
}
SUBJECT_TYPES = ("user", "laboratory", "programme", "country", "requirement_rule",
                 "delegation", "agreement")
SUBJECT_TYPE_LABELS = {
    "user": _l("Person"),
    "laboratory": _l("Laboratory"),
    "programme": _l("Programme"),
    "country": _l("Country"),
    "requirement_rule": _l("Requirement rule"),
    "delegation": _l("Delegation"),
    "agreement": _l("Agreement"),
}


class AuditEntry(db.Model):
    """Who changed what in the directory, when, and each changed value before and after.

    Written once, never changed. The subject is named by its type, its key and a label
    taken at the time of the change, so that an entry still reads well once its subject is
    renamed or gone; ``actor_id`` is None for the command line (and once the actor's account
    is deleted).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.CheckConstraint(in_values("action", ACTIONS), name="action"),
        sa.CheckConstraint(in_values("subject_type", SUBJECT_TYPES), name="subject_type"),
        # The admin page reads newest first, by keyset on (created_at, id), with or without
        # a filter on the kind of subject or on the actor.
        sa.Index("ix_audit_entries_created_at_id", "created_at", "id"),
        sa.Index("ix_audit_entries_subject_type_created_at_id", "subject_type", "created_at",
                 "id"),
        sa.Index("ix_audit_entries_actor_id_created_at_id", "actor_id", "created_at", "id"),
        # One subject's history.
        sa.Index("ix_audit_entries_subject_type_subject_id", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(10))
    subject_type: Mapped[str] = mapped_column(sa.String(30))
    # An id, or a country's code: text holds both.
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    subject_label: Mapped[str] = mapped_column(sa.String(300), default="")
    # ``{field: value}`` in JSON values; only the fields that changed when both are given.
    before: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    after: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor = relationship("User")

    def __repr__(self):
        return f"<AuditEntry {self.action} {self.subject_type} {self.subject_id}>"
