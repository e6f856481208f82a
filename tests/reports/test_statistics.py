"""The figures shared by the dashboard and GET /api/v1/stats."""

from datetime import date
from decimal import Decimal

from tracker.access import visible_applications
from tracker.extensions import db
from tracker.reports import statistics
from tracker.reports.dashboard import dashboard
from tracker.reports.filters import apply_filters


def test_tally_counts_what_occurs(app, org, apps):
    counted = statistics.tally(apply_filters(visible_applications(org["admin"]), year=2024),
                               by_month=True)
    assert counted.total == 3
    assert counted.by_status == {"submitted": 1, "rejected": 1, "endorsed": 1}
    assert counted.by_direction == {"outgoing": 2, "incoming": 1}
    # By month, only the stays that happen (approved, completed): none of these three.
    assert counted.by_month == {}
    assert statistics.tally(visible_applications(org["ada"])).by_month == {}


def test_incoming_stays_count_for_their_host_unit(app, org, apps):
    rows = db.session.execute(statistics.per_reviewing_laboratory(
        visible_applications(org["admin"]))).all()
    counts = {acronym: count for _id, acronym, _name, count in rows}
    # Unit A reviews Ada's three stays abroad and the visitor it hosts; unit B, Bob's.
    assert counts == {"UNITA": 4, "UNITB": 1}


def test_host_countries_are_whole_numbers(app, org, apps):
    rows = db.session.execute(statistics.per_host_country(
        visible_applications(org["admin"]))).all()
    assert dict(rows) == {"US": 2, "DE": 2, org["unit_a"].country: 1}
    assert all(type(count) is int for _country, count in rows)


def test_only_granted_applications_commit_a_budget(app, make, org):
    programme = make.programme("outgoing", name="Counted", budget=Decimal("1000.00"))
    for status, awarded in (("approved", "100.00"), ("completed", "50.50"),
                            ("submitted", None), ("cancelled", "70.00"), ("approved", None)):
        make.application(applicant=org["ada"], status=status, programme=programme,
                         awarded_amount=Decimal(awarded) if awarded else None)
    rows = db.session.execute(statistics.committed_per_programme(
        visible_applications(org["admin"]))).all()
    assert [(programme_id, Decimal(committed), count)
            for programme_id, committed, count in rows] == [
        (programme.id, Decimal("150.50"), 3)]


def test_the_dashboard_and_the_api_agree(client, login, org, apps):
    login(org["director_a"])
    stats = client.get("/api/v1/stats?year=2024").get_json()
    figures = dashboard(org["director_a"], 2024, today=date(2024, 6, 1))
    assert stats["total"] == figures["total"]
    assert stats["by_status"] == {status: count for status, count in figures["by_status"].items()
                                  if count}
    assert {row["laboratory_id"]: row["count"] for row in stats["by_laboratory"]} == {
        laboratory_id: count for laboratory_id, _acronym, _name, count in figures["laboratories"]}
