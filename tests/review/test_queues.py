"""The director's and the administrator's queues."""

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tracker.applications.services import remaining_budgets


def references(html):
    return re.findall(r'<th scope="row"[^>]*><a href="/applications/\d+(?:\?queue=\w+)?">(MOB-[0-9-]+)</a>', html)


def at(days_ago):
    return datetime.now(timezone.utc) - timedelta(days=days_ago)


def test_director_queue_lists_submitted_requests_of_their_labs_oldest_first(make, login, people):
    # Without events (rows written directly), a request waits since its last update.
    mine = dict(host=people["partner"], programme=people["programme"])
    newer = make.application(applicant=people["researcher"], status="submitted",
                             submitted_at=at(1), updated_at=at(1), reference="MOB-2026-000002",
                             **mine)
    older = make.application(applicant=people["other_researcher"], status="submitted",
                             submitted_at=at(5), updated_at=at(5), reference="MOB-2026-000001",
                             **mine)
    make.application(applicant=people["researcher"], status="draft",
                     reference="MOB-2026-000003", **mine)
    make.application(applicant=people["researcher"], status="endorsed",
                     reference="MOB-2026-000004", **mine)
    elsewhere = make.user(lab=people["other_unit"])
    make.application(applicant=elsewhere, status="submitted", submitted_at=at(9),
                     reference="MOB-2026-000005", **mine)
    # The director's own request goes to an administrator, not to their queue.
    make.application(applicant=people["director"], status="submitted", submitted_at=at(3),
                     reference="MOB-2026-000006", **mine)
    html = login(people["director"]).get("/review/director").get_data(as_text=True)
    assert references(html) == [older.reference, newer.reference]


def test_director_queue_flags_overlaps_and_paginates(app, make, login, people):
    start = date.today() + timedelta(days=50)
    common = dict(applicant=people["researcher"], host=people["partner"],
                  programme=people["programme"], start_date=start,
                  end_date=start + timedelta(days=4))
    make.application(status="submitted", submitted_at=at(2), **common)
    make.application(status="approved", **common)
    client = login(people["director"])
    html = client.get("/review/director").get_data(as_text=True)
    assert "Overlapping dates" in html
    for n in range(app.config["ITEMS_PER_PAGE"]):
        make.application(applicant=people["other_researcher"], status="submitted",
                         submitted_at=at(1), host=people["partner"],
                         programme=people["programme"])
    first = client.get("/review/director").get_data(as_text=True)
    second = client.get("/review/director?page=2").get_data(as_text=True)
    assert len(references(first)) == app.config["ITEMS_PER_PAGE"]
    assert len(references(second)) == 1


def test_director_queue_is_for_directors(login, people):
    assert login(people["researcher"]).get("/review/director").status_code == 403


def test_empty_queues(login, make, people):
    html = login(people["director"]).get("/review/director").get_data(as_text=True)
    assert "Nothing awaits your review." in html


def test_admin_queue_endorsed_with_remaining_budget(db, make, login, people):
    programme = make.programme("outgoing", name="Small call", budget=Decimal("5000.00"))
    make.application(applicant=people["other_researcher"], status="approved",
                     host=people["partner"], programme=programme,
                     awarded_amount=Decimal("1250.50"))
    make.application(applicant=people["other_researcher"], status="completed",
                     host=people["partner"], programme=programme,
                     awarded_amount=Decimal("1000.00"))
    endorsed = make.application(applicant=people["researcher"], status="endorsed",
                                host=people["partner"], programme=programme)
    make.application(applicant=people["researcher"], status="submitted",
                     host=people["partner"], programme=programme)
    html = login(people["admin"]).get("/review/admin").get_data(as_text=True)
    decisions = html.split('id="decisions-heading"')[1].split('id="endorsements-heading"')[0]
    assert references(decisions) == [endorsed.reference]
    assert "2,749.50" in decisions  # in the reader's language (English here)
    assert remaining_budgets([programme.id]) == {programme.id: Decimal("2749.50")}


