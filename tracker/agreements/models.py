"""An agreement between the organisation (one or more of its units) and one or more partner
institutions (partner laboratories, international joint units), with its term, its contacts,
an optional yearly quota of stays or days, and its documents (the signed text, annexes)."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, UTCDateTime, in_values, utcnow
from tracker.extensions import db

KINDS = ("framework", "joint_unit", "joint_project", "network", "exchange")
KIND_LABELS = {
    "framework": _l("Framework agreement"),
    "joint_unit": _l("International joint unit"),
    "joint_project": _l("Joint project"),
    "network": _l("Network"),
    "exchange": _l("Exchange"),
}
# What is stored; "expired" is read from the dates of one in force (docs/rules.md).
STORED_STATUSES = ("draft", "in_force", "terminated")
STATUSES = ("draft", "in_force", "expired", "terminated")
STATUS_LABELS = {
    "draft": _l("Draft"),
    "in_force": _l("In force"),
    "expired": _l("Expired"),
    "terminated": _l("Terminated"),
}


agreement_laboratories = sa.Table(
    "agreement_laboratories",
    db.metadata,
    sa.Column("agreement_id", sa.ForeignKey("agreements.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("laboratory_id", sa.ForeignKey("laboratories.id", ondelete="RESTRICT"),
              primary_key=True),
    # "Which agreements cover this laboratory?": asked for every suggestion.
    sa.Index("ix_agreement_laboratories_laboratory_id", "laboratory_id"),
)


class Agreement(TimestampMixin, db.Model):
    """The laboratories it covers say its sides: units are the organisation's side,
    partner laboratories and joint units the partners' side (a laboratory's kind says
    which). A quota counts per calendar year the stays (or their days) it covers that
    were approved, by the year of their first day."""

    __tablename__ = "agreements"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", KINDS), name="kind"),
        sa.CheckConstraint(in_values("status", STORED_STATUSES), name="status"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("quota_stays IS NULL OR quota_stays >= 0",
                           name="quota_stays_not_negative"),
        sa.CheckConstraint("quota_days IS NULL OR quota_days >= 0",
                           name="quota_days_not_negative"),
        # The office's home page: those in force that end soon.
        sa.Index("ix_agreements_status_ends_on", "status", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    reference: Mapped[str] = mapped_column(sa.String(60), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    our_contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    our_contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    partner_contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    partner_contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    quota_stays: Mapped[Optional[int]]
    quota_days: Mapped[Optional[int]]
    # True: approving a stay beyond the quota is refused; False: the quota is a guide.
    quota_is_limit: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    laboratories = relationship("Laboratory", secondary=agreement_laboratories,
                                order_by="Laboratory.name")
    # The rows go with the agreement (ON DELETE CASCADE); their files are removed by the
    # service once the deletion commits.
    documents = relationship("AgreementDocument", back_populates="agreement",
                             order_by="AgreementDocument.id", cascade="all, delete-orphan",
                             passive_deletes=True)

    def __repr__(self):
        return f"<Agreement {self.reference}>"

    @property
    def label(self):
        return f"{self.reference} — {self.title}"

    # What the audit follows under names of their own: a laboratory's ``kind`` is labelled
    # otherwise, and the laboratories are kept by label.
    @property
    def agreement_kind(self):
        return self.kind

    @property
    def covered_laboratories(self):
        return sorted(lab.label for lab in self.laboratories)

    @property
    def document_names(self):
        """What the audit keeps of the documents: their names, oldest first."""
        return [document.original_name for document in self.documents]

    @property
    def units(self):
        return [lab for lab in self.laboratories if lab.kind == "unit"]

    @property
    def partners(self):
        return [lab for lab in self.laboratories if lab.kind != "unit"]

    @property
    def has_quota(self):
        return self.quota_stays is not None or self.quota_days is not None

    def status_on(self, day):
        """The status a reader sees on ``day``: one in force whose last day has passed is
        ``expired``."""
        if self.status == "in_force" and self.ends_on < day:
            return "expired"
        return self.status

    @classmethod
    def in_force_on(cls, day):
        """SQL: in force on ``day`` (signed, neither terminated nor ended, started)."""
        return sa.and_(cls.status == "in_force", cls.starts_on <= day, cls.ends_on >= day)

    @classmethod
    def status_is(cls, status, day):
        """SQL: reads as ``status`` on ``day`` (:meth:`status_on`)."""
        if status == "expired":
            return sa.and_(cls.status == "in_force", cls.ends_on < day)
        if status == "in_force":
            return sa.and_(cls.status == "in_force", cls.ends_on >= day)
        return cls.status == status


class AgreementDocument(db.Model):
    """A file attached to an agreement. The file is in the file store under
    ``stored_key``; the name its uploader gave is kept for display and download only."""

    __tablename__ = "agreement_documents"
    __table_args__ = (
        sa.CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    stored_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(120))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agreement = relationship("Agreement", back_populates="documents")
    uploaded_by = relationship("User")
