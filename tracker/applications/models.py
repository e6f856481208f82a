"""Applications, their documents and their history."""

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship
from flask_babel import lazy_gettext as _l

from tracker.applications.workflow import (
    ACTIONS,
    AMENDMENT_STATUSES,
    OPEN_AMENDMENT,
    RECORDS,
    STATUSES,
)
from tracker.auth.models import User
from tracker.core.countries import EU_EEA_CH, RISK_LEVELS, is_eu_eea_ch, risk_rank
from tracker.core.models import TimestampMixin, UTCDateTime, in_values, utcnow
from tracker.directory.models import DIRECTIONS, Country, Laboratory
from tracker.extensions import db

PURPOSES = (
    "conference",
    "research_stay",
    "fieldwork",
    "secondment",
    "teaching",
    "training",
    "other",
)
PURPOSE_LABELS = {
    "conference": _l("Conference"),
    "research_stay": _l("Research stay"),
    "fieldwork": _l("Fieldwork"),
    "secondment": _l("Secondment"),
    "teaching": _l("Teaching"),
    "training": _l("Training"),
    "other": _l("Other"),
}
DURATION_LABELS = {
    "short": _l("Short (up to 30 days)"),
    "medium": _l("Medium (up to 12 months)"),
    "long": _l("Long (over 12 months)"),
}
DOCUMENT_KINDS = (
    "cv", "invitation_letter", "host_agreement", "insurance", "visa", "report", "other"
)
# Who pays (docs/rules.md): a programme call, decided by the office; or the reviewing
# laboratory's own funds, decided by its director.
FUNDINGS = ("programme", "unit")
FUNDING_LABELS = {
    "programme": _l("Programme call"),
    "unit": _l("Mission on the unit's funds"),
}
COST_KINDS = (
    "travel", "accommodation", "subsistence", "registration", "visa", "insurance", "other"
)
COST_KIND_LABELS = {
    "travel": _l("Travel"),
    "accommodation": _l("Accommodation"),
    "subsistence": _l("Subsistence"),
    "registration": _l("Registration fees"),
    "visa": _l("Visa"),
    "insurance": _l("Insurance"),
    "other": _l("Other"),
}
OPINION_KINDS = ("security", "host")
OPINION_KIND_LABELS = {"security": _l("Security opinion"), "host": _l("Host opinion")}
VERDICTS = ("favourable", "favourable_with_conditions", "unfavourable")
VERDICT_LABELS = {
    "favourable": _l("Favourable"),
    "favourable_with_conditions": _l("Favourable with conditions"),
    "unfavourable": _l("Unfavourable"),
}
# The step a requirement must be met before.
BLOCKED_STEPS = ("submit", "approve")


# Duration categories (docs/rules.md): each with the longest stay it covers, in days; "long" has
# no bound. The Python function and the SQL expressions below all read this one table.
DURATION_CATEGORIES = (("short", 30), ("medium", 365), ("long", None))


def duration_days(start, end):
    """Days of a stay, both ends included."""
    return (end - start).days + 1


def duration_category(days):
    """``short`` up to 30 days, ``medium`` up to 12 months, ``long`` beyond."""
    for category, longest in DURATION_CATEGORIES:
        if longest is None or days <= longest:
            return category


def duration_days_expression(dialect_name):
    """SQL for :attr:`Application.duration_days` (both ends included) in ``dialect_name``."""
    if dialect_name == "sqlite":
        spread = sa.func.julianday(Application.end_date) - sa.func.julianday(Application.start_date)
    else:
        spread = Application.end_date - Application.start_date
    return spread + 1


def duration_category_expression(days):
    """SQL naming the duration category of ``days`` (a :func:`duration_days_expression`)."""
    bounded = [(days <= longest, category) for category, longest in DURATION_CATEGORIES if longest]
    return sa.case(*bounded, else_=DURATION_CATEGORIES[-1][0])


