"""Unit missions and cost items for the report tests, written directly like the factory's
applications (the factory always names a programme)."""

from datetime import date
from decimal import Decimal

from tracker.applications.models import CostItem
from tracker.extensions import db


def unit_mission(make, budget_line="UNIT-MISSIONS", **fields):
    """An application on the reviewing unit's own funds: no programme, a budget line."""
    application = make.application(**fields)
    application.programme = None
    application.funding = "unit"
    application.budget_line = budget_line
    db.session.commit()
    return application


def add_cost_items(application, *items):
    """``items`` as (kind, amount) pairs; the requested amount becomes their sum, as the
    services keep it."""
    for position, (kind, amount) in enumerate(items):
        application.cost_items.append(
            CostItem(position=position, kind=kind, description=f"{kind} {position}",
                     amount=Decimal(amount)))
    application.requested_amount = sum((Decimal(amount) for _kind, amount in items),
                                       Decimal("0.00"))
    db.session.commit()
    return application


def funded_world(make, org, apps):
    """Two unit missions with cost items, cost items on a programme call, an award.

    Known figures over everything (an admin's view):
    - programme: 5 applications, requested 7500.00, awarded 1200.00 (ada_de, approved);
    - unit: 2 missions, requested 1320.50, awarded 900.00 (ada_mission, approved);
    - costs: travel 1900.00, accommodation 250.00, registration 50.00, subsistence 120.50,
      visa 500.00; none of insurance or other.
    """
    ada_mission = unit_mission(
        make, applicant=org["ada"], host=org["partner_us"], status="approved",
        budget_line="UNITA-MISSIONS-2024", title="Mission to Boston",
        start_date=date(2024, 6, 3), end_date=date(2024, 6, 7),
        awarded_amount=Decimal("900.00"))
    add_cost_items(ada_mission, ("travel", "600.00"), ("accommodation", "250.00"),
                   ("registration", "50.00"))
    bob_mission = unit_mission(
        make, applicant=org["bob"], host=org["partner_de"], status="submitted",
        budget_line="UNITB-42", title="Mission to Berlin",
        start_date=date(2024, 9, 10), end_date=date(2024, 9, 12))
    add_cost_items(bob_mission, ("travel", "300.00"), ("subsistence", "120.50"))
    add_cost_items(apps["ada_us"], ("travel", "1000.00"), ("visa", "500.00"))
    apps["ada_de"].awarded_amount = Decimal("1200.00")
    db.session.commit()
    return {"ada_mission": ada_mission, "bob_mission": bob_mission}
