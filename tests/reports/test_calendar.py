"""The secret iCalendar feeds, and a laboratory's timeline."""

import re
from datetime import date, timedelta

from icalendar import Calendar

from tracker.extensions import db
from tracker.auth.models import CalendarFeed


def _feed_url(client):
    body = client.get("/reports/calendar").get_data(as_text=True)
    match = re.search(r'value="(http://[^"]+\.ics)"', body)
    assert match, body
    return match.group(1).replace("http://localhost", "")


def test_calendar_feed_validates_and_holds_only_own_approved_stays(client, login, org, apps):
    login(org["ada"])
    url = _feed_url(client)
    client.post("/auth/logout")  # the feed needs no session: the address is the secret
    anonymous = client.application.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = list(calendar.walk("VEVENT"))
    assert [str(event["summary"]).split(":")[0] for event in events] == [apps["ada_de"].reference]
    event = events[0]
    assert event.decoded("dtstart") == apps["ada_de"].start_date
    assert event.decoded("dtend") == apps["ada_de"].end_date + timedelta(days=1)
    assert "Bob" not in response.get_data(as_text=True)


def test_calendar_feed_leaks_nothing_without_its_secret(client, login, org, apps):
    login(org["ada"])
    url = _feed_url(client)
    anonymous = client.application.test_client()
    token = url.rsplit("/", 1)[1][:-4]
    for wrong in (token[:-1], token + "x", "", "x" * 80, token.upper()):
        response = anonymous.get(f"/reports/calendar/{wrong}.ics")
        assert response.status_code == 404, wrong
        assert apps["ada_de"].reference not in response.get_data(as_text=True)


def test_resetting_the_address_closes_the_old_one(client, login, org, apps):
    from tests.conftest import post_form

    login(org["ada"])
    old = _feed_url(client)
    assert post_form(client, "/reports/calendar", {}).status_code == 302
    new = _feed_url(client)
    assert new != old
    anonymous = client.application.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200


def test_feed_of_a_deactivated_person_is_gone(client, login, org, apps):
    login(org["ada"])
    url = _feed_url(client)
    org["ada"].active = False
    db.session.commit()
    assert client.application.test_client().get(url).status_code == 404
    assert db.session.get(CalendarFeed, org["ada"].id) is not None


def test_laboratory_timeline(client, login, make, org, apps):
    today = date.today()
    visiting = make.application(applicant=org["visitor"], direction="incoming",
                                home=org["partner_de"], host=org["unit_a"],
                                programme=org["incoming"], status="approved",
                                start_date=today, end_date=today + timedelta(days=90))
    login(org["director_a"])
    url = f"/reports/laboratories/{org['unit_a'].id}/stays"
    body = client.get(url).get_data(as_text=True)
    assert apps["ada_de"].reference in body and visiting.reference in body
    assert apps["ada_us"].reference not in body  # submitted, not approved
    assert body.count("<svg") == 1 and "<caption>" in body
    assert client.get(f"{url}?from=2024-13").status_code == 400
    older = client.get(f"{url}?from=2024-01").get_data(as_text=True)
    assert apps["ada_de"].reference not in older
    # Another unit's timeline is not this director's to see.
    assert client.get(f"/reports/laboratories/{org['unit_b'].id}/stays").status_code == 404
    assert client.get("/reports/laboratories/999999/stays").status_code == 404


def _events_of(client, login, person):
    login(person)
    url = _feed_url(client)
    calendar = Calendar.from_ical(client.application.test_client().get(url).get_data())
    return {str(event["summary"]).split(":")[0]: event for event in calendar.walk("VEVENT")}


def _visit(make, org, host, home=None, status="approved"):
    today = date.today()
    return make.application(applicant=org["visitor"], direction="incoming",
                            home=home or org["partner_de"], host=host,
                            programme=org["incoming"], status=status, title="Guest lectures",
                            start_date=today + timedelta(days=3),
                            end_date=today + timedelta(days=12))


def test_host_director_feed_holds_the_visits_to_their_unit(client, login, make, org, apps):
    to_a = _visit(make, org, org["unit_a"])
    to_b = _visit(make, org, org["unit_b"])
    pending = _visit(make, org, org["unit_a"], status="endorsed")
    events = _events_of(client, login, org["director_a"])
    assert to_a.reference in events
    assert to_b.reference not in events and pending.reference not in events
    # Their own people's stays abroad are not theirs to host.
    assert apps["ada_de"].reference not in events
    event = events[to_a.reference]
    assert "Vera Visitor" in str(event["summary"])
    assert event.decoded("dtstart") == to_a.start_date
    assert event.decoded("dtend") == to_a.end_date + timedelta(days=1)
    assert org["unit_a"].name in str(event["location"])


def test_the_person_who_invited_a_visitor_gets_the_visit(client, login, make, org, apps):
    from datetime import datetime, timezone

    from tracker.applications.models import Invitation

    to_b = _visit(make, org, org["unit_b"])
    not_invited = _visit(make, org, org["unit_b"])
    db.session.add(Invitation(token_hash="a" * 64, email=org["visitor"].email,
                              invited_by_id=org["admin"].id, user_id=org["visitor"].id,
                              application_id=to_b.id, host_laboratory_id=org["unit_b"].id,
                              expires_at=datetime.now(timezone.utc)))
    db.session.commit()
    events = _events_of(client, login, org["admin"])
    assert to_b.reference in events and not_invited.reference not in events


def test_a_researcher_feed_holds_no_one_else(client, login, make, org, apps):
    visit = _visit(make, org, org["unit_a"])
    events = _events_of(client, login, org["bob"])
    assert visit.reference not in events and apps["ada_de"].reference not in events


def test_the_visitor_feed_shows_the_visit_as_their_own_stay(client, login, make, org, apps):
    visit = _visit(make, org, org["unit_a"])
    visitor_events = _events_of(client, login, org["visitor"])
    assert list(visitor_events) == [visit.reference]
    assert "Vera Visitor" not in str(visitor_events[visit.reference]["summary"])


def test_nobody_signed_in_has_no_calendar_stays(app, org, apps):
    from tracker import access

    assert db.session.scalars(access.calendar_applications(None)).all() == []
