"""The in-app list of notifications: own ones only, newest first, read and unread."""

from datetime import timedelta

from flask import render_template_string
from flask_login import login_user

from tests.conftest import csrf_token, post_form
from tracker.core.models import utcnow
from tracker.notifications.models import Notification


def reload(db, notification):
    db.session.expire_all()
    return db.session.get(Notification, notification.id)


def test_list_shows_only_own_notifications_newest_first_unread_highlighted(client, login, make):
    me, someone = make.user(), make.user()
    now = utcnow()
    make.notification(me, subject="Older and read", created_at=now - timedelta(days=2),
                      read_at=now)
    make.notification(me, subject="Newer and unread", created_at=now - timedelta(hours=1))
    make.notification(someone, subject="Not for me")
    login(me)

    html = client.get("/notifications/").get_data(as_text=True)

    assert "Not for me" not in html
    assert html.index("Newer and unread") < html.index("Older and read")
    assert html.count("notification-unread") == 1
    assert "1 unread notification." in html


def test_list_is_paginated(app, client, login, make, monkeypatch):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 2)
    me = make.user()
    now = utcnow()
    for n in range(3):
        make.notification(me, subject=f"Message {n}", created_at=now - timedelta(hours=n))
    login(me)
    first = client.get("/notifications/").get_data(as_text=True)
    assert "Message 0" in first and "Message 1" in first and "Message 2" not in first
    assert 'rel="next"' in first
    second = client.get("/notifications/?page=2")
    assert second.status_code == 200
    assert "Message 2" in second.get_data(as_text=True)


def test_mark_one_read(client, login, make, db):
    me = make.user()
    notification = make.notification(me)
    other = make.notification(me)
    login(me)
    response = post_form(client, f"/notifications/{notification.id}/read", {},
                         page="/notifications/")
    assert response.status_code == 302
    assert reload(db, notification).read_at is not None
    assert reload(db, other).read_at is None


def test_marking_another_users_notification_is_404(client, login, make, db):
    me, someone = make.user(), make.user()
    theirs = make.notification(someone)
    login(me)
    response = post_form(client, f"/notifications/{theirs.id}/read", {}, page="/notifications/")
    assert response.status_code == 404
    assert reload(db, theirs).read_at is None


def test_mark_all_read_touches_only_own(client, login, make, db):
    me, someone = make.user(), make.user()
    mine = [make.notification(me) for _ in range(3)]
    theirs = make.notification(someone)
    login(me)
    response = post_form(client, "/notifications/read-all", {}, page="/notifications/")
    assert response.status_code == 302
    assert all(reload(db, n).read_at is not None for n in mine)
    assert reload(db, theirs).read_at is None
    assert "0 unread notifications." in client.get("/notifications/").get_data(as_text=True)


def test_mark_read_needs_the_csrf_token(client, login, make, db):
    me = make.user()
    notification = make.notification(me)
    login(me)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 400
    assert reload(db, notification).read_at is None


def test_anonymous_goes_to_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    token = csrf_token(client, "/auth/login")
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302


def test_unread_count_helper_and_navigation_badge(app, make):
    me = make.user()
    make.notification(me)
    make.notification(me)
    make.notification(me, read_at=utcnow())
    with app.test_request_context("/"):
        assert render_template_string("{{ unread_notifications_count() }}") == "0"
        login_user(me)
        assert render_template_string("{{ unread_notifications_count() }}") == "2"
        badge = render_template_string('{% include "notifications/_unread_badge.html" %}')
        assert ">2<" in badge and "unread" in badge


def test_notifications_link_is_in_the_navigation(app, make):
    from tracker.main.navigation import nav_links

    with app.test_request_context("/"):
        endpoints = [endpoint for endpoint, _, _ in nav_links(make.user())]
    assert "notifications.list_notifications" in endpoints


# Undelivered messages (admins) -------------------------------------------------------------
def test_admins_see_the_messages_delivery_gave_up_on_and_send_them_again(client, login,
                                                                         make, db):
    admin = make.user(roles=("admin",))
    person = make.user(email="zoe@example.org")
    now = utcnow()
    given_up = make.notification(person, subject="Approved at last", attempts=1, failed_at=now,
                                 last_error="SMTPNotSupportedError: SMTPUTF8 needed")
    make.notification(person, subject="Still being tried", attempts=2,
                      next_attempt_at=now + timedelta(minutes=5))
    login(admin)

    html = client.get("/notifications/undelivered").get_data(as_text=True)
    assert "Approved at last" in html and "SMTPNotSupportedError" in html
    assert "zoe@example.org" in html
    assert "Still being tried" not in html

    response = post_form(client, f"/notifications/undelivered/{given_up.id}/retry", {},
                         page="/notifications/undelivered")
    assert response.status_code == 302
    again = reload(db, given_up)
    assert again.failed_at is None and again.attempts == 0 and again.next_attempt_at is None
    assert "Every message has been delivered" in client.get(
        "/notifications/undelivered").get_data(as_text=True)


def test_only_admins_see_or_resend_undelivered_messages(client, login, make, db):
    person = make.user()
    given_up = make.notification(person, subject="Secret", failed_at=utcnow())
    login(person)
    assert client.get("/notifications/undelivered").status_code == 403
    response = post_form(client, f"/notifications/undelivered/{given_up.id}/retry", {},
                         page="/notifications/")
    assert response.status_code == 403
    assert reload(db, given_up).failed_at is not None


# Following a notification marks it read ------------------------------------------------------
def test_opening_the_application_from_a_notification_marks_it_read(client, login, make, db):
    application = make.application()
    me = application.applicant
    notification = make.notification(me, application_id=application.id)
    other = make.notification(me, application_id=application.id)
    login(me)
    html = client.get("/notifications/").get_data(as_text=True)
    assert f'href="/notifications/{notification.id}/open"' in html

    response = client.get(f"/notifications/{notification.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{application.id}")
    assert reload(db, notification).read_at is not None
    assert reload(db, other).read_at is None


def test_opening_someone_elses_notification_is_404_and_leaves_it_unread(client, login, make, db):
    application = make.application()
    theirs = make.notification(application.applicant, application_id=application.id)
    login(make.user())
    assert client.get(f"/notifications/{theirs.id}/open").status_code == 404
    assert reload(db, theirs).read_at is None


# Contrast of the unread rows' links -------------------------------------------------------
def _luminance(colour):
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_helper_matches_the_reported_failure():
    assert round(contrast("#0d6efd", "#cfe2ff"), 2) == 3.42


def test_links_on_unread_notifications_meet_wcag_aa(app):
    import re
    from pathlib import Path

    css = Path(app.static_folder, "css", "app.css").read_text()
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    rules = {selector.strip(): body for selector, body in rules.items()}
    background = re.search(r"background-color:\s*(#[0-9a-fA-F]{6})",
                           rules[".notification-unread"]).group(1)
    link_rule = next(body for selector, body in rules.items()
                     if ".notification-unread a" in selector and ".btn-link" in selector)
    link = re.search(r"(?<!-)color:\s*(#[0-9a-fA-F]{6})", link_rule).group(1)
    assert contrast(link, background) >= 4.5
    html_template = Path(app.root_path, app.template_folder, "notifications", "list.html").read_text()
    assert "notification-unread" in html_template
