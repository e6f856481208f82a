"""The synthetic data generator writes valid rows, in bulk, and refuses to pile up."""

import re

import sqlalchemy as sa

from tracker.applications.models import Application
from tracker.applications.workflow import STATUSES
from tracker.auth.models import User
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db


def test_generate_writes_valid_rows(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["generate", "--applications", "3000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "Generated 3000 applications" in result.output
    applications = db.session.scalars(sa.select(Application)).all()
    assert len(applications) == 3000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) >= 300
    labs = {lab.id: lab for lab in db.session.scalars(sa.select(Laboratory))}
    programmes = {p.id: p for p in db.session.scalars(sa.select(Programme))}
    references = set()
    for application in applications:
        assert re.fullmatch(r"MOB-\d{4}-\d{6}", application.reference)
        references.add(application.reference)
        home, host = labs[application.home_laboratory_id], labs[application.host_laboratory_id]
        if application.direction == "outgoing":
            assert home.kind == "unit" and host.kind in ("partner", "joint_unit")
        else:
            assert host.kind == "unit" and home.kind in ("partner", "joint_unit")
        if application.funding == "programme":
            programme = programmes[application.programme_id]
            assert programme.direction == application.direction
            assert programme.min_days <= application.duration_days <= programme.max_days
        assert (application.awarded_amount is not None) == (
            application.status in ("approved", "completed"))
        assert application.submitted_at is None or application.submitted_at >= application.created_at
    assert len(references) == 3000
    outgoing = sum(a.direction == "outgoing" for a in applications) / len(applications)
    assert 0.9 < outgoing < 0.97
    assert {a.status for a in applications if a.funding == "programme"} == set(STATUSES)
    years = {a.created_at.year for a in applications}
    assert len(years) >= 10
    countries = [labs[a.host_laboratory_id].country for a in applications
                 if a.direction == "outgoing"]
    top = sorted(set(countries), key=countries.count, reverse=True)[:3]
    assert set(top) == {"US", "DE", "GB"}
    # Awarded amounts stay within each programme's budget.
    for programme in programmes.values():
        awarded = sum((a.awarded_amount for a in applications
                       if a.programme_id == programme.id and a.awarded_amount), 0)
        assert awarded <= programme.budget


def test_generate_refuses_a_database_with_applications_unless_forced(app, make):
    make.application()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["generate", "--applications", "50"])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 1
    forced = runner.invoke(args=["generate", "--applications", "50", "--force"])
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 51


