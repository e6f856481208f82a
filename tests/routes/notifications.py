"""The in-app notifications; ``{notification}`` belongs to ``researcher``."""

from tests.routes import Route, admin_only, signed_in

ROUTES = [
    Route("notifications.list_notifications", "/notifications/", signed_in(200)),
    Route(
        "notifications.mark_read",
        "/notifications/{notification}/read",
        {"anonymous": 302, "researcher": 302, "director": 404, "admin": 404},
        method="POST",
    ),
    # Following a notification marks it read and redirects to its application.
    Route(
        "notifications.open_notification",
        "/notifications/{notification}/open",
        {"anonymous": 302, "researcher": 302, "director": 404, "admin": 404},
    ),
    Route("notifications.mark_all_read", "/notifications/read-all", signed_in(302),
          method="POST"),
    Route("notifications.list_undelivered", "/notifications/undelivered", admin_only(200)),
    # The world has no undelivered message: the admin gets 404, the others 403 first.
    Route("notifications.retry_delivery", "/notifications/undelivered/999999/retry",
          admin_only(404), method="POST"),
]
