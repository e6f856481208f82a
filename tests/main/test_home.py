"""The signed-in home page: what waits for the person, oldest first, and their next stays."""

import re
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from tests.requirement_world import build_world, outgoing
from tracker.applications.models import Event


def at(days_ago):
    return datetime.now(timezone.utc) - timedelta(days=days_ago)


ACTIONS = {"draft": "create", "submitted": "submit", "endorsed": "endorse",
           "returned": "return"}


def moved(db, application, to_status, days_ago, actor=None, from_status="draft"):
    """An event that put ``application`` in ``to_status`` ``days_ago`` days ago."""
    db.session.add(Event(
        application_id=application.id,
        actor_id=(actor or application.applicant).id,
        action=ACTIONS[to_status],
        from_status=None if to_status == "draft" else from_status,
        to_status=to_status,
        comment="Please fix." if to_status == "returned" else "",
        created_at=at(days_ago),
    ))
    application.waiting_since = at(days_ago)  # what the workflow services keep
    db.session.commit()


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def block(html, name):
    """The HTML of the home page's block ``name`` ("" when it is not there)."""
    match = re.search(rf'<section class="card mb-3 waiting-block" id="queue-{name}".*?</section>',
                      html, re.S)
    return match.group(0) if match else ""


def listed(html):
    """The references of a block's items, in order."""
    return re.findall(r'<li class="waiting-item py-1">\s*<a [^>]*>(MOB-[0-9-]+)</a>', html)


def count(html):
    return int(re.search(r'waiting-count">(\d+)</span>', html).group(1))


def test_a_visitor_keeps_the_landing_page(client):
    html = home(client)
    assert "Sign in" in html and "Register" in html
    assert "Waiting for you" not in html


def test_the_researcher_sees_drafts_and_returned_requests_oldest_first(db, make, login,
                                                                       people):
    mine = dict(applicant=people["researcher"], host=people["partner"],
                programme=people["programme"])
    young = make.application(title="Young draft", **mine)
    old = make.application(title="Old draft", **mine)
    moved(db, young, "draft", 1)
    moved(db, old, "draft", 9)
    returned = make.application(status="returned", title="Sent back", **mine)
    moved(db, returned, "returned", 3, actor=people["director"], from_status="submitted")
    # Someone else's draft and the researcher's submitted request wait for nobody here.
    make.application(applicant=people["other_researcher"], host=people["partner"],
                     programme=people["programme"])
    make.application(status="submitted", **mine)
    html = home(login(people["researcher"]))
    assert html.count("Welcome, Rita Researcher") == 1  # the sign-in's message, once
    drafts = block(html, "drafts")
    assert "Drafts to complete" in drafts and count(drafts) == 2
    assert listed(drafts) == [old.reference, young.reference]
    assert "waiting for 9 days" in drafts and "Old draft" in drafts
    fix = block(html, "returned")
    assert "Returned requests to fix" in fix and listed(fix) == [returned.reference]
    assert "waiting for 3 days" in fix
    # The applicant's own items lead to their page, not to a reviewer's queue.
    assert f'href="/applications/{returned.id}"' in fix
    assert block(html, "director") == "" and "Nothing waits for you" not in html
    assert html.index('id="waiting-heading"') < html.index('id="queue-drafts-heading"')


def test_a_long_queue_shows_its_five_oldest_and_links_to_all(db, make, login, people):
    mine = dict(host=people["partner"], programme=people["programme"], status="submitted")
    made = []
    for days in range(7):
        application = make.application(applicant=make.user(lab=people["unit"]), **mine)
        moved(db, application, "submitted", days)
        made.append(application)
    html = home(login(people["director"]))
    queue = block(html, "director")
    assert count(queue) == 7
    assert listed(queue) == [a.reference for a in reversed(made)][:5]
    assert "See all 7" in queue and 'href="/review/director"' in queue
    assert "waiting for 6 days" in queue.split('class="waiting-item')[1]
    assert "since today" not in queue  # today's is the seventh, one link away


def test_the_director_sees_the_requests_to_review_with_their_applicants(db, make, login,
                                                                         people):
    submitted = make.application(applicant=people["researcher"], status="submitted",
                                 host=people["partner"], programme=people["programme"],
                                 title="Field work")
    moved(db, submitted, "submitted", 4)
    fresh = make.application(applicant=people["other_researcher"], status="submitted",
                             host=people["partner"], programme=people["programme"])
    moved(db, fresh, "submitted", 0)
    # Another laboratory's request, and the director's own, are not theirs to review.
    make.application(applicant=make.user(lab=people["other_unit"]), status="submitted",
                     host=people["partner"], programme=people["programme"])
    make.application(applicant=people["director"], status="submitted", host=people["partner"],
                     programme=people["programme"])
    html = home(login(people["director"]))
    queue = block(html, "director")
    assert "Requests to review" in queue and count(queue) == 2
    assert listed(queue) == [submitted.reference, fresh.reference]
    assert "since today" in queue
    assert "Rita Researcher" in queue and "Field work" in queue and "waiting for 4 days" in queue
    assert f'href="/applications/{submitted.id}?queue=director"' in queue
    assert "Open the list" in queue


