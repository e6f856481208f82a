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
