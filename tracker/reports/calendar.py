"""Per-person iCalendar feeds of approved stays, behind a secret address: the person's own
stays, and the visits they host (to a unit they direct, or that they invited)."""

import hmac
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import Response, abort, request
from icalendar import Calendar, Event
from sqlalchemy.orm import joinedload

from tracker.applications.models import Application
from tracker import access
from tracker.auth.models import User
from tracker.extensions import db
from tracker.auth.models import CalendarFeed, new_feed_token
from tracker.reports.registers import applicant_only

FEED_STATUSES = ("approved",)


def feed_for(user):
    """The user's feed, created on first use."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=new_feed_token())
        db.session.add(feed)
        db.session.flush()
    return feed


def reset_feed(user):
    """A new secret; the previous address answers 404 from now on."""
    feed = feed_for(user)
    feed.token = new_feed_token()
    db.session.flush()
    return feed


def _feed_by_token(token):
    if not token or len(token) > 64:
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token == token))
    # The lookup is by index; compare again in constant time before trusting it.
    if feed is None or not hmac.compare_digest(feed.token, token):
        return None
    return feed


def _summary(application, user):
    """The event's title: a hosted visit names the visitor, one's own stay needs not."""
    if access.acts_as_applicant(user, application):
        return f"{application.reference}: {application.title}"
    return f"{application.reference}: {application.applicant.full_name}, {application.title}"


def ical_response(token):
    feed = _feed_by_token(token)
    if feed is None:
        abort(404)
    user = db.session.get(User, feed.user_id)
    if user is None or not user.active:
        abort(404)
    stays = db.session.scalars(
        access.calendar_applications(user)
        .where(Application.status.in_(FEED_STATUSES))
        .options(applicant_only(), joinedload(Application.host_laboratory))
        .order_by(Application.start_date, Application.id)
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Mobility tracker//Approved stays//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Mobility: approved stays")
    stamp = datetime.now(timezone.utc)
    host = request.host.split(":")[0] or "mobility.invalid"
    for application in stays:
        event = Event()
        event.add("uid", f"{application.reference}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", _summary(application, user))
        event.add("dtstart", application.start_date)
        # All-day events end the day after the last day (RFC 5545, DTEND is exclusive).
        event.add("dtend", application.end_date + timedelta(days=1))
        laboratory = application.host_laboratory
        event.add("location", f"{laboratory.name}, {laboratory.city}, {laboratory.country}")
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = 'inline; filename="mobility.ics"'
    # The address itself is the secret: keep it out of referrers and search engines.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
