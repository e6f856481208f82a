"""The duty-of-care registers: where people are (abroad, or visiting a unit in France) over
a period, and a laboratory's stays."""

from dataclasses import dataclass
from datetime import date
from typing import Optional

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

from tracker.applications.models import Application
from tracker.applications.workflow import GRANTED
from tracker.auth.models import name_only
from tracker.access import can_see_contact_details, visible_applications
from tracker.core.countries import RISK_LEVELS, country_name, is_country
from tracker.directory.badges import risk_level_of
from tracker.directory.models import RISK_LEVEL_LABELS, Country, Laboratory
from tracker.extensions import db

# The applicant, joined, by name only (:func:`tracker.auth.models.name_only`). Built per
# call: building a loader option at import time would configure the mappers too early.
def applicant_only():
    return joinedload(Application.applicant).options(*name_only())


PRESENCE_DIRECTIONS = ("both", "outgoing", "incoming")
PRESENCE_DIRECTION_LABELS = {
    "both": _l("Both directions"),
    "outgoing": _l("Abroad"),
    "incoming": _l("Visiting France"),
}
# A period longer than this is a report of years, not a register of who is where.
PRESENCE_MAX_DAYS = 366


@dataclass(frozen=True)
class PresenceFilters:
    """What the presence register shows: a period, a direction, and optional filters on
    the unit in France, the country on the other side and that country's risk level."""

    first_day: date
    last_day: date
    direction: str = "both"
    laboratory_id: Optional[int] = None
    country: Optional[str] = None
    risk_level: Optional[str] = None

    @classmethod
    def from_args(cls, args, laboratory_ids, today=None):
        """The filters a query string asks for, and ``{field: message}`` for each value
        that cannot be used (the page shows them next to their fields).

        ``laboratory_ids`` are the units the reader may filter by.
        """
        today = today or date.today()
        errors = {}
        first_day = _day(args.get("from", ""), today, "from", errors)
        last_day = _day(args.get("to", ""), first_day, "to", errors)
        if not errors and last_day < first_day:
            errors["to"] = _("The end of the period cannot be before its start.")
        elif not errors and (last_day - first_day).days >= PRESENCE_MAX_DAYS:
            errors["to"] = _("Choose a period of at most %(days)d days.",
                             days=PRESENCE_MAX_DAYS)
        direction = args.get("direction", "") or "both"
        if direction not in PRESENCE_DIRECTIONS:
            errors["direction"] = _("Choose a direction from the list.")
        laboratory = args.get("laboratory", "")
        laboratory_id = int(laboratory) if laboratory.isascii() and laboratory.isdigit() else None
        if laboratory and laboratory_id not in laboratory_ids:
            errors["laboratory"] = _("Choose a unit from the list.")
        country = args.get("country", "").upper()
        if country and not is_country(country):
            errors["country"] = _("Choose a country from the list.")
        risk_level = args.get("risk_level", "")
        if risk_level and risk_level not in RISK_LEVELS:
            errors["risk_level"] = _("Choose a risk level from the list.")
        if errors:
            return cls(today, today), errors
        return cls(first_day, last_day, direction, laboratory_id, country or None,
                   risk_level or None), {}

    def url_args(self):
        """The query string that gives these filters back (the export links keep them)."""
        args = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
                "direction": self.direction, "laboratory": self.laboratory_id,
                "country": self.country, "risk_level": self.risk_level}
        return {key: value for key, value in args.items() if value}


def _day(text, default, field, errors):
    """An ISO day of the query string, ``default`` when blank; an error otherwise."""
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return default
    return day


MIN_YEAR, MAX_YEAR = 1900, 2999


class Presence:
    """The SQL pieces of the presence register: the laboratory in France, the one abroad,
    and the country on the other side with its risk level (a country without a row is
    green)."""

    home = aliased(Laboratory, name="presence_home")
    host = aliased(Laboratory, name="presence_host")
    country = sa.case((Application.direction == "outgoing", host.country),
                      else_=home.country)
    risk_level = sa.func.coalesce(Country.risk_level, "green")


