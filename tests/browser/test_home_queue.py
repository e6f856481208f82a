"""The director's morning, in a real browser: the home page says what waits, the oldest
request opens from it, and each decision leads to the next one until the queue is empty."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.browser.test_review_journey import sign_in
from tracker.applications.models import Event
from tracker.extensions import db

pytestmark = pytest.mark.browser


def test_the_director_works_through_the_queue_from_the_home_page(page, make):
    unit = make.lab("unit", acronym="LPMC", name="Condensed Matter Physics")
    partner = make.lab("partner", acronym="NUPD", name="Northbridge Physics", country="US")
    director = make.director_of(unit, full_name="Dominique Director")
    programme = make.programme("outgoing", name="Short research stays")
    waiting = []
    for days, title in ((6, "Oldest request"), (2, "Newer request")):
        application = make.application(make.user(lab=unit), status="submitted", host=partner,
                                       programme=programme, title=title)
        submitted_at = datetime.now(timezone.utc) - timedelta(days=days)
        db.session.add(Event(application_id=application.id, actor_id=application.applicant_id,
                             action="submit", from_status="draft", to_status="submitted",
                             created_at=submitted_at))
        application.waiting_since = submitted_at  # what the workflow services keep
        waiting.append(application)
    db.session.commit()
    oldest, newer = waiting

    sign_in(page, director)
    block = page.locator("#queue-director")
    assert "Requests to review" in block.inner_text()
    assert "waiting for 6 days" in block.inner_text()
    block.get_by_role("link", name=oldest.reference).click()
    assert page.locator("h1").inner_text().startswith(oldest.reference)
    assert page.get_by_role("link", name=f"Next in the queue: {newer.reference}").is_visible()

    page.get_by_role("button", name="Endorse", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{newer.id}\?queue=director$"))
    flash = page.locator(".flash-messages").inner_text()
    assert f"{oldest.reference}: Endorsed" in flash and "Here is the next request" in flash
    assert page.get_by_text("This is the last request of the queue.").is_visible()

    page.get_by_label("Reason for declining (required to decline)").fill("Out of the call's scope.")
    page.get_by_role("button", name="Decline", exact=True).click()
    page.wait_for_url(re.compile(r"/review/director$"))
    assert "Nothing else waits in this queue." in page.locator(".flash-messages").inner_text()
    page.goto("/")
    assert page.locator("#queue-director").count() == 0
