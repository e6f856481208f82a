"""An agreement in a real browser: the office records it from the partnerships page, and a
researcher's draft to the partner falls under it, the quota in view."""

import re
from datetime import date, timedelta

import pytest

from tests.browser.test_review_journey import choose, follow_menu, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_the_office_records_an_agreement_and_a_draft_falls_under_it(page, make):
    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    make.lab("partner", acronym="NUPD", name="Northbridge Physics", country="US")
    admin = make.user(roles=("admin",), lab=unit, full_name="Alice Admin")
    researcher = make.user(lab=unit, full_name="Romain Researcher")
    make.programme("outgoing", name="Outgoing stays")
    today = date.today()

    sign_in(page, admin)
    follow_menu(page, "Partnerships")
    page.get_by_role("link", name="Record an agreement").click()
    page.get_by_label("Kind").select_option("framework")
    page.get_by_label("Status").select_option("in_force")
    page.get_by_label("Title").fill("Framework with Northbridge")
    page.get_by_label("Reference").fill("FA-NB-1")
    page.get_by_label("First day").fill((today - timedelta(days=10)).isoformat())
    page.get_by_label("Last day").fill((today + timedelta(days=700)).isoformat())
    laboratories = page.get_by_label("Laboratories covered")
    laboratories.select_option([
        laboratories.locator("option", has_text=acronym).first.get_attribute("value")
        for acronym in ("LPMC", "NUPD")])
    page.get_by_label("Stays a year").fill("5")
    page.get_by_role("button", name="Save").click()
    assert "The agreement is recorded." in page.locator(".flash-messages").inner_text()
    assert "Stays: 0 of 5 used" in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, researcher)
    start = today + timedelta(days=30)
    page.goto("/applications/new/outgoing")
    choose(page.get_by_label("Programme", exact=True), "Outgoing stays")
    choose(page.get_by_label("Host laboratory"), "NUPD")
    page.get_by_label("Title").fill("Transport measurements in Boston")
    page.get_by_label("Purpose").select_option("conference")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill((start + timedelta(days=3)).isoformat())
    page.get_by_label("Cost 1: what it is for").select_option("travel")
    page.get_by_label("Cost 1: amount (EUR)").fill("900.00")
    page.get_by_role("button", name="Save the draft").click()
    details = page.locator("#details-heading + dl").inner_text()
    assert re.search(r"FA-NB-1 — Framework with Northbridge", details), details
    assert "Stays: 0 of 5 used" in details
