"""Changes to people that must also end their sessions."""


def set_roles(user, roles):
    """Give ``user`` exactly ``roles``; a change ends every session of theirs."""
    if set(roles) != set(user.roles):
        user.roles = roles
        user.end_all_sessions()


def set_active(user, active):
    """Activate or deactivate ``user``; deactivation ends every session of theirs."""
    if user.active and not active:
        user.end_all_sessions()
    user.active = active
