"""A returned request: the reviewer's comment, who and when, at the top of the applicant's
page and edit form, until the request moves on."""

import re

from tests.applications.test_pages import act
from tests.conftest import sign_in
from tracker.applications.models import Event
from tracker.core.dates import format_day


def signed_in(app, user):
    """A client of its own, signed in as ``user``."""
    client = app.test_client()
    sign_in(client, user)
    return client


def returned_by_director(db, app, make, people, comment="Please add the host's letter."):
    application = make.application(applicant=people["researcher"], status="submitted",
                                   host=people["partner"], programme=people["programme"])
    director = signed_in(app, people["director"])
    assert act(director, application, "return", version="1", comment=comment).status_code == 302
    db.session.expire_all()
    return db.session.get(type(application), application.id)


def notice(html):
    match = re.search(r'<div class="alert alert-warning" role="alert" '
                      r'aria-labelledby="return-notice-heading">(.*?)</div>', html, re.S)
    return " ".join(match.group(1).split()) if match else None


def test_the_applicant_reads_the_return_on_the_page_and_the_edit_form(db, app, make, login,
                                                                      people, client):
    application = returned_by_director(db, app, make, people)
    event = db.session.scalars(db.select(Event).where(Event.action == "return")).one()
    day = format_day(event.created_at, "en")
    login(people["researcher"])
    for url in (f"/applications/{application.id}", f"/applications/{application.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        said = notice(html)
        assert said is not None, url
        assert f"Returned by Dana Director on {day}:" in said
        assert "Please add the host&#39;s letter." in said
        # At the top: before the page's details, before the form.
        assert html.index("return-notice-heading") < html.index(
            '<form method="post" novalidate>' if url.endswith("/edit") else 'id="details-heading"')


def test_the_latest_return_is_the_one_shown(db, app, make, login, people, client):
    application = returned_by_director(db, app, make, people, comment="First round.")
    login(people["researcher"])
    assert act(client, application, "submit", version=str(application.version)).status_code == 302
    db.session.expire_all()
    director = signed_in(app, people["director"])
    response = act(director, application, "return", version=str(application.version),
                   comment="Second round.")
    assert response.status_code == 302
    said = notice(client.get(f"/applications/{application.id}").get_data(as_text=True))
    assert "Second round." in said and "First round." not in said


def test_others_do_not_get_the_notice(db, app, make, login, people, client):
    application = returned_by_director(db, app, make, people)
    for person in ("director", "admin"):
        html = signed_in(app, people[person]).get(
            f"/applications/{application.id}").get_data(as_text=True)
        assert notice(html) is None
        assert "Please add the host&#39;s letter." in html  # the history keeps it for all


def test_no_notice_once_resubmitted(db, app, make, login, people, client):
    application = returned_by_director(db, app, make, people)
    login(people["researcher"])
    response = act(client, application, "submit", version=str(application.version))
    assert response.status_code == 302
    assert notice(client.get(f"/applications/{application.id}").get_data(as_text=True)) is None


def test_a_draft_never_returned_has_no_notice(make, login, people, client):
    draft = make.application(applicant=people["researcher"], host=people["partner"],
                             programme=people["programme"])
    login(people["researcher"])
    for url in (f"/applications/{draft.id}", f"/applications/{draft.id}/edit"):
        assert notice(client.get(url).get_data(as_text=True)) is None


def test_a_stand_in_is_named_with_the_person_they_stood_in_for(db, make, login, people, client):
    application = make.application(applicant=people["researcher"], status="returned",
                                   host=people["partner"], programme=people["programme"])
    db.session.add(Event(application_id=application.id, actor_id=people["admin"].id,
                         on_behalf_of_id=people["director"].id, action="return",
                         from_status="submitted", to_status="returned", comment="Dates?"))
    db.session.commit()
    login(people["researcher"])
    said = notice(client.get(f"/applications/{application.id}").get_data(as_text=True))
    assert "Returned by Ada Admin for Dana Director on " in said and "Dates?" in said