def test_admin_queue_lists_directors_requests_awaiting_an_admin(make, login, people):
    own = make.application(applicant=people["director"], status="submitted", submitted_at=at(1),
                           host=people["partner"], programme=people["programme"])
    ordinary = make.application(applicant=people["researcher"], status="submitted",
                                submitted_at=at(2), host=people["partner"],
                                programme=people["programme"])
    html = login(people["admin"]).get("/review/admin").get_data(as_text=True)
    endorsements = html.split('id="endorsements-heading"')[1]
    assert references(endorsements) == [own.reference]
    assert ordinary.reference not in html


def test_admin_queue_query_count_does_not_grow_with_rows(app, db, make, login, people):
    """One aggregate for budgets, one query for overlaps: no query per row."""
    import sqlalchemy as sa

    client = login(people["admin"])

    def count_queries():
        statements = []

        def record(*args):
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/review/admin").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    for _ in range(2):
        programme = make.programme("outgoing")
        make.application(applicant=make.user(lab=people["unit"]), status="endorsed",
                         host=people["partner"], programme=programme)
    few = count_queries()
    for _ in range(6):
        programme = make.programme("outgoing")
        make.application(applicant=make.user(lab=people["unit"]), status="endorsed",
                         host=people["partner"], programme=programme)
    assert count_queries() == few


@pytest.mark.parametrize("role", ["researcher", "director"])
def test_admin_queue_is_for_admins(login, people, role):
    assert login(people[role]).get("/review/admin").status_code == 403


def test_admin_stands_in_for_a_laboratory_without_an_active_director(db, make, login, people):
    """No request is stranded: without an active director, an admin endorses."""
    from tracker.access import allowed_actions

    orphan_unit = make.lab("unit", acronym="NODIR")
    applicant = make.user(lab=orphan_unit, full_name="Orphan Applicant")
    orphan = make.application(applicant=applicant, status="submitted", host=people["partner"],
                              programme=people["programme"], title="Stay without director")
    led = make.application(applicant=people["researcher"], status="submitted",
                           host=people["partner"], programme=people["programme"],
                           title="Stay with a director")
    admin, director = people["admin"], people["director"]
    assert "endorse" in allowed_actions(admin, orphan)
    assert "endorse" not in allowed_actions(admin, led)  # its director reviews it
    assert "endorse" not in allowed_actions(director, orphan)  # not their laboratory

    client = login(admin)
    html = client.get("/review/admin").get_data(as_text=True)
    assert "Stay without director" in html and "Stay with a director" not in html

    # A deactivated director leaves the same gap.
    people["director"].active = False
    db.session.commit()
    assert "endorse" in allowed_actions(admin, led)
    html = client.get("/review/admin").get_data(as_text=True)
    assert "Stay with a director" in html


# After a decision ---------------------------------------------------------------------------
def test_after_a_decision_the_reviewer_is_back_in_their_queue(db, make, login, people):
    from tests.applications.test_pages import act
    submitted = make.application(applicant=people["researcher"], status="submitted",
                                 host=people["partner"], programme=people["programme"])
    director = login(people["director"])
    response = act(director, submitted, "endorse", version="1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review/director")
    page = director.get("/review/director").get_data(as_text=True)
    assert f"{submitted.reference}: Endorsed" in page


def test_after_an_admin_decision_the_admin_queue(db, make, login, people):
    from tests.applications.test_pages import act
    endorsed = make.application(applicant=people["researcher"], status="endorsed",
                                host=people["partner"], programme=people["programme"])
    admin = login(people["admin"])
    response = act(admin, endorsed, "reject", version="1", comment="Out of scope.")
    assert response.headers["Location"].endswith("/review/admin")


def test_the_applicants_own_actions_stay_on_the_application(db, make, login, people):
    from tests.applications.test_pages import act
    draft = make.application(applicant=people["researcher"], host=people["partner"],
                             programme=people["programme"])
    client = login(people["researcher"])
    response = act(client, draft, "submit", version="1")
    assert response.headers["Location"].endswith(f"/applications/{draft.id}")
