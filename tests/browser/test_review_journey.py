"""The whole review, in a real browser: apply, endorse, approve, and the applicant sees it."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def follow_menu(page, name):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def choose(select, text):
    """Pick the option of ``select`` whose visible text contains ``text``."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def sign_out(page):
    # Signing out is in the account menu, a Bootstrap dropdown: its script must have run
    # (the page loaded) for the click to open it.
    page.wait_for_load_state("load")
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/auth/login"))


def test_researcher_submits_director_endorses_admin_approves(page, make):
    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    make.lab("partner", acronym="NUPD", name="Northbridge Physics", country="US")
    director = make.director_of(unit, full_name="Dominique Director")
    researcher = make.user(lab=unit, full_name="Romain Researcher")
    admin = make.user(roles=("admin",), lab=unit, full_name="Alice Admin")
    make.programme("outgoing", name="Short research stays", budget="50000.00")
    start = date.today() + timedelta(days=45)

    # The researcher applies and submits.
    sign_in(page, researcher)
    follow_menu(page, "My applications")
    page.get_by_role("link", name="New application").click()
    page.get_by_role("link", name="Apply for an outgoing stay").click()
    choose(page.get_by_label("Programme", exact=True), "Short research stays")
    choose(page.get_by_label("Host laboratory"), "NUPD")
    page.get_by_label("Title").fill("Low-temperature transport experiments")
    page.get_by_label("Purpose").select_option("research_stay")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill((start + timedelta(days=20)).isoformat())
    page.get_by_label("Requested amount (EUR)").fill("2400.00")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    status = page.locator(".status-badge").first
    assert "Submitted" in status.inner_text()
    reference = page.locator("h1").inner_text().split(" ")[0]
    sign_out(page)

    # The director of the unit endorses it from the review queue.
    sign_in(page, director)
    follow_menu(page, "Review queue")
    page.get_by_role("link", name=re.compile(r"MOB-\d{4}-\d{6}")).first.click()
    page.get_by_role("button", name="Endorse", exact=True).click()
    # Back in the queue for the next one, told what was done to which.
    assert f"{reference}: Endorsed" in page.locator(".flash-messages").inner_text()
    assert page.url.endswith("/review/director")
    sign_out(page)

    # An administrator approves it, awarding less than requested.
    sign_in(page, admin)
    follow_menu(page, "Decisions")
    page.get_by_role("link", name=re.compile(r"MOB-\d{4}-\d{6}")).first.click()
    page.get_by_label("Awarded amount (EUR)").fill("2000.00")
    page.get_by_role("button", name="Approve", exact=True).click()
    assert f"{reference}: Approved" in page.locator(".flash-messages").inner_text()
    assert page.url.endswith("/review/admin")
    sign_out(page)

    # The researcher sees the approval and the notification about it.
    sign_in(page, researcher)
    follow_menu(page, "My applications")
    row = page.get_by_role("row").filter(has_text="Low-temperature transport experiments")
    assert "Approved" in row.inner_text()
    follow_menu(page, re.compile("Notifications"))
    notifications = page.locator("main").inner_text()
    assert re.search(r"approved", notifications, re.I), notifications
    assert reference in notifications, notifications