def test_large_loads_rebuild_every_index(app, monkeypatch):
    """On PostgreSQL, big loads drop the secondary indexes and references and build them
    again after."""
    from tracker.reports import generate

    monkeypatch.setattr(generate, "REBUILD_INDEXES_FROM", 1)

    def indexes():
        """Indexes and references (dropped too during a big load) of both tables."""
        inspector = sa.inspect(db.engine)
        return {index["name"] for table in ("applications", "cost_items")
                for index in inspector.get_indexes(table)} | {
            key["name"] for table in ("applications", "cost_items")
            for key in inspector.get_foreign_keys(table)}

    before = indexes()
    result = app.test_cli_runner().invoke(args=["generate", "--applications", "200"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    after = indexes()
    assert after == before
    assert {"ix_applications_start_date_facets", "ix_cost_items_application_id_kind_amount",
            "fk_cost_items_application_id_applications"} <= after


def test_an_application_created_after_generating_gets_a_free_reference(app, make):
    """The generator moves the yearly counters past what it wrote: the next application
    created through the services does not collide with a generated reference."""
    from datetime import date

    from tracker.applications.services import create_application

    runner = app.test_cli_runner()
    result = runner.invoke(args=["generate", "--applications", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    this_year = date.today().year
    generated = db.session.scalars(
        sa.select(Application.reference).where(Application.reference.like(f"MOB-{this_year}-%"))
    ).all()
    assert generated  # the data set covers this year
    unit = make.lab("unit")
    partner = make.lab("partner")
    applicant = make.user(lab=unit)
    programme = make.programme("outgoing")
    start = date.today().replace(year=this_year + 1)
    application = create_application(applicant, "outgoing", {
        "programme_id": programme.id, "home_laboratory_id": unit.id,
        "host_laboratory_id": partner.id, "title": "After the load", "purpose": "conference",
        "start_date": start.isoformat(), "end_date": start.isoformat(),
        "requested_amount": "100.00",
    })
    db.session.commit()
    assert application.reference not in generated
    assert application.reference > max(generated)


def test_generate_writes_unit_missions_and_cost_items_that_sum(app):
    """About 60% unit missions (no programme, a budget line, the director's steps only);
    every application has 1 to 4 cost items summing to its requested amount."""
    from collections import defaultdict

    from tracker.applications.models import COST_KINDS, CostItem

    result = app.test_cli_runner().invoke(
        args=["generate", "--applications", "2000", "--seed", "11"])
    assert result.exit_code == 0, result.output
    applications = db.session.scalars(sa.select(Application)).all()
    labs = {lab.id: lab for lab in db.session.scalars(sa.select(Laboratory))}
    missions = [a for a in applications if a.funding == "unit"]
    assert 0.55 < len(missions) / len(applications) < 0.65
    for mission in missions:
        assert mission.programme_id is None
        reviewing = labs[mission.reviewing_laboratory_id]
        assert reviewing.kind == "unit"
        assert mission.budget_line == f"{reviewing.acronym}-MISSIONS-{mission.start_date.year}"
        assert mission.status not in ("endorsed", "rejected")
        if mission.status in ("approved", "completed"):
            assert mission.awarded_amount == mission.requested_amount
    assert {m.status for m in missions} == set(STATUSES) - {"endorsed", "rejected"}
    for call in (a for a in applications if a.funding == "programme"):
        assert call.programme_id is not None and call.budget_line == ""
    items = defaultdict(list)
    for item in db.session.scalars(sa.select(CostItem)):
        items[item.application_id].append(item)
    assert set(items) == {a.id for a in applications}
    kinds = set()
    for application in applications:
        mine = sorted(items[application.id], key=lambda item: item.position)
        assert 1 <= len(mine) <= 4
        assert [item.position for item in mine] == list(range(len(mine)))
        assert mine[0].kind == "travel"
        assert len({item.kind for item in mine}) == len(mine)
        assert all(item.amount > 0 for item in mine)
        assert sum(item.amount for item in mine) == application.requested_amount
        kinds |= {item.kind for item in mine}
    assert kinds == set(COST_KINDS)
    counts = {len(group) for group in items.values()}
    assert counts == {1, 2, 3, 4}


def test_generated_cost_items_can_be_added_to(app, make):
    """The cost items' id sequence follows the rows written with explicit ids."""
    from decimal import Decimal

    from tracker.applications.models import CostItem

    result = app.test_cli_runner().invoke(args=["generate", "--applications", "50"])
    assert result.exit_code == 0, result.output
    application = make.application()
    application.cost_items.append(CostItem(kind="travel", amount=Decimal("12.00")))
    db.session.commit()
    assert application.cost_items[0].id > db.session.scalar(
        sa.select(sa.func.max(CostItem.id)).where(CostItem.application_id != application.id))


def test_generate_writes_agreements_and_links_the_stays_they_cover(app):
    from datetime import date

    from tracker.agreements.models import Agreement

    result = app.test_cli_runner().invoke(args=["generate", "--applications", "3000",
                                                "--seed", "11"])
    assert result.exit_code == 0, result.output
    today = date.today()
    agreements = {row.id: row for row in db.session.scalars(sa.select(Agreement))}
    statuses = {agreement.status_on(today) for agreement in agreements.values()}
    assert {"in_force", "expired", "terminated"} <= statuses
    assert any(agreement.status == "in_force"
               and 0 <= (agreement.ends_on - today).days <= 183
               for agreement in agreements.values())
    for agreement in agreements.values():
        assert agreement.units and agreement.partners
    linked = db.session.scalars(sa.select(Application).where(
        Application.agreement_id.is_not(None))).all()
    assert linked
    for application in linked:
        agreement = agreements[application.agreement_id]
        covered = {lab.id for lab in agreement.laboratories}
        assert {application.home_laboratory_id, application.host_laboratory_id} <= covered
        assert agreement.starts_on <= application.start_date <= agreement.ends_on