def in_duration_category(days, category):
    """SQL condition: ``days`` falls in ``category``."""
    shortest = 1
    for name, longest in DURATION_CATEGORIES:
        if name == category:
            condition = days >= shortest
            return condition if longest is None else sa.and_(condition, days <= longest)
        shortest = longest + 1 if longest else shortest
    raise ValueError(f"unknown duration category {category!r}")


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        sa.CheckConstraint(in_values("status", STATUSES), name="status"),
        sa.CheckConstraint(in_values("direction", DIRECTIONS), name="direction"),
        sa.CheckConstraint(in_values("purpose", PURPOSES), name="purpose"),
        sa.CheckConstraint(in_values("funding", FUNDINGS), name="funding"),
        # A programme call names its programme; a mission on the unit's funds has none.
        sa.CheckConstraint(
            "(funding = 'programme') = (programme_id IS NOT NULL)", name="funding_programme"
        ),
        sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),
        sa.CheckConstraint("requested_amount >= 0", name="requested_not_negative"),
        sa.CheckConstraint(
            "awarded_amount IS NULL OR awarded_amount >= 0", name="awarded_not_negative"
        ),
        sa.CheckConstraint("home_laboratory_id <> host_laboratory_id", name="two_laboratories"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index("ix_applications_status_created", "status", "created_at", "id"),
        sa.Index("ix_applications_applicant_dates", "applicant_id", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    direction: Mapped[str] = mapped_column(sa.String(10), index=True)
    funding: Mapped[str] = mapped_column(sa.String(10), default="programme",
                                         server_default="programme")
    programme_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="RESTRICT"), index=True
    )
    # The agreement the stay falls under, suggested from its laboratories and dates
    # (docs/rules.md, Agreements); its quota counts the stay once approved.
    agreement_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="SET NULL"), index=True
    )
    # Free text: the unit's accounting reference, for instance.
    budget_line: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    home_laboratory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("laboratories.id", ondelete="RESTRICT"), index=True
    )
    host_laboratory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("laboratories.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.String(20))
    start_date: Mapped[date]
    end_date: Mapped[date]
    requested_amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=Decimal("0.00"))
    awarded_amount: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(12, 2))
    justification: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Since when someone has had to act on it (access.waiting_on says who): the time it
    # entered its status, or an opinion was given. None once nobody has to (approved, ended).
    waiting_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    programme = relationship("Programme")
    agreement = relationship("Agreement")
    applicant = relationship("User", foreign_keys=[applicant_id])
    home_laboratory = relationship("Laboratory", foreign_keys=[home_laboratory_id])
    host_laboratory = relationship("Laboratory", foreign_keys=[host_laboratory_id])
    documents = relationship(
        "Document", back_populates="application", order_by="Document.id",
        cascade="all, delete-orphan",
    )
    events = relationship(
        "Event", back_populates="application", order_by="Event.id",
        cascade="all, delete-orphan",
    )
    cost_items = relationship(
        "CostItem", back_populates="application", order_by="CostItem.position",
        cascade="all, delete-orphan",
    )
    opinions = relationship(
        "Opinion", back_populates="application", order_by="Opinion.id",
        cascade="all, delete-orphan",
    )
    amendments = relationship(
        "Amendment", back_populates="application", order_by="Amendment.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<Application {self.reference} {self.status}>"

    # The reviewing laboratory: the home laboratory for outgoing stays, the host laboratory
    # for incoming ones (docs/rules.md, Workflow). Written once here; the access module, the
    # review queues, the statistics and the notifications all ask these.
    @hybrid_property
    def reviewing_laboratory_id(self):
        return self.home_laboratory_id if self.direction == "outgoing" else self.host_laboratory_id

    @reviewing_laboratory_id.inplace.expression
    @classmethod
    def _reviewing_laboratory_id_expression(cls):
        return sa.case(
            (cls.direction == "outgoing", cls.home_laboratory_id), else_=cls.host_laboratory_id
        )

    @classmethod
    def reviewed_by(cls, laboratory_ids):
        """Applications whose reviewing laboratory is one of ``laboratory_ids``.

        The same rule as :attr:`reviewing_laboratory_id`, written so that the database can
        use the indexes on the home and host laboratory columns.
        """
        return sa.or_(
            sa.and_(cls.direction == "outgoing", cls.home_laboratory_id.in_(laboratory_ids)),
            sa.and_(cls.direction == "incoming", cls.host_laboratory_id.in_(laboratory_ids)),
        )

    @property
    def reviewing_laboratory(self):
        return self.home_laboratory if self.direction == "outgoing" else self.host_laboratory

    @property
    def abroad_laboratory(self):
        """The laboratory abroad: where an outgoing stay goes, where a visitor comes from
        (the other side of the reviewing laboratory)."""
        return self.host_laboratory if self.direction == "outgoing" else self.home_laboratory

    @property
    def duration_days(self):
        return duration_days(self.start_date, self.end_date)

    @property
    def duration_category(self):
        return duration_category(self.duration_days)


class CostItem(db.Model):
    """One line of what a stay costs. When an application has any, its requested amount is
    their sum (docs/rules.md)."""

    __tablename__ = "cost_items"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", COST_KINDS), name="kind"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.Index("ix_cost_items_application_id_position", "application_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))

    application = relationship("Application", back_populates="cost_items")


