"""Who an application waits on, on its page and in the lists (My applications, the review
queues, the list of applications), at a constant cost per page."""

from datetime import datetime, timezone

import sqlalchemy as sa

from tests.conftest import sign_in
from tracker.core.dates import working_days_since
from tracker.extensions import db

SINCE = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def text_of(response):
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def count_statements(client, path):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_page_says_who_must_act_and_since_when(client, login, make, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   status="submitted", waiting_since=SINCE)
    login(people["researcher"])

    page = text_of(client.get(f"/applications/{application.id}"))

    days = working_days_since(SINCE)
    assert f"Waiting on Dana Director since 11/2/2026, {days} working days" in page


def test_the_page_of_an_approved_request_waits_on_nobody(client, login, make, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   status="approved")
    login(people["researcher"])

    assert "Waiting on" not in text_of(client.get(f"/applications/{application.id}"))


def test_my_applications_show_a_waiting_on_column(client, login, make, people):
    make.application(applicant=people["researcher"], host=people["partner"],
                     status="returned", waiting_since=SINCE, title="Sent back")
    make.application(applicant=people["researcher"], host=people["partner"],
                     status="endorsed", waiting_since=SINCE, title="With the office")
    make.application(applicant=people["researcher"], host=people["partner"],
                     status="approved", title="Decided")
    login(people["researcher"])

    page = text_of(client.get("/applications/"))

    assert '<th scope="col">Waiting on</th>' in page
    assert "Rita Researcher" in page and "Ada Admin" in page and "Nobody" in page
    assert f"{working_days_since(SINCE)} working days" in page


def test_the_director_queue_shows_who_waits(client, login, make, people):
    make.application(applicant=people["researcher"], host=people["partner"],
                     status="submitted", waiting_since=SINCE)
    login(people["director"])

    page = text_of(client.get("/review/director"))

    assert '<th scope="col">Waiting on</th>' in page and "Dana Director" in page


def test_the_admin_queue_and_the_list_show_who_waits(client, login, make, people):
    make.application(applicant=people["researcher"], host=people["partner"],
                     status="endorsed", waiting_since=SINCE, title="Endorsed one")
    make.application(applicant=people["other_researcher"], host=people["partner"],
                     status="submitted", waiting_since=SINCE, title="Submitted one")
    login(people["admin"])

    queue = text_of(client.get("/review/admin"))
    listing = text_of(client.get("/reports/applications"))

    assert '<th scope="col">Waiting on</th>' in queue and "Ada Admin" in queue
    assert '<th scope="col">Waiting on</th>' in listing
    assert "Ada Admin" in listing and "Dana Director" in listing


def test_waiting_on_costs_the_same_statements_for_two_rows_or_forty(
        app, client, login, make, people):
    researcher = people["researcher"]
    # Every kind of row added below (who acts next asks only what its rows need: the open
    # changes of approved ones, the opinions pending ones miss).
    for status in ("returned", "submitted", "approved"):
        make.application(applicant=researcher, host=people["partner"], status=status,
                         waiting_since=SINCE)
    login(researcher)
    director = app.test_client()
    sign_in(director, people["director"])
    few_mine = count_statements(client, "/applications/")
    few_queue = count_statements(director, "/review/director")

    for n in range(40):
        # Each with its own home unit, director and host: a lazy load per row would show.
        home = make.lab("unit")
        make.director_of(home)
        status = ("draft", "returned", "submitted", "endorsed", "approved")[n % 5]
        make.application(applicant=researcher, home=home, host=make.lab("partner"),
                         status=status, waiting_since=SINCE)
        make.application(applicant=people["other_researcher"], host=people["partner"],
                         status="submitted", waiting_since=SINCE)

    assert count_statements(client, "/applications/") == few_mine
    assert count_statements(director, "/review/director") == few_queue
