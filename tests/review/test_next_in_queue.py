"""After a reviewer's decision, the next request of the same queue; and the application
page's "Next in the queue" when it was opened from one."""

from urllib.parse import urlparse

from tests.applications.test_pages import act
from tests.conftest import post_form
from tests.main.test_home import moved
from tests.requirement_world import build_world, outgoing


def location(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    parsed = urlparse(response.headers["Location"])
    return parsed.path + (f"?{parsed.query}" if parsed.query else "") + (
        f"#{parsed.fragment}" if parsed.fragment else "")


def submitted(db, make, people, days_ago, applicant=None, status="submitted", **fields):
    application = make.application(applicant=applicant or make.user(lab=people["unit"]),
                                   status=status, host=people["partner"],
                                   programme=people["programme"], **fields)
    moved(db, application, status, days_ago, from_status="submitted"
          if status == "endorsed" else "draft")
    return application


def test_after_a_decision_the_oldest_request_left_in_the_queue(db, make, login, people):
    oldest = submitted(db, make, people, 5)
    middle = submitted(db, make, people, 3)
    newest = submitted(db, make, people, 1)
    director = login(people["director"])
    response = act(director, middle, "endorse", version="1")
    assert location(response) == f"/applications/{oldest.id}?queue=director"
    page = director.get(location(response)).get_data(as_text=True)
    assert (f"{middle.reference}: Endorsed: the international relations office decides next. "
            f"Here is the next request of the queue, {oldest.reference}.") in page
    # The page walks on: the next one after the oldest is the newest (the middle is decided).
    assert f'href="/applications/{newest.id}?queue=director"' in page
    response = act(director, oldest, "return", version="1", comment="Add the host's letter.")
    assert location(response) == f"/applications/{newest.id}?queue=director"
    response = act(director, newest, "decline", version="1", comment="Out of scope.")
    assert location(response) == "/review/director"
    page = director.get("/review/director").get_data(as_text=True)
    assert f"{newest.reference}: Declined. Nothing else waits in this queue." in page


def test_next_never_leads_to_a_request_the_reviewer_cannot_act_on(db, make, login, people):
    # The admin's own endorsed request is the oldest of their decision queue, but not theirs
    # to decide.
    own = submitted(db, make, people, 9, applicant=people["admin"], status="endorsed")
    first = submitted(db, make, people, 4, status="endorsed")
    second = submitted(db, make, people, 2, status="endorsed")
    admin = login(people["admin"])
    response = act(admin, first, "reject", version="1", comment="No budget left.")
    assert location(response) == f"/applications/{second.id}?queue=admin_decision"
    response = act(admin, second, "approve", version="1", awarded_amount="900.00")
    assert location(response) == "/review/admin"
    assert own.status == "endorsed"


def test_an_admin_standing_in_goes_on_in_the_endorsement_queue(db, make, login, people):
    """Directors' own requests are endorsed by an admin: their own queue, not decisions."""
    directors_own = submitted(db, make, people, 6, applicant=people["director"])
    submitted(db, make, people, 3, status="endorsed")  # waits for a decision, not this
    other_directors = submitted(db, make, people, 1, applicant=people["other_director"])
    admin = login(people["admin"])
    response = act(admin, directors_own, "endorse", version="1")
    assert location(response) == f"/applications/{other_directors.id}?queue=admin_endorsement"
    response = act(admin, other_directors, "endorse", version="1")
    assert location(response) == "/review/admin"


def test_after_an_opinion_the_next_request_awaiting_one(db, make, login):
    w = build_world(make)
    first = outgoing(make, w, w["partner_ml"], status="submitted")
    second = outgoing(make, w, w["partner_ml"], status="submitted", applicant=w["other"])
    moved(db, first, "submitted", 4)
    moved(db, second, "submitted", 2)
    client = login(w["security"])

    def give(application):
        return post_form(client, f"/applications/{application.id}/opinions/security",
                         {"opinion-security-verdict": "favourable"},
                         page=f"/applications/{application.id}")

    response = give(first)
    assert location(response) == f"/applications/{second.id}?queue=security#opinions"
    page = client.get(f"/applications/{second.id}?queue=security").get_data(as_text=True)
    assert "Your security opinion was recorded. Here is the next request of the queue" in page
    assert location(give(second)) == "/review/security"


def test_a_page_opened_from_the_queue_offers_the_next_one(db, make, login, people):
    oldest = submitted(db, make, people, 5)
    middle = submitted(db, make, people, 3)
    newest = submitted(db, make, people, 1)
    director = login(people["director"])
    queue = director.get("/review/director").get_data(as_text=True)
    assert f'href="/applications/{oldest.id}?queue=director"' in queue

    def page(application):
        response = director.get(f"/applications/{application.id}?queue=director")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert f'href="/applications/{middle.id}?queue=director">Next in the queue: ' \
           f'{middle.reference}' in page(oldest)
    assert f"Next in the queue: {newest.reference}" in page(middle)
    last = page(newest)
    assert "Next in the queue:" not in last
    assert "This is the last request of the queue." in last
    assert 'href="/review/director">Back to the queue: Requests to review' in last
    # Opened otherwise (or naming a queue that is not theirs), no such link.
    plain = director.get(f"/applications/{oldest.id}").get_data(as_text=True)
    assert "Next in the queue" not in plain and "Back to the queue" not in plain
    for other in ("admin_decision", "security", "drafts", "nonsense"):
        html = director.get(f"/applications/{oldest.id}?queue={other}")
        assert html.status_code == 200
        assert "Next in the queue" not in html.get_data(as_text=True)


def test_the_applicants_page_offers_no_queue(db, make, login, people):
    mine = submitted(db, make, people, 3, applicant=people["researcher"])
    submitted(db, make, people, 1, applicant=people["researcher"])
    html = login(people["researcher"]).get(
        f"/applications/{mine.id}?queue=director").get_data(as_text=True)
    assert "Next in the queue" not in html
