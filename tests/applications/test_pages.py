"""The researcher's pages and the action forms, through the real forms (CSRF on)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import post_form
from tracker.applications.models import Application, Event


def form_data(people, **changes):
    start = date.today() + timedelta(days=40)
    data = {
        "programme_id": str(people["programme"].id),
        "home_laboratory_id": str(people["unit"].id),
        "host_laboratory_id": str(people["partner"].id),
        "title": "Fieldwork in Berlin",
        "purpose": "fieldwork",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=13)).isoformat(),
        "requested_amount": "1200.00",
        "justification": "Samples to collect.",
    }
    data.update(changes)
    return data


def action_buttons(html):
    return re.findall(r'<button type="submit"[^>]*name="action" value="([a-z]+)"', html)


def act(client, application, action, page=None, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return post_form(client, f"/applications/{application.id}/actions/{action}", data,
                     page=page or f"/applications/{application.id}")


def fresh(db, application):
    db.session.expire_all()
    return db.session.get(Application, application.id)


def test_new_application_offers_a_unit_member_outgoing_stays_only(login, people):
    client = login(people["researcher"])
    html = client.get("/applications/new").get_data(as_text=True)
    assert "/applications/new/outgoing" in html and "/applications/new/incoming" not in html
    assert "Apply for an incoming stay" not in html
    assert client.get("/applications/new/sideways").status_code == 404
    assert client.get("/applications/new/incoming").status_code == 403


def test_new_application_offers_a_visitor_from_abroad_incoming_stays_only(make, login, people):
    """The Boston visitor: no outgoing offer, and no form that ends in a cut-off message."""
    boston = make.lab("partner", acronym="BOS", country="US", city="Boston")
    visitor = make.user(lab=boston, nationality="US")
    client = login(visitor)
    html = client.get("/applications/new").get_data(as_text=True)
    assert "/applications/new/incoming" in html and "/applications/new/outgoing" not in html
    assert "Apply for an outgoing stay" not in html
    assert client.get("/applications/new/outgoing").status_code == 403
    assert client.get("/applications/new/incoming").status_code == 200


def test_new_application_without_a_home_laboratory_says_why(make, login):
    client = login(make.user())
    html = client.get("/applications/new").get_data(as_text=True)
    assert "/applications/new/outgoing" not in html and "/applications/new/incoming" not in html
    assert "you have none" in html


def test_the_form_offers_only_what_fits(make, login, people):
    make.programme("incoming", name="Incoming call")
    make.programme("outgoing", name="Closed call", opens_on=date.today() - timedelta(days=60),
                   closes_on=date.today() - timedelta(days=1))
    make.programme("outgoing", name="Postdocs only", categories=("postdoc",))
    joint = make.lab("joint_unit", acronym="JOINT", country="JP", city="Tokyo")
    client = login(people["researcher"])
    html = client.get("/applications/new/outgoing").get_data(as_text=True)
    programme_select = html.split('id="programme_id"')[1].split("</select>")[0]
    assert "Outgoing stays" in programme_select
    for absent in ("Incoming call", "Closed call", "Postdocs only"):
        assert absent not in programme_select
    home_select = html.split('id="home_laboratory_id"')[1].split("</select>")[0]
    assert "UNIT" in home_select and "OTHER" not in home_select
    host_select = html.split('id="host_laboratory_id"')[1].split("</select>")[0]
    assert "PART" in host_select and "JOINT" in host_select
    assert "UNIT" not in host_select and "OTHER" not in host_select
    assert "js/duration.js" in html and "<script>" not in html
    assert joint.id


def test_incoming_form_hosts_are_units(make, login, people):
    make.programme("incoming", name="Visitors")
    visitor = make.user(lab=people["partner"], nationality="DE")
    html = login(visitor).get("/applications/new/incoming").get_data(as_text=True)
    host_select = html.split('id="host_laboratory_id"')[1].split("</select>")[0]
    home_select = html.split('id="home_laboratory_id"')[1].split("</select>")[0]
    assert "UNIT" in host_select and "PART" not in host_select
    assert "PART" in home_select and "UNIT" not in home_select
    assert "Visitors" in html


def test_create_a_draft_then_submit_it(db, login, people):
    client = login(people["researcher"])
    response = post_form(client, "/applications/new/outgoing", form_data(people))
    assert response.status_code == 302
    application = db.session.scalar(sa.select(Application))
    assert response.headers["Location"].endswith(f"/applications/{application.id}")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert application.reference in page
    assert "14 days" in page and "Short (up to 30 days)" in page
    assert action_buttons(page) == ["submit", "withdraw"]
    response = act(client, application, "submit", version="1")
    assert response.status_code == 302
    assert fresh(db, application).status == "submitted"
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert action_buttons(page) == ["withdraw"]
    assert "Edit</a>" not in page


def test_validation_errors_keep_everything_typed(db, login, people):
    client = login(people["researcher"])
    data = form_data(people, title="My very particular title", justification="Kept text",
                     end_date=(date.today() + timedelta(days=30)).isoformat())
    response = post_form(client, "/applications/new/outgoing", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="My very particular title"' in html
    assert "Kept text" in html
    assert f'value="{data["start_date"]}"' in html and f'value="{data["end_date"]}"' in html
    assert 'id="end_date-error"' in html and 'aria-invalid="true"' in html
    assert re.search(r'<option selected value="%s"' % people["partner"].id, html) or \
        re.search(r'<option value="%s" selected' % people["partner"].id, html)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_bad_number_is_kept_and_explained(db, login, people):
    client = login(people["researcher"])
    response = post_form(client, "/applications/new/outgoing",
                         form_data(people, requested_amount="twelve"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="twelve"' in html and 'id="requested_amount-error"' in html


def test_edit_a_draft_and_refuse_editing_after_submit(db, make, login, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"])
    client = login(people["researcher"])
    page = f"/applications/{application.id}/edit"
    html = client.get(page).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in html
    response = post_form(client, page, form_data(people, title="Better title", version="1"))
    assert response.status_code == 302
    assert fresh(db, application).title == "Better title"
    act(client, application, "submit", version="2")
    assert fresh(db, application).status == "submitted"
    response = client.get(page)
    assert response.status_code == 302
    response = post_form(client, page, form_data(people, title="Too late", version="3"),
                         page=f"/applications/{application.id}")
    assert response.status_code == 302
    assert fresh(db, application).title == "Better title"


def test_edit_with_a_stale_version_says_someone_else_acted(db, make, login, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"])
    client = login(people["researcher"])
    page = f"/applications/{application.id}/edit"
    response = post_form(client, page, form_data(people, title="Old view", version="0"))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else acted first" in html
    assert fresh(db, application).title != "Old view"


def test_stale_action_shows_the_current_state(db, make, login, people):
    application = make.application(applicant=people["researcher"], status="submitted",
                                   host=people["partner"], programme=people["programme"])
    client = login(people["director"])
    page = client.get(f"/applications/{application.id}")  # the director looks at version 1
    assert page.status_code == 200
    application.version, application.status = 2, "withdrawn"  # the applicant withdraws
    db.session.commit()
    response = act(client, application, "endorse", version="1")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else acted first" in html and "Withdrawn" in html
    assert fresh(db, application).status == "withdrawn"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_comment_required_error_next_to_the_field(db, make, login, people):
    application = make.application(applicant=people["researcher"], status="submitted",
                                   host=people["partner"], programme=people["programme"])
    client = login(people["director"])
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert action_buttons(html) == ["endorse", "return", "decline"]
    response = act(client, application, "decline", version="1", comment="  ")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="decline-comment-error"' in html
    assert fresh(db, application).status == "submitted"
    response = act(client, application, "decline", version="1", comment="Out of scope.")
    assert response.status_code == 302
    assert fresh(db, application).status == "declined"


def test_approve_is_prefilled_and_refuses_budget_overrun(db, make, login, people):
    programme = make.programme("outgoing", budget=Decimal("1000.00"))
    application = make.application(applicant=people["researcher"], status="endorsed",
                                   host=people["partner"], programme=programme,
                                   requested_amount=Decimal("1500.00"))
    client = login(people["admin"])
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert action_buttons(html) == ["return", "approve", "reject"]
    assert 'id="approve-awarded_amount"' in html and 'value="1500.00"' in html
    response = act(client, application, "approve", version="1", awarded_amount="1500.00")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="approve-awarded_amount-error"' in html and "€1,000.00" in html
    assert 'value="1500.00"' in html
    response = act(client, application, "approve", version="1", awarded_amount="950.00")
    assert response.status_code == 302
    stored = fresh(db, application)
    assert (stored.status, stored.awarded_amount) == ("approved", Decimal("950.00"))


def test_history_oldest_first_and_only_allowed_buttons(db, make, login, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"])
    researcher = login(people["researcher"])
    act(researcher, application, "submit", version="1")
    director = people["director"]
    from tests.conftest import sign_in
    from flask import current_app
    director_client = current_app.test_client()
    sign_in(director_client, director)
    act(director_client, application, "return", version="2", comment="Add dates please")
    html = researcher.get(f"/applications/{application.id}").get_data(as_text=True)
    history = html.split('id="history-heading"')[1]
    assert history.index("Submit") < history.index("Return for changes")
    assert "Add dates please" in history
    assert action_buttons(html) == ["submit", "withdraw"]
    assert action_buttons(director_client.get(f"/applications/{application.id}")
                          .get_data(as_text=True)) == []


def test_overlap_warning_for_reviewers_only(db, make, login, people):
    start = date.today() + timedelta(days=70)
    common = dict(applicant=people["researcher"], host=people["partner"],
                  programme=people["programme"], start_date=start,
                  end_date=start + timedelta(days=5))
    application = make.application(status="submitted", **common)
    make.application(status="approved", **common)
    html = login(people["director"]).get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Overlapping stays" in html


def test_applicant_does_not_see_the_overlap_warning(db, make, login, people):
    start = date.today() + timedelta(days=70)
    common = dict(applicant=people["researcher"], host=people["partner"],
                  programme=people["programme"], start_date=start,
                  end_date=start + timedelta(days=5))
    application = make.application(status="submitted", **common)
    make.application(status="approved", **common)
    html = login(people["researcher"]).get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Overlapping stays" not in html


@pytest.mark.parametrize("viewer", ["other_researcher", "other_director"])
def test_invisible_applications_answer_404(make, login, people, viewer):
    application = make.application(applicant=people["researcher"], status="submitted",
                                   host=people["partner"], programme=people["programme"])
    client = login(people[viewer])
    assert client.get(f"/applications/{application.id}").status_code == 404
    assert client.get(f"/applications/{application.id}/edit").status_code == 404
    response = act(client, application, "withdraw", page="/applications/", version="1")
    assert response.status_code == 404
    assert client.get("/applications/999999").status_code == 404


def test_list_mine_empty_state_and_pagination(app, make, login, people):
    client = login(people["researcher"])
    html = client.get("/applications/").get_data(as_text=True)
    assert "You have no application yet." in html
    for n in range(app.config["ITEMS_PER_PAGE"] + 2):
        make.application(applicant=people["researcher"], host=people["partner"],
                         programme=people["programme"], title=f"Stay number {n}")
    make.application(applicant=people["other_researcher"], host=people["partner"],
                     programme=people["programme"], title="Not mine")
    first = client.get("/applications/").get_data(as_text=True)
    second = client.get("/applications/?page=2").get_data(as_text=True)
    assert "Not mine" not in first + second
    assert first.count('<th scope="row"') == app.config["ITEMS_PER_PAGE"]
    assert second.count('<th scope="row"') == 2
    assert 'rel="next"' in first and "Draft" in first and "Complete and submit it" in first