class Opinion(db.Model):
    """A security or host opinion given on an application. Written once, never changed:
    a later opinion of the same kind supersedes it."""

    __tablename__ = "opinions"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", OPINION_KINDS), name="kind"),
        sa.CheckConstraint(in_values("verdict", VERDICTS), name="verdict"),
        sa.Index("ix_opinions_application_id_kind_id", "application_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(10))
    verdict: Mapped[str] = mapped_column(sa.String(30))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application = relationship("Application", back_populates="opinions")
    author = relationship("User")


class RequirementRule(TimestampMixin, db.Model):
    """When a requirement applies, and what it asks before which step (docs/rules.md).

    Every condition left empty (None, False) matches everything; a rule applies when all
    its conditions hold. It requires either a document kind or an opinion kind.
    """

    __tablename__ = "requirement_rules"
    __table_args__ = (
        sa.CheckConstraint(
            "direction IS NULL OR " + in_values("direction", DIRECTIONS), name="direction"
        ),
        sa.CheckConstraint(
            "min_risk_level IS NULL OR " + in_values("min_risk_level", RISK_LEVELS),
            name="min_risk_level",
        ),
        sa.CheckConstraint("min_days IS NULL OR min_days >= 1", name="min_days_positive"),
        sa.CheckConstraint(in_values("blocks", BLOCKED_STEPS), name="blocks"),
        sa.CheckConstraint(
            "(document_kind IS NULL) <> (opinion_kind IS NULL)", name="requires_one_thing"
        ),
        sa.CheckConstraint(
            "document_kind IS NULL OR " + in_values("document_kind", DOCUMENT_KINDS),
            name="document_kind",
        ),
        sa.CheckConstraint(
            "opinion_kind IS NULL OR " + in_values("opinion_kind", OPINION_KINDS),
            name="opinion_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the API calls the requirement: security_opinion, host_agreement, ...
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))
    # Conditions.
    direction: Mapped[Optional[str]] = mapped_column(sa.String(10))
    min_days: Mapped[Optional[int]]
    min_risk_level: Mapped[Optional[str]] = mapped_column(sa.String(10))
    non_eu_national: Mapped[bool] = mapped_column(default=False)
    host_restricted: Mapped[bool] = mapped_column(default=False)
    host_joint_unit_director: Mapped[bool] = mapped_column(default=False)
    # Comma-separated purposes; empty: any purpose.
    purposes: Mapped[str] = mapped_column(sa.String(200), default="")
    # What it requires, and before which step.
    document_kind: Mapped[Optional[str]] = mapped_column(sa.String(20))
    opinion_kind: Mapped[Optional[str]] = mapped_column(sa.String(10))
    blocks: Mapped[str] = mapped_column(sa.String(10), default="approve")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self):
        return f"<RequirementRule {self.code} {self.name!r}>"

    @property
    def purpose_list(self):
        return [purpose for purpose in self.purposes.split(",") if purpose]


