"""The in-app notifications; ``{notification}`` belongs to ``researcher``."""

from tests.routes import Route, signed_in

ROUTES = [
    Route("notifications.list_notifications", "/notifications/", signed_in(200)),
    Route(
        "notifications.mark_read",
        "/notifications/{notification}/read",
        {"anonymous": 302, "researcher": 302, "director": 404, "admin": 404},
        method="POST",
    ),
    Route("notifications.mark_all_read", "/notifications/read-all", signed_in(302),
          method="POST"),
]
