"""Application pages in the reader's language: one way of writing days and times (in the
organisation's time zone), amounts through the ``amount`` filter, readable action panels."""

from datetime import datetime, timezone

from tracker.applications.models import Event

MOMENT = datetime(2026, 12, 1, 5, 24, tzinfo=timezone.utc)  # 06:24 in Paris


def test_history_and_documents_show_times_alike_in_the_organisations_zone(db, make, login,
                                                                          people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"])
    document = make.document(application)
    document.created_at = MOMENT
    db.session.add(Event(application_id=application.id, actor_id=people["researcher"].id,
                         action="create", to_status="draft", created_at=MOMENT))
    db.session.commit()
    client = login(people["researcher"])
    html = client.get(f"/applications/{application.id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2026-12-01 05:24" not in html and "12/1/26" not in html
    history = html.split('id="history-heading"')[1]
    documents = html.split('id="history-heading"')[0]
    assert "12/1/2026, 6:24\u202fAM" in history
    assert "12/1/2026, 6:24\u202fAM" in documents
    assert "Europe/Paris" in history
    french = client.get(f"/applications/{application.id}",
                        headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert french.count("01/12/2026 06:24") >= 2


def test_stay_dates_are_written_day_first_in_french(db, make, login, people):
    from datetime import date
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"],
                                   start_date=date(2030, 3, 9), end_date=date(2030, 3, 20))
    client = login(people["researcher"])
    french = client.get("/applications/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "09/03/2030" in french and "20/03/2030" in french
    assert "2030-03-09" not in french.replace('datetime="2030-03-09"', "")
    english = client.get(f"/applications/{application.id}",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "3/9/2030" in english


def test_a_huge_requested_amount_is_too_large_with_the_limit(db, login, people):
    from tests.applications.test_pages import form_data
    from tests.conftest import post_form
    client = login(people["researcher"])
    response = post_form(client, "/applications/new/outgoing",
                         form_data(people, requested_amount="99,999,999,999,999"))
    html = response.get_data(as_text=True)
    assert "This amount is too large: at most €9,999,999,999.99." in html
    assert "at most two decimals" not in html


def test_the_approval_message_gives_the_amount_as_pages_write_it(db, make, people):
    from decimal import Decimal

    import sqlalchemy as sa

    from tracker.applications.services import transition
    from tracker.notifications.models import Notification
    application = make.application(applicant=people["researcher"], status="endorsed",
                                   host=people["partner"], programme=people["programme"],
                                   requested_amount=Decimal("1200.00"))
    transition(application, "approve", people["admin"], "", application.version,
               awarded_amount=Decimal("1200.00"))
    db.session.commit()
    bodies = db.session.scalars(sa.select(Notification.body)).all()
    assert any("€1,200.00" in body for body in bodies)
    assert not any("1200.00" in body for body in bodies)


def test_dashboard_amounts_in_the_readers_way(db, make, login, people):
    from decimal import Decimal
    programme = make.programme("outgoing", name="Big call", budget=Decimal("1200000.00"))
    client = login(people["admin"])
    html = client.get("/reports/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "1200000.00" not in html and "1,200,000.00" not in html
    assert "1\u202f200\u202f000,00" in html
    assert programme.name in html


def test_a_long_unbroken_title_wraps_and_stays_readable_in_full(db, make, login, people):
    title = "Photonics" * 20  # 180 letters without a space
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"], title=title)
    client = login(people["researcher"])
    html = client.get("/applications/").get_data(as_text=True)
    assert f'<span class="cell-title" title="{title}">{title}</span>' in html
    css = client.get("/static/css/app.css").get_data(as_text=True)
    rule = css.split(".cell-title")[1].split("}")[0]
    assert "overflow-wrap: anywhere" in rule and "max-width" in rule
    assert application.reference in html


def comment_labels(html):
    import re
    return dict(re.findall(r'<label[^>]*for="([a-z]+)-comment"[^>]*>([^<]+)</label>', html))


def test_each_action_names_its_comment_box(db, make, login, people):
    application = make.application(applicant=people["researcher"], status="submitted",
                                   host=people["partner"], programme=people["programme"])
    html = login(people["director"]).get(f"/applications/{application.id}").get_data(as_text=True)
    labels = comment_labels(html)
    assert set(labels) == {"endorse", "return", "decline"}
    assert len(set(labels.values())) == 3
    assert "Comment for the applicant (required to return)" in labels["return"]


def test_cancelling_ones_own_stay_is_not_worded_for_a_reviewer(db, make, login, people):
    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=people["programme"])
    html = login(people["researcher"]).get(f"/applications/{application.id}").get_data(as_text=True)
    cancel = html.split('value="cancel"')[0].rsplit("<form", 1)[1]
    assert "Why you cancel the stay" in cancel
    assert "the applicant will read it" not in cancel.lower()
    assert "The applicant reads it" not in cancel
