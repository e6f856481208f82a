"""A stay cannot start in the past when it is created, edited or submitted (docs/rules.md):
the services refuse it, so the web form, the API and the command line agree; an
administrator may record one; the demo's stay that began already is still seeded."""

from datetime import date, timedelta

import pytest

from tests.api.conftest import Api, assert_error
from tests.applications.test_pages import form_data
from tests.applications.test_services import draft_data
from tests.conftest import post_form
from tracker.applications.services import create_application, transition, update_application
from tracker.core.errors import InvalidValues

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
PAST = {"start_date": YESTERDAY, "end_date": YESTERDAY + timedelta(days=10)}


def test_create_refuses_a_start_before_today_with_a_clear_message(db, people):
    with pytest.raises(InvalidValues) as refused:
        create_application(people["researcher"], "outgoing", draft_data(people, **PAST))
    [message] = refused.value.fields["start_date"]
    assert str(message).startswith("The stay cannot start in the past")


def test_a_stay_starting_today_is_fine(db, people):
    data = draft_data(people, start_date=TODAY, end_date=TODAY + timedelta(days=3))
    assert create_application(people["researcher"], "outgoing", data).status == "draft"


def test_edit_refuses_moving_the_start_into_the_past(db, make, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"])
    with pytest.raises(InvalidValues) as refused:
        update_application(application, people["researcher"],
                           {key: value.isoformat() for key, value in PAST.items()},
                           application.version)
    assert "start_date" in refused.value.fields


def test_submit_refuses_a_draft_whose_start_has_passed(db, make, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"], start_date=YESTERDAY)
    with pytest.raises(InvalidValues) as refused:
        transition(application, "submit", people["researcher"], "", application.version)
    assert "start_date" in refused.value.fields
    db.session.rollback()
    assert application.status == "draft"


def test_an_administrator_may_record_a_stay_that_began(db, people):
    admin = people["admin"]
    admin.home_laboratory_id = people["unit"].id
    db.session.commit()
    application = create_application(admin, "outgoing", draft_data(people, **PAST))
    transition(application, "submit", admin, "", application.version)
    assert application.status == "submitted"


def test_the_web_form_shows_the_refusal_next_to_the_first_day(db, login, people):
    client = login(people["researcher"])
    response = post_form(client, "/applications/new/outgoing", form_data(
        people, start_date=YESTERDAY.isoformat(), end_date=TODAY.isoformat()))
    html = response.get_data(as_text=True)
    assert 'id="start_date-error"' in html
    assert "The stay cannot start in the past" in html


def test_the_api_answers_422_on_start_date(client, db, people):
    body = {**{k: v for k, v in draft_data(people).items()},
            "start_date": YESTERDAY.isoformat(), "end_date": TODAY.isoformat(),
            "requested_amount": "1200.00", "direction": "outgoing"}
    body = {key: value for key, value in body.items()}
    error = assert_error(Api(client).post("/api/v1/applications", people["researcher"],
                                          json=body), 422)
    assert "start_date" in error["fields"]


@pytest.mark.parametrize("today", [TODAY, date(TODAY.year + 1, 1, 5)],
                         ids=["today", "early January"])
def test_the_demo_still_seeds_a_stay_that_began_already(db, today):
    from tests.requirement_world import seed_default_rules
    from tracker.commands.demo import seed_demo

    seed_default_rules()
    created = seed_demo(today=today)
    assert any(application.start_date < today and application.status == "completed"
               for application in created["applications"])