def presence_stays(user, filters):
    """A SELECT of the stays (approved or completed) that overlap the period of
    ``filters``: people abroad (outgoing) and people visiting a unit in France (incoming),
    among the applications ``user`` may see.

    The country filtered on is the one on the other side: where an outgoing stay goes,
    where an incoming visitor comes from.
    """
    query = (
        visible_applications(user)
        .join(Presence.home, Presence.home.id == Application.home_laboratory_id)
        .join(Presence.host, Presence.host.id == Application.host_laboratory_id)
        .outerjoin(Country, Country.code == Presence.country)
        .where(Application.status.in_(GRANTED),
               Application.start_date <= filters.last_day,
               Application.end_date >= filters.first_day)
    )
    if filters.direction != "both":
        query = query.where(Application.direction == filters.direction)
    if filters.laboratory_id is not None:
        query = query.where(Application.reviewed_by([filters.laboratory_id]))
    if filters.country:
        query = query.where(Presence.country == filters.country)
    if filters.risk_level:
        query = query.where(Presence.risk_level == filters.risk_level)
    return query


def presence_rows(user, filters):
    """:func:`presence_stays` with what a row shows loaded, in the register's order:
    by direction, country, start and id."""
    return (
        presence_stays(user, filters)
        .options(applicant_only(), joinedload(Application.host_laboratory),
                 joinedload(Application.home_laboratory))
        .order_by(Application.direction.desc(), Presence.country, Application.start_date,
                  Application.id)
    )


def presence_by_country(user, filters):
    """(direction, country, count) of :func:`presence_stays`, in one GROUP BY:
    people abroad first, then visitors, each by count, most first."""
    count = sa.func.count().label("count")
    return db.session.execute(
        presence_stays(user, filters)
        .with_only_columns(Application.direction, Presence.country.label("country"), count)
        .group_by(Application.direction, Presence.country)
        .order_by(Application.direction.desc(), sa.desc("count"), "country")
    ).all()


def presence_export(user, filters):
    """The register's headers and rows (every page) for a CSV or XLSX export: the page's
    columns, the contact only where the page shows it, names in the reader's language."""
    headers = [_("Reference"), _("Person"), _("Contact"), _("Where"), _("Unit in France"),
               _("Laboratory abroad"), _("City"), _("Country"), _("Risk level"), _("From"),
               _("To")]
    direction_labels = {key: str(label) for key, label in PRESENCE_DIRECTION_LABELS.items()}
    risk_labels = {key: str(label) for key, label in RISK_LEVEL_LABELS.items()}

    def rows():
        stays = db.session.scalars(
            presence_rows(user, filters).execution_options(yield_per=EXPORT_CHUNK_ROWS))
        for application in stays:
            abroad = application.abroad_laboratory
            yield (application.reference, application.applicant.full_name,
                   application.applicant.email
                   if can_see_contact_details(user, application) else "",
                   direction_labels[application.direction],
                   _laboratory_label(application.reviewing_laboratory),
                   abroad.name, abroad.city, country_name(abroad.country),
                   risk_labels[risk_level_of(abroad.country)],
                   application.start_date, application.end_date)

    return headers, rows()


EXPORT_CHUNK_ROWS = 500


def _laboratory_label(laboratory):
    return laboratory.acronym or laboratory.name


def laboratory_stays(user, laboratory_id, first_day, last_day, limit=200):
    """Approved or completed stays reviewed by a laboratory that overlap a period."""
    return list(db.session.scalars(
        visible_applications(user)
        .where(
            Application.status.in_(GRANTED),
            Application.reviewed_by([laboratory_id]),
            Application.start_date <= last_day,
            Application.end_date >= first_day,
        )
        .options(applicant_only(), joinedload(Application.host_laboratory),
                 joinedload(Application.home_laboratory))
        .order_by(Application.start_date, Application.id)
        .limit(limit)
    ))
