"""The stand-ins page, and what a stand-in finds on the review pages."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, post_form
from tests.requirement_world import build_world, outgoing
from tracker.delegations.models import Delegation
from tracker.extensions import db

TODAY = date.today()


@pytest.fixture
def w(make):
    return build_world(make)


def give(client, delegate_id, starts_on=TODAY, ends_on=None, q=""):
    return post_form(client, "/stand-ins/", {
        "delegate_id": str(delegate_id), "starts_on": str(starts_on),
        "ends_on": str(ends_on or starts_on + timedelta(days=6)), "q": q,
    })


def error_of(html, field):
    match = re.search(rf'id="{field}-error"[^>]*>\s*(.*?)\s*</div>', html, re.S)
    assert match, f"no error next to {field}"
    return match.group(1)


def delegations():
    return db.session.scalars(sa.select(Delegation)).all()


def test_a_director_names_a_stand_in_from_the_page(login, w):
    client = login(w["director"])
    page = client.get("/stand-ins/").get_data(as_text=True)
    assert "<h1" in page and "Name a stand-in" in page
    assert "Rita Researcher" in page  # the people of their laboratory are offered
    assert "You have named no stand-in." in page
    response = give(client, w["researcher"].id)
    assert response.status_code == 302
    page = client.get("/stand-ins/").get_data(as_text=True)
    assert "Rita Researcher stands in for you from" in page
    assert "In progress" in page and "/cancel" in page
    (delegation,) = delegations()
    assert (delegation.delegator_id, delegation.delegate_id) == (w["director"].id,
                                                                 w["researcher"].id)


def test_the_person_list_is_narrowed_by_a_search(login, make, w):
    make.user(lab=w["partner_de"], full_name="Zoë Faraway")
    client = login(w["admin"])
    assert "Zoë Faraway" not in client.get("/stand-ins/").get_data(as_text=True)
    page = client.get("/stand-ins/?q=faraway").get_data(as_text=True)
    assert "Zoë Faraway" in page and "Rita Researcher" not in page
    assert 'value="faraway"' in page


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"delegate_id": "self"}, "delegate_id", "cannot stand in for yourself"),
    ({"delegate_id": ""}, "delegate_id", "Choose the person"),
    ({"starts_on": TODAY - timedelta(days=2)}, "starts_on", "cannot start in the past"),
    ({"ends_on": TODAY - timedelta(days=1)}, "ends_on", "before the first"),
    ({"ends_on": TODAY + timedelta(days=400)}, "ends_on", "at most 366 days"),
])
def test_refusals_are_said_next_to_their_field_and_nothing_is_lost(login, w, values, field,
                                                                    words):
    client = login(w["director"])
    delegate_id = values.get("delegate_id", w["researcher"].id)
    if delegate_id == "self":
        delegate_id = w["director"].id
    response = give(client, delegate_id, values.get("starts_on", TODAY), values.get("ends_on"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert words in error_of(html, field)
    assert f'aria-describedby="{field}-error"' in html or f'{field}-error"' in html
    assert str(values.get("starts_on", TODAY)) in html  # the dates typed stay in the form
    assert delegations() == []


def test_an_inactive_person_is_refused(login, make, w):
    gone = make.user(lab=w["unit"], full_name="Gone Away", active=False)
    response = give(login(w["director"]), gone.id)
    assert response.status_code == 422
    assert "not active" in error_of(response.get_data(as_text=True), "delegate_id")


def test_an_overlap_is_refused_with_the_other_delegation_named(login, make, w):
    make.delegation(w["director"], w["other"], TODAY + timedelta(days=3))
    response = give(login(w["director"]), w["researcher"].id)
    assert response.status_code == 422
    assert "overlaps your delegation to Otto Other" in error_of(
        response.get_data(as_text=True), "starts_on")


def test_cancelling_asks_for_a_confirmation_first(login, make, w):
    upcoming = make.delegation(w["director"], w["researcher"], TODAY + timedelta(days=2))
    client = login(w["director"])
    page = client.get(f"/stand-ins/{upcoming.id}/cancel").get_data(as_text=True)
    assert "Cancel the delegation to Rita Researcher?" in page and "It has not started" in page
    assert len(delegations()) == 1
    response = post_form(client, f"/stand-ins/{upcoming.id}/cancel", {})
    assert response.status_code == 302
    assert delegations() == []


def test_cancelling_one_in_progress_ends_it_today(login, make, w):
    running = make.delegation(w["director"], w["researcher"], TODAY)
    client = login(w["director"])
    assert "It is in progress" in client.get(f"/stand-ins/{running.id}/cancel").get_data(
        as_text=True)
    post_form(client, f"/stand-ins/{running.id}/cancel", {})
    db.session.expire_all()
    row = db.session.get(Delegation, running.id)
    assert row.ends_on == TODAY and row.cancelled_at is not None
    assert "Cancelled" in client.get("/stand-ins/").get_data(as_text=True)


def test_an_ended_delegation_offers_no_cancel(login, make, w):
    ended = make.delegation(w["director"], w["researcher"], TODAY - timedelta(days=5),
                            TODAY - timedelta(days=1))
    client = login(w["director"])
    response = client.get(f"/stand-ins/{ended.id}/cancel")
    assert response.status_code == 302
    response = client.post(f"/stand-ins/{ended.id}/cancel",
                           data={"csrf_token": csrf_token(client, "/stand-ins/")})
    assert response.status_code == 302
    assert db.session.get(Delegation, ended.id).cancelled_at is None


def test_the_stand_in_sees_what_they_received_and_cannot_cancel_it(login, make, w):
    running = make.delegation(w["director"], w["researcher"])
    client = login(w["researcher"])
    page = client.get("/stand-ins/").get_data(as_text=True)
    assert "You stand in for" in page and "Unit Director" in page
    assert "Name a stand-in" not in page and "/cancel" not in page
    assert client.get(f"/stand-ins/{running.id}/cancel").status_code == 403
    assert client.post("/stand-ins/", data={
        "csrf_token": csrf_token(client, "/stand-ins/")}).status_code == 403


def test_the_page_is_linked_for_directors_and_stand_ins(login, make, w):
    assert 'href="/stand-ins/"' in login(w["director"]).get("/").get_data(as_text=True)


# Queues and history -----------------------------------------------------------------------
def test_the_stand_in_works_the_directors_queue_and_the_history_names_both(login, make, w):
    theirs = outgoing(make, w, w["partner_de"], applicant=w["other"])
    own = outgoing(make, w, w["partner_de"], applicant=w["researcher"])
    client = login(w["researcher"])
    # Before the delegation: no queue.
    assert client.get("/review/director").status_code == 403
    assert 'href="/review/director"' not in client.get("/").get_data(as_text=True)
    make.delegation(w["director"], w["researcher"])
    assert 'href="/review/director"' in client.get("/").get_data(as_text=True)
    queue = client.get("/review/director").get_data(as_text=True)
    assert theirs.reference in queue and own.reference not in queue
    assert "for Unit Director" in queue and "You stand in for Unit Director" in queue
    # Their own application offers them no decision.
    own_page = client.get(f"/applications/{own.id}").get_data(as_text=True)
    assert f"/applications/{own.id}/actions/endorse" not in own_page
    page = client.get(f"/applications/{theirs.id}").get_data(as_text=True)
    assert f"/applications/{theirs.id}/actions/endorse" in page
    response = post_form(client, f"/applications/{theirs.id}/actions/endorse",
                         {"endorse-version": str(theirs.version), "endorse-comment": ""},
                         page=f"/applications/{theirs.id}")
    assert response.status_code == 302 and response.location.endswith("/review/director")
    history = client.get(f"/applications/{theirs.id}").get_data(as_text=True)
    assert "Rita Researcher for Unit Director" in history


def test_posting_a_decision_on_ones_own_application_is_refused(login, make, w):
    own = outgoing(make, w, w["partner_de"], applicant=w["researcher"])
    make.delegation(w["director"], w["researcher"])
    client = login(w["researcher"])
    response = post_form(client, f"/applications/{own.id}/actions/endorse",
                         {"endorse-version": str(own.version), "endorse-comment": ""},
                         page=f"/applications/{own.id}")
    assert response.status_code == 403


def test_an_admins_stand_in_has_the_decisions_page_but_not_the_directory(login, make, w):
    endorsed = outgoing(make, w, w["partner_de"], applicant=w["other"], status="endorsed")
    make.delegation(w["admin"], w["researcher"])
    client = login(w["researcher"])
    page = client.get("/review/admin").get_data(as_text=True)
    assert endorsed.reference in page and "You stand in for Ada Admin" in page
    assert client.get("/admin/users").status_code == 403


def test_the_queue_page_runs_the_same_queries_whatever_its_rows(app, login, make, w):
    make.delegation(w["director"], w["researcher"])
    client = login(w["researcher"])

    def count_queries():
        statements = []

        def record(*args):
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/review/director").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    outgoing(make, w, w["partner_de"], applicant=w["other"])
    few = count_queries()
    for _ in range(5):
        outgoing(make, w, w["partner_de"], applicant=make.user(lab=w["unit"]))
    assert count_queries() == few


def test_the_stand_in_of_a_joint_units_director_has_their_host_queue(login, make, w):
    asking = outgoing(make, w, w["joint"], applicant=w["other"])
    client = login(w["researcher"])
    assert client.get("/review/host").status_code == 403
    make.delegation(w["host"], w["researcher"])
    page = client.get("/review/host").get_data(as_text=True)
    assert asking.reference in page and "You stand in for Host Director" in page


def test_a_stand_ins_figures_are_kept_apart_from_others(make, w):
    from tracker import access

    before = access.visibility_scope(w["researcher"])
    make.delegation(w["director"], w["researcher"])
    assert access.visibility_scope(w["researcher"]) != before
    assert access.visibility_scope(w["researcher"])[-1] == (w["director"].id,)
