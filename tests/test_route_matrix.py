"""Every route × role, with the expected status written down in ``tests/routes/``."""

import importlib
import pkgutil
from datetime import date, timedelta

import pytest

import tests.routes
from tests.conftest import csrf_token, sign_in
from tests.requirement_world import seed_default_rules, set_risk
from tests.routes import PERSONAS, ROLES
from tracker.applications.models import Amendment
from tracker.extensions import db
from tracker.jobs.models import Job


def _all_routes():
    routes = []
    for module in pkgutil.iter_modules(tests.routes.__path__):
        routes.extend(importlib.import_module(f"tests.routes.{module.name}").ROUTES)
    return routes


ROUTES = _all_routes()


def test_every_endpoint_has_expectations(app):
    listed = {route.endpoint for route in ROUTES}
    missing = sorted(set(app.view_functions) - listed)
    assert not missing, f"endpoints without an entry in tests/routes/: {missing}"
    stale = sorted(listed - set(app.view_functions))
    assert not stale, f"entries for endpoints that no longer exist: {stale}"


def test_every_expectation_covers_every_role():
    for route in ROUTES:
        assert set(ROLES) <= set(route.expect) <= set(ROLES + PERSONAS), route.endpoint


# Every route for the four roles, and for the personas where a route lists them.
CASES = [(route, role) for route in ROUTES for role in (*ROLES, *PERSONAS)
         if role in route.expect]


@pytest.fixture
def world(make):
    """One of everything, for the placeholders of the route paths."""
    unit = make.lab("unit", acronym="UNIT")
    partner = make.lab("partner", acronym="PART")
    director = make.director_of(unit, email="director@example.org")
    researcher = make.user(email="researcher@example.org", lab=unit)
    admin = make.user(roles=("admin",), email="admin@example.org", lab=unit)
    other = make.user(email="other@example.org", lab=unit)
    programme = make.programme("outgoing")
    application = make.application(applicant=researcher, host=partner, programme=programme)
    document = make.document(application, uploader=researcher)
    # Submitted, outgoing to a joint unit in a country at red: it asks for a security
    # opinion and for the joint unit director's host opinion.
    seed_default_rules()
    set_risk("ML", "red")
    joint = make.lab("joint_unit", country="ML", acronym="JOINT")
    host_director = make.director_of(joint, email="host@example.org")
    security_officer = make.user(roles=("security_officer",), email="security@example.org",
                                 lab=unit)
    pending = make.application(applicant=researcher, host=joint, programme=programme,
                               status="submitted")
    # Approved stays: one to ask a change to, one with a change awaiting the director.
    approved = make.application(applicant=researcher, host=partner, programme=programme,
                                status="approved")
    amended = make.application(applicant=researcher, host=partner, programme=programme,
                               status="approved")
    amendment = Amendment(application_id=amended.id, requested_by_id=researcher.id,
                          status="submitted", changes={"end_date": "2099-01-01"},
                          previous={"end_date": amended.end_date.isoformat()}, reason="More")
    db.session.add(amendment)
    db.session.commit()
    notification = make.notification(researcher, application_id=application.id)
    rule = make.rule()
    # The director's stand-in from tomorrow: the researcher (nobody stands in for anyone
    # today, so no other route changes).
    delegation = make.delegation(director, researcher,
                                 starts_on=date.today() + timedelta(days=1))
    agreement = make.agreement([unit, partner, joint])
    agreement_document = make.agreement_document(agreement, admin)
    job = Job(kind="export_xlsx", owner_id=researcher.id, status="running", done=10, total=40)
    db.session.add(job)
    db.session.commit()
    return {
        "users": {"researcher": researcher, "director": director, "admin": admin,
                  "security_officer": security_officer, "host_director": host_director},
        "placeholders": {
            "unit": unit.id,
            "partner": partner.id,
            "programme": programme.id,
            "user": other.id,
            "application": application.id,
            "pending": pending.id,
            "approved": approved.id,
            "amended": amended.id,
            "amendment": amendment.id,
            "document": document.id,
            "notification": notification.id,
            "rule": rule.id,
            "delegation": delegation.id,
            "agreement": agreement.id,
            "agreement_document": agreement_document.id,
            "joint": joint.id,
            "job": job.id,
        },
    }


@pytest.mark.parametrize(("route", "role"), CASES,
                         ids=[f"{role}-{route.method} {route.endpoint}" for route, role in CASES])
def test_route_answers_as_expected(app, world, route, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, world["users"][role])
    path = route.path.format(**world["placeholders"])
    if route.method == "GET":
        response = client.get(path)
    else:
        data = {**route.data, "csrf_token": csrf_token(client, "/auth/password" if role != "anonymous" else "/auth/login")}
        response = client.open(path, method=route.method, data=data)
    assert response.status_code == route.expect[role], (
        f"{role} {route.method} {path}: {response.status_code}, expected {route.expect[role]}"
    )