# When a rule applies (docs/rules.md, Requirements) ------------------------------------------
# Written twice, once in Python for an application in hand (:func:`rule_applies`) and once in
# SQL for the queues and the visibility of security officers and host directors
# (:func:`rule_applies_sql`); ``tests/applications/test_requirements.py`` checks that the two
# agree. Both read the same columns of a rule: an empty condition matches everything.
def destination_risk_level(application):
    """The risk level of the host laboratory's country (a country without a row is green)."""
    host = application.host_laboratory
    country = db.session.get(Country, host.country) if host is not None else None
    return country.risk_level if country is not None else "green"


def rule_applies(rule, application, risk_level):
    """True when every condition of ``rule`` holds for ``application``.

    ``risk_level`` is the destination's (:func:`destination_risk_level`), asked once by the
    caller for all the rules.
    """
    host = application.host_laboratory
    applicant = application.applicant
    return (
        (not rule.direction or rule.direction == application.direction)
        and (not rule.min_days or application.duration_days >= rule.min_days)
        and (not rule.min_risk_level or risk_rank(risk_level) >= risk_rank(rule.min_risk_level))
        and (not rule.non_eu_national or not is_eu_eea_ch(applicant.nationality))
        and (not rule.host_restricted or bool(host.restricted_zone))
        and (not rule.host_joint_unit_director or (
            host.kind == "joint_unit" and host.director_id is not None
            and host.director_id != application.applicant_id))
        and (not rule.purpose_list or application.purpose in rule.purpose_list)
    )


def applicable_rules(application):
    """The active rules that apply to ``application``, in a stable order (by id)."""
    rules = db.session.scalars(
        sa.select(RequirementRule).where(RequirementRule.active.is_(True))
        .order_by(RequirementRule.id)
    ).all()
    risk_level = destination_risk_level(application)
    return [rule for rule in rules if rule_applies(rule, application, risk_level)]


def _risk_rank_sql(level):
    return sa.case({name: rank for rank, name in enumerate(RISK_LEVELS)}, value=level, else_=0)


def rule_applies_sql(rule, host, applicant, country, dialect_name):
    """SQL: the rule row ``rule`` applies to the (outer) :class:`Application` row.

    ``host``, ``applicant`` and ``country`` are aliases of the host laboratory, the applicant
    and the host's country (outer-joined: a missing row is green).
    """
    days = duration_days_expression(dialect_name)
    return sa.and_(
        sa.or_(rule.direction.is_(None), rule.direction == Application.direction),
        sa.or_(rule.min_days.is_(None), days >= rule.min_days),
        sa.or_(
            rule.min_risk_level.is_(None),
            _risk_rank_sql(sa.func.coalesce(country.risk_level, "green"))
            >= _risk_rank_sql(rule.min_risk_level),
        ),
        sa.or_(
            sa.not_(rule.non_eu_national),
            sa.func.upper(sa.func.coalesce(applicant.nationality, "")).not_in(sorted(EU_EEA_CH)),
        ),
        sa.or_(sa.not_(rule.host_restricted), host.restricted_zone.is_(True)),
        sa.or_(
            sa.not_(rule.host_joint_unit_director),
            sa.and_(host.kind == "joint_unit", host.director_id.is_not(None),
                    host.director_id != Application.applicant_id),
        ),
        sa.or_(
            rule.purposes == "",
            (sa.literal(",") + rule.purposes + sa.literal(",")).like(
                sa.literal("%,") + Application.purpose + sa.literal(",%")),
        ),
    )


def applying_rules_sql(dialect_name, *criteria):
    """A correlated SELECT of the ids of the active rules (narrowed by ``criteria`` on the
    rule alias given to them) that apply to the outer :class:`Application` row."""
    rule = aliased(RequirementRule)
    host = aliased(Laboratory)
    applicant = aliased(User)
    country = aliased(Country)
    return (
        sa.select(rule.id)
        .select_from(rule)
        .join(host, host.id == Application.host_laboratory_id)
        .join(applicant, applicant.id == Application.applicant_id)
        .outerjoin(country, country.code == host.country)
        .where(rule.active.is_(True),
               *(criterion(rule) for criterion in criteria),
               rule_applies_sql(rule, host, applicant, country, dialect_name))
        .correlate(Application)
    )


