"""The default requirement rules and a small organisation that meets each of them, for the
tests of requirements, opinions and their visibility (tests/applications, tests/api,
tests/review, tests/test_access.py and the route matrix)."""

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.applications.models import Opinion, RequirementRule
from tracker.directory.models import Country
from tracker.extensions import db

NO_FLAGS = {"non_eu_national": False, "host_restricted": False,
            "host_joint_unit_director": False}
# The five defaults of docs/rules.md, as the migration seeds them.
DEFAULT_RULES = (
    dict(code="security_opinion", name="Outgoing stay in a country at orange or red",
         direction="outgoing", min_risk_level="orange", opinion_kind="security",
         blocks="approve", **NO_FLAGS),
    dict(code="security_opinion", name="Foreign national entering a restricted-zone unit",
         direction="incoming", opinion_kind="security", blocks="approve",
         **{**NO_FLAGS, "non_eu_national": True, "host_restricted": True}),
    dict(code="host_agreement", name="Stay over 90 days by a non-EU national",
         direction="incoming", min_days=91, document_kind="host_agreement", blocks="approve",
         **{**NO_FLAGS, "non_eu_national": True}),
    dict(code="host_opinion", name="Outgoing stay in a joint unit directed by someone else",
         direction="outgoing", opinion_kind="host", blocks="approve",
         **{**NO_FLAGS, "host_joint_unit_director": True}),
    dict(code="invitation_letter", name="Research stay or secondment over 30 days",
         min_days=31, purposes="research_stay,secondment", document_kind="invitation_letter",
         blocks="submit", **NO_FLAGS),
)


def seed_default_rules():
    """Exactly the default rules (the migration's rows are gone after the first test)."""
    db.session.execute(sa.delete(RequirementRule))
    for values in DEFAULT_RULES:
        db.session.add(RequirementRule(**{"purposes": "", **values}))
    db.session.commit()


def set_risk(code, level):
    country = db.session.get(Country, code) or Country(code=code)
    country.risk_level = level
    db.session.add(country)
    db.session.commit()


def build_world(make):
    """Rules, risk levels and people: ``w[...]`` names each."""
    seed_default_rules()
    set_risk("ML", "red")
    set_risk("UA", "orange")
    set_risk("BR", "yellow")
    w = {}
    w["unit"] = make.lab("unit", acronym="UNIT")
    w["restricted"] = make.lab("unit", acronym="SECRET", restricted_zone=True)
    w["partner_de"] = make.lab("partner", country="DE", acronym="BERLIN")
    w["partner_ml"] = make.lab("partner", country="ML", acronym="BAMAKO")
    w["partner_br"] = make.lab("partner", country="BR", acronym="RIO")
    w["joint"] = make.lab("joint_unit", country="JP", acronym="JOINT")
    w["director"] = make.director_of(w["unit"], full_name="Unit Director")
    w["restricted_director"] = make.director_of(w["restricted"], full_name="Secret Director")
    w["host"] = make.director_of(w["joint"], full_name="Host Director", nationality="JP")
    w["researcher"] = make.user(lab=w["unit"], full_name="Rita Researcher")
    w["other"] = make.user(lab=w["unit"], full_name="Otto Other")
    w["security"] = make.user(roles=("security_officer",), lab=w["unit"],
                              full_name="Sam Security")
    w["admin"] = make.user(roles=("admin",), lab=w["unit"], full_name="Ada Admin")
    w["visitor"] = make.user(lab=w["partner_br"], nationality="BR", full_name="Vera Visitor")
    w["out_programme"] = make.programme("outgoing")
    w["in_programme"] = make.programme("incoming")
    return w


def outgoing(make, w, host, status="submitted", days=10, applicant=None, **fields):
    start = fields.pop("start_date", date.today() + timedelta(days=30))
    return make.application(
        applicant=applicant or w["researcher"], status=status, home=w["unit"], host=host,
        programme=w["out_programme"], start_date=start,
        end_date=start + timedelta(days=days - 1), **fields)


def incoming(make, w, host, status="submitted", days=10, applicant=None, **fields):
    start = fields.pop("start_date", date.today() + timedelta(days=30))
    return make.application(
        applicant=applicant or w["visitor"], status=status, direction="incoming",
        home=w["partner_br"], host=host, programme=w["in_programme"], start_date=start,
        end_date=start + timedelta(days=days - 1), **fields)


def as_unit_mission(application):
    """A mission on the reviewing unit's funds: no programme."""
    application.programme = None
    application.funding = "unit"
    db.session.commit()
    return application


def opinion(application, kind, verdict, author, comment="Noted."):
    """An opinion written directly (a fixture, not the service)."""
    row = Opinion(application_id=application.id, kind=kind, verdict=verdict,
                  comment=comment, author_id=author.id)
    db.session.add(row)
    db.session.commit()
    db.session.refresh(application)
    return row
