"""A small organisation for the report tests: two units, each with a director and people,
partners in two countries, and applications of every kind written directly."""

from datetime import date, timedelta

import pytest


@pytest.fixture
def org(make):
    unit_a = make.lab("unit", acronym="UNITA")
    unit_b = make.lab("unit", acronym="UNITB")
    partner_us = make.lab("partner", country="US", acronym="MIT")
    partner_de = make.lab("partner", country="DE", acronym="MPI", city="Berlin")
    director_a = make.director_of(unit_a, full_name="Director Alpha")
    director_b = make.director_of(unit_b, full_name="Director Beta")
    admin = make.user(roles=("admin", "researcher"), lab=unit_a, full_name="Office Admin")
    ada = make.user(lab=unit_a, full_name="Ada Lovelace")
    bob = make.user(lab=unit_b, full_name="Bob Builder")
    visitor = make.user(lab=partner_de, full_name="Vera Visitor", nationality="DE")
    outgoing = make.programme("outgoing", name="Stays abroad")
    incoming = make.programme("incoming", name="Visiting scientists")
    return dict(unit_a=unit_a, unit_b=unit_b, partner_us=partner_us, partner_de=partner_de,
                director_a=director_a, director_b=director_b, admin=admin, ada=ada, bob=bob,
                visitor=visitor, outgoing=outgoing, incoming=incoming)


@pytest.fixture
def apps(make, org):
    """Applications of unit A (Ada, one incoming visitor) and unit B (Bob)."""
    today = date.today()
    o = org
    return {
        "ada_us": make.application(applicant=o["ada"], host=o["partner_us"], status="submitted",
                                   programme=o["outgoing"], title="Quantum optics in Boston",
                                   start_date=date(2024, 3, 1), end_date=date(2024, 3, 10)),
        "ada_de": make.application(applicant=o["ada"], host=o["partner_de"], status="approved",
                                   programme=o["outgoing"], title="Summer school",
                                   start_date=today - timedelta(days=5),
                                   end_date=today + timedelta(days=40)),
        "ada_long": make.application(applicant=o["ada"], host=o["partner_de"],
                                     status="rejected", programme=o["outgoing"],
                                     title="Sabbatical", start_date=date(2024, 1, 1),
                                     end_date=date(2025, 6, 30)),
        "visit_a": make.application(applicant=o["visitor"], direction="incoming",
                                    home=o["partner_de"], host=o["unit_a"],
                                    programme=o["incoming"], status="endorsed",
                                    title="Visiting unit A", start_date=date(2024, 5, 1),
                                    end_date=date(2024, 8, 1)),
        "bob_us": make.application(applicant=o["bob"], host=o["partner_us"], status="approved",
                                   programme=o["outgoing"], title="Secret of unit B",
                                   start_date=today + timedelta(days=10),
                                   end_date=today + timedelta(days=20)),
    }


@pytest.fixture
def missions(make, org, apps):
    """Unit missions and cost items on top of ``apps`` (figures in funding_world)."""
    from tests.reports.funding_world import funded_world

    return funded_world(make, org, apps)
