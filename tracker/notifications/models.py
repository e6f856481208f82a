"""The outbox of messages to users."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import UTCDateTime, in_values, utcnow
from tracker.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_notifications_pending", "sent_at", "next_attempt_at"),
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    # Set when delivery gave up: a permanent refusal, or too many failed attempts. Admins
    # see these messages and may send them again.
    failed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user = relationship("User")


REMINDER_KINDS = ("reminder", "escalation", "requirements")


class Reminder(db.Model):
    """One reminder sent by ``send-reminders``: to whom, about what, which day.

    The unique key makes the command idempotent within a day and safe against a second run
    at the same moment: each reminder is inserted if absent, and only the run whose insert
    took the row queues the message.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", REMINDER_KINDS), name="kind"),
        sa.UniqueConstraint("application_id", "user_id", "kind", "sent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    sent_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
