"""The main navigation: which links each role sees."""

from flask import current_app
from flask_babel import lazy_gettext as _l

# (endpoint, label, role needed; None for every signed-in user)
NAV = [
    ("main.index", _l("Home"), None),
    ("applications.list_mine", _l("My applications"), None),
    ("notifications.list_notifications", _l("Notifications"), None),
    ("review.director_queue", _l("Review queue"), "director"),
    ("review.admin_queue", _l("Decisions"), "admin"),
    ("reports.dashboard", _l("Dashboard"), "admin"),
    ("reports.list_applications", _l("All applications"), "admin"),
    ("reports.abroad", _l("Abroad now"), "admin"),
    ("reports.calendar", _l("My calendar"), None),
    ("directory.list_users", _l("People"), "admin"),
    ("directory.list_laboratories", _l("Laboratories"), "admin"),
    ("directory.list_programmes", _l("Programmes"), "admin"),
]


def nav_links(user):
    """The links ``user`` may follow, skipping pages this build does not have."""
    endpoints = current_app.view_functions
    return [
        (endpoint, label, role)
        for endpoint, label, role in NAV
        if endpoint in endpoints and (role is None or user.has_role(role))
    ]
