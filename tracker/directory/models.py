"""The directory: laboratories (ours, partners, joint units) and programmes."""

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask_babel import lazy_gettext as _l

from tracker.auth.models import CATEGORIES
from tracker.core.countries import RISK_LEVELS
from tracker.core.models import TimestampMixin, UTCDateTime, in_values, rows_for_codes, utcnow
from tracker.extensions import db

LAB_KINDS = ("unit", "partner", "joint_unit")
LAB_KIND_LABELS = {
    "unit": _l("Unit (France)"),
    "partner": _l("Partner laboratory (abroad)"),
    "joint_unit": _l("International joint unit (abroad)"),
}
HOME_COUNTRY = "FR"
DIRECTIONS = ("incoming", "outgoing")
DIRECTION_LABELS = {"incoming": _l("Incoming"), "outgoing": _l("Outgoing")}
MAX_STAY_DAYS = 5 * 365 + 2  # five years, leap days included


class Laboratory(TimestampMixin, db.Model):
    __tablename__ = "laboratories"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", LAB_KINDS), name="kind"),
        sa.CheckConstraint("length(country) = 2", name="country_alpha2"),
        # Units are in France; partners and joint units are abroad.
        sa.CheckConstraint(
            f"(kind = 'unit') = (country = '{HOME_COUNTRY}')", name="kind_matches_country"
        ),
        sa.CheckConstraint("kind <> 'partner' OR director_id IS NULL", name="partner_no_director"),
        sa.Index("ix_laboratories_kind_country", "kind", "country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    acronym: Mapped[str] = mapped_column(sa.String(30), default="")
    kind: Mapped[str] = mapped_column(sa.String(20))
    institution: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2))
    director_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True
    )
    # A unit whose access is protected: a foreign national entering it needs a security
    # opinion (docs/rules.md, Requirements).
    restricted_zone: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    director = relationship(
        "User", foreign_keys=[director_id], back_populates="directed_laboratories"
    )
    members = relationship(
        "User", foreign_keys="User.home_laboratory_id", back_populates="home_laboratory"
    )

    def __repr__(self):
        return f"<Laboratory {self.acronym or self.name}>"

    @property
    def label(self):
        return f"{self.acronym} — {self.name}" if self.acronym else self.name


class Programme(TimestampMixin, db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        sa.CheckConstraint(in_values("direction", DIRECTIONS), name="direction"),
        sa.CheckConstraint("closes_on >= opens_on", name="dates_in_order"),
        sa.CheckConstraint(
            f"min_days >= 1 AND max_days >= min_days AND max_days <= {MAX_STAY_DAYS}",
            name="day_bounds",
        ),
        sa.CheckConstraint("budget >= 0", name="budget_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    direction: Mapped[str] = mapped_column(sa.String(10), index=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    min_days: Mapped[int] = mapped_column(default=1)
    max_days: Mapped[int] = mapped_column(default=MAX_STAY_DAYS)
    budget: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0.00"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    category_rows = relationship(
        "ProgrammeCategory", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self):
        return f"<Programme {self.name}>"

    @property
    def eligible_categories(self):
        return sorted((row.category for row in self.category_rows), key=CATEGORIES.index)

    @eligible_categories.setter
    def eligible_categories(self, values):
        self.category_rows = rows_for_codes(self.category_rows, "category", values, CATEGORIES,
                                            lambda category: ProgrammeCategory(category=category))

    def is_open_on(self, day):
        return self.active and self.opens_on <= day <= self.closes_on


class ProgrammeCategory(db.Model):
    """One category of people a programme is open to."""

    __tablename__ = "programme_categories"
    __table_args__ = (sa.CheckConstraint(in_values("category", CATEGORIES), name="category"),)

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


RISK_LEVEL_LABELS = {
    "green": _l("Green: normal vigilance"),
    "yellow": _l("Yellow: increased vigilance"),
    "orange": _l("Orange: not recommended unless necessary"),
    "red": _l("Red: formally not recommended"),
}


class Country(db.Model):
    """The risk level of a destination, as the organisation's security officers set it.

    A country without a row is ``green``: only the levels someone set are stored.
    """

    __tablename__ = "countries"
    __table_args__ = (
        sa.CheckConstraint(in_values("risk_level", RISK_LEVELS), name="risk_level"),
        sa.CheckConstraint("length(code) = 2", name="code_alpha2"),
    )

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    risk_level: Mapped[str] = mapped_column(sa.String(10), default="green")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    updated_by = relationship("User")

    def __repr__(self):
        return f"<Country {self.code} {self.risk_level}>"