def test_the_admin_sees_what_to_decide_and_what_to_endorse_in_a_directors_place(
        db, make, login, people):
    endorsed = make.application(applicant=people["researcher"], status="endorsed",
                                host=people["partner"], programme=people["programme"])
    moved(db, endorsed, "endorsed", 2, actor=people["director"], from_status="submitted")
    directors_own = make.application(applicant=people["director"], status="submitted",
                                     host=people["partner"], programme=people["programme"])
    make.application(applicant=people["researcher"], status="submitted",
                     host=people["partner"], programme=people["programme"])
    html = home(login(people["admin"]))
    decide = block(html, "admin_decision")
    assert "Endorsed requests to decide" in decide and listed(decide) == [endorsed.reference]
    assert 'href="/review/admin#decisions-heading"' in decide
    endorse = block(html, "admin_endorsement")
    assert listed(endorse) == [directors_own.reference]
    assert "Dana Director" in endorse


def test_the_security_officer_sees_the_opinions_to_give(make, login):
    w = build_world(make)
    asks = outgoing(make, w, w["partner_ml"], status="submitted", title="Bamako")
    outgoing(make, w, w["partner_de"], status="submitted")  # green: no opinion asked
    html = home(login(w["security"]))
    opinions = block(html, "security")
    assert "Security opinions to give" in opinions and listed(opinions) == [asks.reference]
    assert f'href="/applications/{asks.id}?queue=security"' in opinions
    assert block(html, "drafts") == ""


def test_the_host_director_sees_the_host_opinions_to_give(make, login):
    w = build_world(make)
    asks = outgoing(make, w, w["joint"], status="submitted", title="Tokyo")
    html = home(login(w["host"]))
    assert listed(block(html, "host")) == [asks.reference]


def test_nothing_to_do_says_so(make, login, people):
    make.application(applicant=people["researcher"], status="submitted",
                     host=people["partner"], programme=people["programme"])
    html = home(login(people["researcher"]))
    assert "Nothing waits for you" in html
    assert 'class="card mb-3 waiting-block"' not in html
    assert "No approved stay ahead." in html
    assert 'href="/applications/new"' in html  # the researcher may apply


def test_the_next_stays_approved_and_not_over_soonest_first(make, login, people):
    today = date.today()
    mine = dict(applicant=people["researcher"], host=people["partner"],
                programme=people["programme"], status="approved")
    later = make.application(start_date=today + timedelta(days=90), title="Later", **mine)
    running = make.application(start_date=today - timedelta(days=2),
                               end_date=today + timedelta(days=5), title="Running", **mine)
    soon = make.application(start_date=today + timedelta(days=10), title="Soon", **mine)
    make.application(start_date=today - timedelta(days=30), end_date=today - timedelta(days=1),
                     title="Over", **mine)
    make.application(applicant=people["researcher"], host=people["partner"],
                     programme=people["programme"], status="submitted", title="Not yet")
    make.application(applicant=people["other_researcher"], host=people["partner"],
                     programme=people["programme"], status="approved", title="Not mine")
    html = home(login(people["researcher"]))
    stays = html.split('id="stays-heading"')[1].split('id="links-heading"')[0]
    assert re.findall(r'<li class="upcoming-stay py-1">\s*<a [^>]*>(MOB-[0-9-]+)</a>', stays) == [
        running.reference, soon.reference, later.reference]
    assert stays.count("In progress") == 1
    assert "Over" not in stays and "Not yet" not in stays and "Not mine" not in stays


def test_the_home_page_costs_the_same_statements_for_small_and_large_queues(db, make, login,
                                                                            people):
    client = login(people["admin"])
    mine = dict(host=people["partner"], programme=people["programme"])

    def statements():
        seen = []

        def record(*args):
            seen.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            home(client)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(seen)

    def add_work():
        for _ in range(2):
            make.application(applicant=people["admin"], **mine)
            make.application(applicant=make.user(lab=people["unit"]), status="endorsed", **mine)
            make.application(applicant=people["director"], status="submitted", **mine)
            make.application(applicant=people["admin"], status="approved", **mine)

    add_work()
    few = statements()
    for _ in range(4):
        add_work()
    assert statements() == few


def test_how_long_in_the_readers_language():
    from tracker.core.dates import format_waited

    now = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
    assert format_waited(now - timedelta(hours=20), now, "en") == ""  # "since today"
    assert format_waited(now - timedelta(days=3, hours=2), now, "en") == "3 days"
    assert format_waited(now - timedelta(days=3), now, "fr") == "3\u00a0jours"  # a no-break space, as French writes it
    assert format_waited(now - timedelta(days=45), now, "en") == "6 weeks"
    assert format_waited(None) == ""
