"""A delegation: for a period, a stand-in takes the reviewing actions of a director or an
administrator (the delegator)."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import UTCDateTime, utcnow
from tracker.extensions import db

STATUS_LABELS = {
    "upcoming": _l("Upcoming"),
    "running": _l("In progress"),
    "ended": _l("Ended"),
    "cancelled": _l("Cancelled"),
}


class Delegation(db.Model):
    """``delegate`` stands in for ``delegator`` from ``starts_on`` to ``ends_on`` included.

    Cancelling one that has not started deletes it; cancelling one in progress ends it
    today and sets ``cancelled_at``: from then on it gives no rights, and its row says how
    long it ran. ``notified_at`` is when both people were told it started (once).
    """

    __tablename__ = "delegations"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("delegate_id <> delegator_id", name="not_oneself"),
        # "Whom does this person stand in for today?": asked on every review page.
        sa.Index("ix_delegations_delegate_id_starts_on", "delegate_id", "starts_on", "ends_on"),
        # "Does a new delegation overlap one of the delegator's?": asked on every give.
        sa.Index("ix_delegations_delegator_id_ends_on", "delegator_id", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    notified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    delegator = relationship("User", foreign_keys=[delegator_id])
    delegate = relationship("User", foreign_keys=[delegate_id])
    created_by = relationship("User", foreign_keys=[created_by_id])

    @classmethod
    def runs_on(cls, day):
        """SQL: the delegation gives its rights on ``day`` (started, not ended, not cancelled)."""
        return sa.and_(cls.starts_on <= day, cls.ends_on >= day, cls.cancelled_at.is_(None))

    def is_running(self, day):
        return self.cancelled_at is None and self.starts_on <= day <= self.ends_on

    def status(self, day):
        """``upcoming``, ``running``, ``ended`` or ``cancelled`` on ``day``."""
        if self.cancelled_at is not None:
            return "cancelled"
        if day < self.starts_on:
            return "upcoming"
        return "running" if day <= self.ends_on else "ended"
