"""An extension in a real browser: the applicant asks a later end date, the director
endorses it, an admin approves it after seeing old and new end date side by side, and the
application's history shows the change."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.browser.test_review_journey import follow_menu, sign_in, sign_out
from tracker.core.dates import format_day

pytestmark = pytest.mark.browser


def test_an_extension_from_request_to_approval(page, make):
    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    partner = make.lab("partner", acronym="NUPD", name="Northbridge Physics", country="US")
    director = make.director_of(unit, full_name="Dominique Director")
    researcher = make.user(lab=unit, full_name="Romain Researcher")
    admin = make.user(roles=("admin",), lab=unit, full_name="Alice Admin")
    programme = make.programme("outgoing", name="Short research stays")
    application = make.application(applicant=researcher, host=partner, programme=programme,
                                   status="approved", awarded_amount=Decimal("1500.00"),
                                   title="Low-temperature transport experiments")
    old_end = application.end_date
    new_end = old_end + timedelta(days=14)
    old_text, new_text = format_day(old_end, "en"), format_day(new_end, "en")

    # The researcher asks two more weeks from the application's page.
    sign_in(page, researcher)
    page.goto(f"/applications/{application.id}")
    page.get_by_role("link", name="Extend the stay").click()
    page.get_by_label("End date").fill(new_end.isoformat())
    page.get_by_label("Why the change is needed").fill("The cryostat arrived late.")
    page.get_by_role("button", name="Ask for the change").click()
    assert "Change asked" in page.locator(".flash-messages").inner_text()
    sign_out(page)

    # The director finds it among the changes to review, sees the diff, endorses it.
    sign_in(page, director)
    follow_menu(page, "Review queue")
    page.get_by_role("link", name="Changes to review").click()
    page.get_by_role("link", name=application.reference).click()
    diff = page.locator("#amendment-diff")
    assert "End date" in diff.inner_text()
    assert old_text in diff.locator("del").inner_text()
    assert new_text in diff.locator("ins").inner_text()
    assert "The cryostat arrived late." in page.locator("main").inner_text()
    page.get_by_role("button", name="Endorse the change").click()
    assert "Change endorsed" in page.locator(".flash-messages").inner_text()
    sign_out(page)

    # The office approves it, seeing the same diff.
    sign_in(page, admin)
    follow_menu(page, "Decisions")
    page.get_by_role("link", name="Changes to review").click()
    page.get_by_role("link", name=application.reference).click()
    assert new_text in page.locator("#amendment-diff ins").inner_text()
    page.get_by_role("button", name="Approve the change").click()
    assert "Change approved" in page.locator(".flash-messages").inner_text()
    sign_out(page)

    # The applicant's application holds the new end date, and its history the change.
    sign_in(page, researcher)
    page.goto(f"/applications/{application.id}")
    history = page.locator("#history-heading + div table")
    row = history.locator("tr", has_text="Change approved")
    assert row.count() == 1
    assert old_text in row.locator("del").inner_text()
    assert new_text in row.locator("ins").inner_text()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_change_pages_have_no_serious_accessibility_violation(new_page, make, locale):
    from tests.browser.conftest import sign_in_by_field_names
    from tests.browser.test_accessibility import check
    from axe_playwright_python.sync_playwright import Axe
    from tracker.applications.amendments import ask_amendment
    from tracker.extensions import db

    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    partner = make.lab("partner", acronym="NUPD", name="Northbridge Physics", country="US")
    director = make.director_of(unit, full_name="Dominique Director")
    researcher = make.user(lab=unit, full_name="Romain Researcher")
    application = make.application(applicant=researcher, host=partner, status="approved",
                                   awarded_amount=Decimal("1500.00"))
    amended = make.application(applicant=researcher, host=partner, status="approved",
                               awarded_amount=Decimal("1500.00"))
    amendment = ask_amendment(amended, researcher, {
        "end_date": (amended.end_date + timedelta(days=5)).isoformat(),
        "requested_amount": "1700.00"}, "More time", amended.version)
    db.session.commit()
    axe = Axe()
    page = new_page(locale)
    sign_in_by_field_names(page, researcher)
    check(axe, page, [f"/applications/{application.id}",
                      f"/applications/{application.id}/amendments/new",
                      f"/applications/{application.id}/amendments/new?extend=1"])
    page = new_page(locale)
    sign_in_by_field_names(page, director)
    check(axe, page, ["/review/changes",
                      f"/applications/{amended.id}/amendments/{amendment.id}"])
