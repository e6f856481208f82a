"""A mission to a red country, in a real browser: the researcher asks for a unit mission to a
partner laboratory in a country at red, the security officer gives a favourable opinion from
their queue, and the director approves it (no office step: the unit pays)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.browser.test_review_journey import choose, follow_menu, sign_in, sign_out
from tests.requirement_world import seed_default_rules, set_risk
from tracker.applications.models import Application

pytestmark = pytest.mark.browser


def status_of(page):
    return page.locator(".status-badge").first.inner_text()


def test_a_unit_mission_to_a_red_country_from_request_to_approval(page, make, db):
    seed_default_rules()
    set_risk("ML", "red")
    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    make.lab("partner", acronym="USTTB", name="Bamako Sciences", country="ML", city="Bamako")
    director = make.director_of(unit, full_name="Dominique Director")
    researcher = make.user(lab=unit, full_name="Romain Researcher")
    security = make.user(roles=("security_officer",), lab=unit, full_name="Sam Security")
    start = date.today() + timedelta(days=30)

    # The researcher asks for a mission on the unit's funds and submits it.
    sign_in(page, researcher)
    page.goto("/applications/new/outgoing")
    page.get_by_label("Mission on the unit's funds").check()
    page.get_by_label("Budget line").fill("LPMC-MISSIONS")
    choose(page.get_by_label("Host laboratory"), "USTTB")
    page.get_by_label("Title").fill("Field measurements in Bamako")
    page.get_by_label("Purpose").select_option("fieldwork")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill((start + timedelta(days=6)).isoformat())
    page.get_by_label("Cost 1: what it is for").select_option("travel")
    page.get_by_label("Cost 1: amount (EUR)").fill("1,250.00")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    assert "Submitted" in status_of(page)
    requirements = page.locator("#requirements").inner_text()
    assert re.search(r"Mali is at red", requirements), requirements
    sign_out(page)

    # The security officer gives a favourable opinion from their queue.
    sign_in(page, security)
    follow_menu(page, "Security opinions")
    page.get_by_role("link", name=re.compile(r"MOB-\d{4}-\d{6}")).first.click()
    page.get_by_label("Favourable", exact=True).check()
    page.get_by_role("button", name="Record the opinion").click()
    # Nothing else awaits an opinion: back to the queue, told so.
    assert "Nothing else waits in this queue." in page.locator(".flash-messages").inner_text()
    assert page.url.endswith("/review/security")
    sign_out(page)

    # The director sees a unit mission in their queue and approves it: no office step.
    sign_in(page, director)
    follow_menu(page, "Review queue")
    row = page.get_by_role("row").filter(has_text="Field measurements in Bamako")
    assert "Unit mission" in row.inner_text()
    row.get_by_role("link", name=re.compile(r"MOB-\d{4}-\d{6}")).click()
    assert page.get_by_label("Awarded amount (EUR)").input_value() == "1250.00"
    page.get_by_role("button", name="Approve", exact=True).click()
    assert "Approved" in page.locator(".flash-messages").inner_text()
    assert page.url.endswith("/review/director")

    db.session.expire_all()
    application = db.session.scalar(db.select(Application))
    assert (application.funding, application.status) == ("unit", "approved")
    assert application.awarded_amount == Decimal("1250.00")
