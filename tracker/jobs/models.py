"""A background job as people follow it: what it is, whose, how far, and its result."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import UTCDateTime, in_values, utcnow
from tracker.extensions import db

JOB_STATUSES = ("queued", "running", "done", "failed")
FINISHED = ("done", "failed")
JOB_STATUS_LABELS = {
    "queued": _l("Waiting for a worker"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}
JOB_KIND_LABELS = {
    "export_xlsx": _l("XLSX export of applications"),
    "export_csv": _l("CSV export of applications"),
    "import": _l("Import"),
    "notifications": _l("Delivery of notifications"),
    "reminders": _l("Reminders"),
}


class Job(db.Model):
    """One run of long work. The queue (RQ) carries the call; this row carries what its
    page shows, so that the page reads the database only, whichever node answers."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.CheckConstraint(in_values("status", JOB_STATUSES), name="status"),
        sa.CheckConstraint("done >= 0", name="done_not_negative"),
        sa.Index("ix_jobs_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # None for the jobs of commands (reminders, delivery): nobody's page shows them.
    owner_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[Optional[int]] = mapped_column()
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # The file a job leaves (an export): its key in the file store and its download name.
    result_key: Mapped[Optional[str]] = mapped_column(sa.String(200))
    result_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # Where the result is read when it is a page rather than a file (an import's counts).
    result_url: Mapped[Optional[str]] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    owner = relationship("User")

    @property
    def finished(self):
        return self.status in FINISHED

    @property
    def percent(self):
        """How far, in whole percent; None while the total is unknown."""
        if not self.total:
            return 100 if self.status == "done" else None
        return min(100, self.done * 100 // self.total)
