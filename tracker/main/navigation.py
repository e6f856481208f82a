"""The main navigation: which links each role sees, and how they are grouped."""

from flask_babel import lazy_gettext as _l

from tracker import access

EVERYONE = None
REVIEWERS = ("director", "admin")
ADMINS = ("admin",)

# Menus of the navigation bar; None is the bar itself, "account" the menu under the name.
MENUS = {
    "reports": _l("Reports"),
    "directory": _l("Directory"),
}

# Who sees a link: EVERYONE, a tuple of roles, or a question of the access module.
# (endpoint, label, who, menu)
NAV = [
    ("main.index", _l("Home"), EVERYONE, None),
    ("applications.list_mine", _l("My applications"), EVERYONE, None),
    ("review.director_queue", _l("Review queue"), access.reviews_as_director, None),
    ("review.admin_queue", _l("Decisions"), access.reviews_as_admin, None),
    ("review.security_queue", _l("Security opinions"), access.gives_security_opinions, None),
    ("review.host_queue", _l("Host opinions"), access.gives_host_opinions, None),
    ("reports.dashboard", _l("Dashboard"), REVIEWERS, "reports"),
    ("reports.list_applications", _l("All applications"), REVIEWERS, "reports"),
    ("reports.presence", _l("Where people are"), REVIEWERS, "reports"),
    ("directory.list_users", _l("People"), ADMINS, "directory"),
    ("directory.list_laboratories", _l("Laboratories"), ADMINS, "directory"),
    ("directory.list_programmes", _l("Programmes"), ADMINS, "directory"),
    ("directory.list_countries", _l("Countries and risk levels"), access.can_manage_countries,
     "directory"),
    ("directory.list_rules", _l("Requirement rules"), ADMINS, "directory"),
    ("notifications.list_undelivered", _l("Undelivered messages"), ADMINS, "directory"),
    ("audit.list_entries", _l("Audit of changes"), ADMINS, "directory"),
    ("imports.start_import", _l("Import from a file"), ADMINS, "directory"),
    ("auth.home_requests", _l("Home laboratory requests"), REVIEWERS, "directory"),
    ("applications.invitations", _l("Invitations"), access.can_invite, "directory"),
    ("agreements.list_agreements", _l("Partnerships"), EVERYONE, None),
    ("notifications.list_notifications", _l("Notifications"), EVERYONE, None),
    ("delegations.list_delegations", _l("My stand-ins"), access.may_see_delegations, "account"),
    ("reports.calendar", _l("My calendar"), EVERYONE, "account"),
    ("auth.list_tokens", _l("API tokens"), EVERYONE, "account"),
    ("auth.change_password", _l("Change password"), EVERYONE, "account"),
    ("privacy.my_data", _l("My data"), EVERYONE, "account"),
]


def nav_links(user):
    """(endpoint, label, menu) of the pages ``user`` may open."""
    return [
        (endpoint, label, menu)
        for endpoint, label, roles, menu in NAV
        if roles is None
        or (roles(user) if callable(roles) else access.has_any_role(user, roles))
    ]


def nav_bar(user):
    """The bar's entries in order: ``("link", endpoint, label)`` or ``("menu", label, links)``."""
    bar, menus = [], {}
    for endpoint, label, menu in nav_links(user):
        if menu == "account":
            continue
        if menu is None:
            bar.append(("link", endpoint, label))
        elif menu in menus:
            menus[menu].append((endpoint, label))
        else:
            menus[menu] = [(endpoint, label)]
            bar.append(("menu", MENUS[menu], menus[menu]))
    return bar


def account_links(user):
    return [(endpoint, label) for endpoint, label, menu in nav_links(user) if menu == "account"]
