"""The amendment pages: ask a change or an extension, see the diff, decide, through the real
forms (CSRF on)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tracker.applications.amendments import act_on_amendment, ask_amendment
from tracker.applications.models import Amendment, Event
from tracker.extensions import db


@pytest.fixture
def approved(make, people):
    return make.application(applicant=people["researcher"], status="approved",
                            host=people["partner"], programme=people["programme"],
                            awarded_amount=Decimal("1500.00"))


def ask_page(application, extend=False):
    return f"/applications/{application.id}/amendments/new" + ("?extend=1" if extend else "")


def test_the_application_page_offers_a_change_and_an_extension(client, login, people, approved):
    login(people["researcher"])
    html = client.get(f"/applications/{approved.id}").get_data(as_text=True)
    assert "Ask for a change" in html and "Extend the stay" in html
    form = client.get(ask_page(approved)).get_data(as_text=True)
    assert f'value="{approved.end_date.isoformat()}"' in form
    assert 'name="host_laboratory_id"' in form and 'name="reason"' in form


def test_an_extension_asked_then_shown_side_by_side_and_decided(client, login, people,
                                                              approved, app):
    old_end = approved.end_date
    new_end = old_end + timedelta(days=15)
    login(people["researcher"])
    response = post_form(client, ask_page(approved, True), {
        "end_date": new_end.isoformat(), "reason": "More samples to take",
        "version": str(approved.version)}, page=ask_page(approved, True))
    assert response.status_code == 302, response.get_data(as_text=True)
    amendment = db.session.scalars(sa.select(Amendment)).one()
    assert amendment.changes == {"end_date": new_end.isoformat()}
    page = f"/applications/{approved.id}/amendments/{amendment.id}"
    assert response.headers["Location"].endswith(page)

    html = client.get(page).get_data(as_text=True)
    assert "More samples to take" in html and "Withdraw the change" in html
    assert "Endorse the change" not in html

    director = app.test_client()
    sign_in(director, people["director"])
    html = director.get(page).get_data(as_text=True)
    assert 'id="amendment-diff"' in html and "End date" in html
    assert "Endorse the change" in html
    queue = director.get("/review/changes").get_data(as_text=True)
    assert approved.reference in queue
    done = post_form(director, f"{page}/actions/endorse",
                     {"amendment-endorse-version": "1"}, page=page)
    assert done.status_code == 302

    admin = app.test_client()
    sign_in(admin, people["admin"])
    done = post_form(admin, f"{page}/actions/approve",
                     {"amendment-approve-version": "2", "amendment-approve-awarded_amount":
                      "1500.00"}, page=page)
    assert done.status_code == 302, done.get_data(as_text=True)
    db.session.expire_all()
    assert approved.end_date == new_end
    history = client.get(f"/applications/{approved.id}").get_data(as_text=True)
    assert "Change approved" in history
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.action == "amend")) == 1


def test_a_refused_value_keeps_what_was_typed(client, login, people, approved):
    login(people["researcher"])
    response = post_form(client, ask_page(approved), {
        "start_date": approved.start_date.isoformat(),
        "end_date": (approved.start_date - timedelta(days=3)).isoformat(),
        "host_laboratory_id": str(people["partner"].id), "requested_amount": "1500.00",
        "justification": "", "reason": "Earlier return", "version": str(approved.version)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The stay must end on or after its first day." in html
    assert "Earlier return" in html
    assert 'aria-describedby="end_date-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)) == 0


def test_a_missing_reason_is_refused_next_to_its_field(client, login, people, approved):
    login(people["researcher"])
    response = post_form(client, ask_page(approved, True), {
        "end_date": (approved.end_date + timedelta(days=2)).isoformat(), "reason": "",
        "version": str(approved.version)}, page=ask_page(approved, True))
    assert response.status_code == 200
    assert "Say why the change is needed." in response.get_data(as_text=True)


def test_not_approved_yet_sends_back_to_the_application(client, login, make, people):
    draft = make.application(applicant=people["researcher"], host=people["partner"],
                             programme=people["programme"])
    login(people["researcher"])
    response = client.get(ask_page(draft))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{draft.id}")


def test_a_returned_change_is_asked_again_from_its_values(client, login, people, approved):
    asked = (approved.end_date + timedelta(days=9)).isoformat()
    amendment = ask_amendment(approved, people["researcher"], {"end_date": asked}, "why",
                              approved.version)
    act_on_amendment(amendment, "return", people["director"], "Shorter please", version=1)
    db.session.commit()
    login(people["researcher"])
    html = client.get(ask_page(approved)).get_data(as_text=True)
    assert "returned for changes" in html
    assert f'value="{asked}"' in html


def test_cost_items_are_prefilled_and_their_change_asked(client, login, people, make):
    from tracker.applications.models import CostItem

    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=people["programme"],
                                   awarded_amount=Decimal("1500.00"))
    db.session.add(CostItem(application_id=application.id, position=0, kind="travel",
                            description="Flights", amount=Decimal("1500.00")))
    db.session.commit()
    login(people["researcher"])
    form = client.get(ask_page(application)).get_data(as_text=True)
    assert 'value="Flights"' in form
    response = post_form(client, ask_page(application), {
        "start_date": application.start_date.isoformat(),
        "end_date": application.end_date.isoformat(),
        "host_laboratory_id": str(people["partner"].id),
        "cost_items-0-kind": "travel", "cost_items-0-description": "Flights",
        "cost_items-0-amount": "1500.00",
        "cost_items-1-kind": "accommodation", "cost_items-1-description": "",
        "cost_items-1-amount": "not money",
        "requested_amount": "", "justification": "", "reason": "Hotel too",
        "version": str(application.version)})
    assert response.status_code == 200
    assert 'aria-describedby="cost_items-1-amount-error"' in response.get_data(as_text=True)
    response = post_form(client, ask_page(application), {
        "start_date": application.start_date.isoformat(),
        "end_date": application.end_date.isoformat(),
        "host_laboratory_id": str(people["partner"].id),
        "cost_items-0-kind": "travel", "cost_items-0-description": "Flights",
        "cost_items-0-amount": "1500.00",
        "cost_items-1-kind": "accommodation", "cost_items-1-description": "Hotel",
        "cost_items-1-amount": "400.00",
        "requested_amount": "", "justification": "", "reason": "Hotel too",
        "version": str(application.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    amendment = db.session.scalars(sa.select(Amendment)).one()
    assert set(amendment.changes) == {"cost_items", "requested_amount"}
    assert amendment.changes["requested_amount"] == "1900.00"