def requires_opinion_sql(kind, dialect_name):
    """SQL: some active rule asking for a ``kind`` opinion applies to the application."""
    return applying_rules_sql(
        dialect_name, lambda rule: rule.opinion_kind == kind).exists()


def has_opinion_sql(kind):
    """SQL: the application carries an opinion of ``kind``."""
    return sa.exists().where(Opinion.application_id == Application.id, Opinion.kind == kind)


class Invitation(TimestampMixin, db.Model):
    """A host's invitation of an incoming visitor: a one-time link to the visitor's account
    and to the draft the host prefilled. Only the link's SHA-256 digest is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    invited_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    host_laboratory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("laboratories.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    invited_by = relationship("User", foreign_keys=[invited_by_id])
    user = relationship("User", foreign_keys=[user_id])
    application = relationship("Application")
    host_laboratory = relationship("Laboratory")


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", DOCUMENT_KINDS), name="kind"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    original_name: Mapped[str] = mapped_column(sa.String(120))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application = relationship("Application", back_populates="documents")
    uploader = relationship("User")


class Event(db.Model):
    """One line of an application's history. Written once, never changed."""

    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint(
            in_values("action", ACTIONS + RECORDS), name="action"
        ),
        sa.Index("ix_events_application_id_id", "application_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The person a stand-in acted for (the actor is the stand-in), else None.
    on_behalf_of_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[Optional[str]] = mapped_column(sa.String(20))
    to_status: Mapped[Optional[str]] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # For an edit or an amendment: ``{field: {"old": ..., "new": ...}}`` in JSON values
    # (validation.changes_between), else None.
    changes: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application = relationship("Application", back_populates="events")
    actor = relationship("User", foreign_keys=[actor_id])
    on_behalf_of = relationship("User", foreign_keys=[on_behalf_of_id])


# The one-open-amendment index: the same condition written for each database.
_OPEN_AMENDMENT_SQL = sa.text(in_values("status", sorted(OPEN_AMENDMENT)))


class Amendment(TimestampMixin, db.Model):
    """A change asked to an approved application (docs/rules.md, Amendments).

    ``changes`` holds the asked new values of the changed fields only, ``previous`` their
    values when it was asked, both in the JSON of ``validation.changes_between``. At most one
    amendment of an application is open (submitted, endorsed or returned): a partial unique
    index says so to both databases, so two people asking at once cannot both succeed.
    """

    __tablename__ = "amendments"
    __table_args__ = (
        sa.CheckConstraint(in_values("status", AMENDMENT_STATUSES), name="status"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "awarded_amount IS NULL OR awarded_amount >= 0", name="awarded_not_negative"
        ),
        sa.Index("ix_amendments_one_open", "application_id", unique=True,
                 sqlite_where=_OPEN_AMENDMENT_SQL, postgresql_where=_OPEN_AMENDMENT_SQL),
        sa.Index("ix_amendments_application_id_id", "application_id", "id"),
        sa.Index("ix_amendments_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    requested_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), default="submitted")
    changes: Mapped[dict] = mapped_column(sa.JSON)
    previous: Mapped[dict] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    # Set by the office when it grants another amount than the one asked.
    awarded_amount: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(12, 2))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    application = relationship("Application", back_populates="amendments")
    requested_by = relationship("User")

    def __repr__(self):
        return f"<Amendment {self.id} of {self.application_id} {self.status}>"

    @property
    def is_open(self):
        return self.status in OPEN_AMENDMENT


class ReferenceCounter(db.Model):
    """The last reference number handed out in a year (``MOB-YYYY-NNNNNN``).

    One row per year, incremented by a single atomic statement, so that two applications
    created at the same moment never get the same number.
    """

    __tablename__ = "reference_counters"
    __table_args__ = (sa.CheckConstraint("last_value >= 0", name="last_value_not_negative"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)
