"""GET /api/v1/stats: counts and committed budget over what the caller may see."""

from datetime import date
from decimal import Decimal

from tests.api.conftest import assert_error


def _world(make, org):
    programme = make.programme("outgoing", name="Travel grants", budget=Decimal("10000.00"))
    make.application(applicant=org.researcher, host=org.partner, programme=programme,
                     status="approved", awarded_amount=Decimal("1200.50"),
                     start_date=date(2031, 3, 1), end_date=date(2031, 3, 10))
    make.application(applicant=org.researcher, host=org.joint, programme=programme,
                     status="completed", awarded_amount=Decimal("800.00"),
                     start_date=date(2030, 3, 1), end_date=date(2030, 3, 10))
    make.application(applicant=org.researcher, host=org.partner, programme=programme,
                     status="submitted", start_date=date(2031, 5, 1),
                     end_date=date(2031, 5, 10))
    make.application(applicant=org.other_researcher, host=org.partner, programme=programme,
                     status="approved", awarded_amount=Decimal("5000.00"),
                     start_date=date(2031, 6, 1), end_date=date(2031, 6, 10))
    return programme


def test_admin_sees_everything(api, make, org):
    programme = _world(make, org)
    response = api.get("/api/v1/stats", org.admin)
    assert response.status_code == 200
    stats = response.get_json()
    assert stats["year"] is None
    assert stats["total"] == 4
    assert stats["by_status"] == {"approved": 2, "completed": 1, "submitted": 1}
    assert stats["by_direction"] == {"outgoing": 4}
    assert stats["by_host_country"] == {"DE": 3, "JP": 1}
    by_lab = {row["laboratory_id"]: row["count"] for row in stats["by_laboratory"]}
    assert by_lab == {org.unit.id: 3, org.other_unit.id: 1}
    assert stats["budget_committed"] == [{
        "programme_id": programme.id, "name": "Travel grants", "budget": "10000.00",
        "committed": "7000.50",
    }]


def test_year_keeps_stays_starting_that_year(api, make, org):
    _world(make, org)
    stats = api.get("/api/v1/stats?year=2031", org.admin).get_json()
    assert stats["year"] == 2031
    assert stats["total"] == 3
    assert stats["budget_committed"][0]["committed"] == "6200.50"


def test_scoped_by_visibility(api, make, org):
    _world(make, org)
    researcher = api.get("/api/v1/stats", org.researcher).get_json()
    assert researcher["total"] == 3
    assert researcher["budget_committed"][0]["committed"] == "2000.50"
    other = api.get("/api/v1/stats", org.other_researcher).get_json()
    assert other["total"] == 1
    director = api.get("/api/v1/stats", org.director).get_json()
    assert director["total"] == 3  # the unit's applications
    other_director = api.get("/api/v1/stats", org.other_director).get_json()
    assert other_director["total"] == 1
    assert other_director["by_host_country"] == {"DE": 1}


def test_empty_for_someone_with_nothing(api, make, org):
    stats = api.get("/api/v1/stats", org.researcher).get_json()
    assert stats["total"] == 0
    assert stats["by_status"] == {} and stats["budget_committed"] == []


def test_refusals(api, org):
    assert_error(api.get("/api/v1/stats"), 401, "not_authenticated")
    for bad in ("year=abc", "year=12", "year=2031&year=2032", "month=3"):
        error = assert_error(api.get(f"/api/v1/stats?{bad}", org.admin), 422, "invalid")
        assert error["fields"]


# Funding and cost items ------------------------------------------------------------------------
def _missions(make, org):
    """Unit missions and cost items on top of :func:`_world` (its figures stay as they are,
    except where these add to them)."""
    from tests.reports.funding_world import add_cost_items, unit_mission

    mission = unit_mission(make, applicant=org.researcher, host=org.partner,
                           status="approved", awarded_amount=Decimal("700.00"),
                           start_date=date(2031, 4, 1), end_date=date(2031, 4, 3))
    add_cost_items(mission, ("travel", "450.00"), ("accommodation", "250.00"))
    other = unit_mission(make, applicant=org.other_researcher, host=org.partner,
                         status="submitted", start_date=date(2030, 2, 1),
                         end_date=date(2030, 2, 2))
    add_cost_items(other, ("travel", "120.00"), ("insurance", "30.25"))


def _with_costs_on_a_call(make, org):
    programme = _world(make, org)
    from tests.reports.funding_world import add_cost_items
    from tracker.applications.models import Application
    from tracker.extensions import db
    import sqlalchemy as sa

    submitted = db.session.scalar(sa.select(Application).where(
        Application.status == "submitted", Application.programme_id == programme.id))
    add_cost_items(submitted, ("registration", "300.00"), ("travel", "1200.00"))
    _missions(make, org)
    return programme


def test_by_funding_and_cost_by_kind(api, make, org):
    programme = _with_costs_on_a_call(make, org)
    stats = api.get("/api/v1/stats", org.admin).get_json()
    assert stats["total"] == 6
    assert stats["by_funding"] == {
        "programme": {"count": 4, "requested": "6000.00", "awarded": "7000.50"},
        "unit": {"count": 2, "requested": "850.25", "awarded": "700.00"},
    }
    assert stats["cost_by_kind"] == {"travel": "1770.00", "accommodation": "250.00",
                                     "insurance": "30.25", "registration": "300.00"}
    # The missions' awards count against no programme's budget.
    assert stats["budget_committed"] == [{
        "programme_id": programme.id, "name": "Travel grants", "budget": "10000.00",
        "committed": "7000.50",
    }]
    # Unit missions have no programme but a host country and a reviewing laboratory.
    assert stats["by_host_country"] == {"DE": 5, "JP": 1}


def test_by_funding_and_cost_by_kind_for_a_year(api, make, org):
    _with_costs_on_a_call(make, org)
    stats = api.get("/api/v1/stats?year=2031", org.admin).get_json()
    assert stats["by_funding"] == {
        "programme": {"count": 3, "requested": "4500.00", "awarded": "6200.50"},
        "unit": {"count": 1, "requested": "700.00", "awarded": "700.00"},
    }
    assert stats["cost_by_kind"] == {"travel": "1650.00", "accommodation": "250.00",
                                     "registration": "300.00"}


def test_by_funding_and_cost_by_kind_are_scoped_by_visibility(api, make, org):
    _with_costs_on_a_call(make, org)
    researcher = api.get("/api/v1/stats", org.researcher).get_json()
    assert researcher["by_funding"] == {
        "programme": {"count": 3, "requested": "4500.00", "awarded": "2000.50"},
        "unit": {"count": 1, "requested": "700.00", "awarded": "700.00"},
    }
    assert researcher["cost_by_kind"] == {"travel": "1650.00", "accommodation": "250.00",
                                          "registration": "300.00"}
    other_director = api.get("/api/v1/stats", org.other_director).get_json()
    assert other_director["by_funding"] == {
        "programme": {"count": 1, "requested": "1500.00", "awarded": "5000.00"},
        "unit": {"count": 1, "requested": "150.25", "awarded": "0.00"},
    }
    assert other_director["cost_by_kind"] == {"travel": "120.00", "insurance": "30.25"}


def test_by_funding_and_cost_by_kind_empty(api, make, org):
    stats = api.get("/api/v1/stats", org.researcher).get_json()
    assert stats["by_funding"] == {} and stats["cost_by_kind"] == {}
