"""A user's notifications, in the app; and, for admins, the messages delivery gave up on."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker import access
from tracker.access import login_required, role_required
from tracker.core.models import utcnow
from tracker.core.paging import paginate
from tracker.extensions import db
from tracker.notifications.models import Notification
from tracker.notifications.services import unread_cache, unread_changed

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def unread_notifications_count():
    """How many notifications the signed-in user has not read (0 when signed out).

    Every page shows it: it is kept a while per user (notifications.services forgets it
    when one of theirs is queued or read), so most pages cost no statement for it."""
    if not access.signed_in(current_user):
        return 0
    unread = access.own_notifications(current_user).where(Notification.read_at.is_(None))
    return unread_cache.get_or_set(
        current_user.id, lambda: db.session.scalar(unread.with_only_columns(sa.func.count()))
    )[0]


@bp.app_context_processor
def notification_helpers():
    return {"unread_notifications_count": unread_notifications_count}


def application_url(notification):
    """A link to the application a notification is about, if it is about one: through
    :func:`open_notification`, so that following it marks the notification read."""
    if notification.application_id:
        return url_for("notifications.open_notification", notification_id=notification.id)
    return None


def _own_notification_or_404(notification_id):
    notification = db.session.scalar(
        access.own_notifications(current_user).where(Notification.id == notification_id)
    )
    if notification is None:
        abort(404)
    return notification


def _back_to_list():
    page = request.form.get("page", type=int)
    return redirect(url_for(".list_notifications", page=page if page and page > 1 else None))


@bp.route("/")
@login_required
def list_notifications():
    query = (
        access.own_notifications(current_user)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    pagination = paginate(query)
    return render_template(
        "notifications/list.html",
        pagination=pagination,
        notifications=pagination.items,
        application_url=application_url,
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id):
    notification = _own_notification_or_404(notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        unread_changed(current_user.id)
        db.session.commit()
    return _back_to_list()


@bp.route("/<int:notification_id>/open")
@login_required
def open_notification(notification_id):
    """Follow a notification to its application, marking it read on the way.

    A GET, so that the link works as a link (new tab, keyboard, no script): its only effect
    is to mark the caller's own notification read, which is idempotent and harmless if
    forged, so it needs no CSRF token. Someone else's notification answers 404.
    """
    notification = _own_notification_or_404(notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        unread_changed(current_user.id)
        db.session.commit()
    if notification.application_id:
        return redirect(url_for("applications.show", application_id=notification.application_id))
    return redirect(url_for(".list_notifications"))


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(
            access.own_notifications(current_user).with_only_columns(Notification.id)
        ), Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    unread_changed(current_user.id)
    db.session.commit()
    if result.rowcount:
        flash(_("All notifications are marked as read."), "success")
    return _back_to_list()


# Messages delivery gave up on ---------------------------------------------------------------
@bp.route("/undelivered")
@role_required("admin")
def list_undelivered():
    """What could not be delivered (a refused or unusable address, or too many failures)."""
    query = (
        access.undelivered_notifications(current_user)
        .options(joinedload(Notification.user))
        .order_by(Notification.failed_at.desc(), Notification.id.desc())
    )
    pagination = paginate(query)
    return render_template("notifications/undelivered.html", pagination=pagination)


@bp.route("/undelivered/<int:notification_id>/retry", methods=["POST"])
@role_required("admin")
def retry_delivery(notification_id):
    """Send a given-up message again at the next delivery run, with a fresh set of attempts
    (once the address or the mail server has been put right)."""
    notification = db.session.scalar(
        access.undelivered_notifications(current_user).where(Notification.id == notification_id)
    )
    if notification is None:
        abort(404)
    notification.failed_at = None
    notification.next_attempt_at = None
    notification.attempts = 0
    db.session.commit()
    flash(_("The message to %(email)s will be sent again at the next delivery run.",
            email=notification.user.email), "success")
    return redirect(url_for(".list_undelivered"))
