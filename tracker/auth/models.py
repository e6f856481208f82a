"""People, their roles and their personal API tokens."""

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, lazyload, mapped_column, relationship
from flask_babel import lazy_gettext as _l

from tracker.core.models import TimestampMixin, UTCDateTime, in_values, rows_for_codes
from tracker.extensions import db

ROLES = ("researcher", "director", "admin", "security_officer")
ROLE_LABELS = {
    "researcher": _l("Researcher"),
    "director": _l("Laboratory director"),
    "admin": _l("Administrator"),
    "security_officer": _l("Security officer"),
}
CATEGORIES = ("researcher", "engineer", "phd_student", "postdoc", "other")
CATEGORY_LABELS = {
    "researcher": _l("Researcher"),
    "engineer": _l("Engineer"),
    "phd_student": _l("PhD student"),
    "postdoc": _l("Postdoctoral fellow"),
    "other": _l("Other"),
}

# The interface's languages, each named in its own language (what a reader looks for).
LOCALES = ("en", "fr")
LOCALE_NAMES = {"en": "English", "fr": "Français"}


def new_session_token():
    return secrets.token_urlsafe(24)


class User(TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(in_values("category", CATEGORIES), name="category"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("length(nationality) = 2", name="nationality_alpha2"),
        sa.CheckConstraint(in_values("locale", LOCALES), name="locale"),
        # One account per person at the provider, whatever their address becomes there.
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
        sa.CheckConstraint("(oidc_issuer IS NULL) = (oidc_subject IS NULL)",
                           name="oidc_identity_whole"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (a CHECK holds it), so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(20), default="researcher")
    nationality: Mapped[str] = mapped_column(sa.String(2))
    home_laboratory_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("laboratories.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # The language the person chose for pages and messages; None: their browser's, and the
    # default language for messages.
    locale: Mapped[Optional[str]] = mapped_column(sa.String(5))
    # When the person proved they read mail at ``email``. Accounts made by the office, the
    # demo or an invitation are confirmed at once; a self-registered one stays unconfirmed,
    # and so cannot sign in, until its confirmation link is followed.
    email_confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # A unit chosen at self-registration: only a request, until its director confirms it.
    # Anyone may claim any unit, so it must not place them in that unit's queue by itself.
    requested_laboratory_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("laboratories.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # The last sign-in, whatever the way in: with the person's applications, what tells the
    # retention whether the account is still used (None: never signed in).
    last_sign_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # When the person's data was erased (on request or by retention); the row stays, under a
    # pseudonym, so that statistics and other people's histories keep their counts.
    erased_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # The person at the single sign-on provider: its issuer and their stable subject there,
    # set at their first sign-in through it. Matching goes by these, never by the address,
    # which the provider may change.
    oidc_issuer: Mapped[Optional[str]] = mapped_column(sa.String(255))
    oidc_subject: Mapped[Optional[str]] = mapped_column(sa.String(255))
    # Rotated at logout, password change, role change and deactivation: every session
    # and remember-me cookie carries it, so rotating it ends them all.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)

    home_laboratory = relationship(
        "Laboratory", foreign_keys=[home_laboratory_id], back_populates="members"
    )
    requested_laboratory = relationship("Laboratory", foreign_keys=[requested_laboratory_id])
    role_rows = relationship(
        "UserRole", cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )
    # A person's credentials besides the password, loaded only when asked for.
    api_tokens = relationship("ApiToken", back_populates="user", lazy="select",
                              passive_deletes=True)
    calendar_feed = relationship("CalendarFeed", back_populates="user", uselist=False,
                                 lazy="select", passive_deletes=True)
    directed_laboratories = relationship(
        "Laboratory",
        foreign_keys="Laboratory.director_id",
        back_populates="director",
        lazy="selectin",
        order_by="Laboratory.name",
    )

    def __repr__(self):
        return f"<User {self.email}>"

    # Roles -----------------------------------------------------------------
    @property
    def roles(self):
        return sorted((row.role for row in self.role_rows), key=ROLES.index)

    @roles.setter
    def roles(self, values):
        self.role_rows = rows_for_codes(self.role_rows, "role", values, ROLES,
                                        lambda role: UserRole(role=role))

    def has_role(self, role):
        return any(row.role == role for row in self.role_rows)

    @property
    def is_admin(self):
        return self.has_role("admin")

    @property
    def is_director(self):
        return self.has_role("director")

    @property
    def is_security_officer(self):
        return self.has_role("security_officer")

    # Flask-Login -------------------------------------------------------------
    @property
    def email_confirmed(self):
        return self.email_confirmed_at is not None

    @property
    def is_active(self):
        # An unconfirmed address is not yet an account one may use.
        return self.active and self.email_confirmed

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def end_all_sessions(self):
        """Invalidate every session and remember-me cookie of this user."""
        self.session_token = new_session_token()


def name_only():
    """Loader options for a user shown by name only (a list's applicant, who acts next):
    without their roles and directed laboratories, which load eagerly otherwise and would
    cost each page two more statements. Built per call, never when a module is imported."""
    return lazyload(User.role_rows), lazyload(User.directed_laboratories)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        sa.CheckConstraint(in_values("role", ROLES), name="role"),
        # Who holds a role (the administrators, the security officers): every list asks.
        sa.Index("ix_user_roles_role_user_id", "role", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)

    user = relationship("User", back_populates="role_rows")


class ApiToken(TimestampMixin, db.Model):
    """A personal API token. Only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user = relationship("User", back_populates="api_tokens")


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(TimestampMixin, db.Model):
    """The secret that opens one person's iCalendar feed of approved stays.

    It is kept readable (not hashed) because the person needs to see the address again to
    subscribe another device; it only opens a read-only list of their own approved stays,
    and resetting it closes the old address at once.
    """

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)

    user = relationship("User", back_populates="calendar_feed")
