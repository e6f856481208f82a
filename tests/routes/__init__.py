"""Expected answers of every route, by role: one module per area.

Each module defines ``ROUTES``, a list of :class:`Route`. The matrix test in
``tests/test_route_matrix.py`` fails when the application has an endpoint that no module
lists, so a new page cannot ship without its permissions written down.
"""

from dataclasses import dataclass, field

ROLES = ("anonymous", "researcher", "director", "admin")
# Personas a route may also list (they are then tried too): a security officer, and the
# director of an international joint unit, who give opinions on the matrix world's pending
# application (outgoing to that joint unit, in a country at red).
PERSONAS = ("security_officer", "host_director")


@dataclass(frozen=True)
class Route:
    endpoint: str
    path: str  # may use {placeholders} from the matrix world (see test_route_matrix.py)
    expect: dict  # role -> status code
    method: str = "GET"
    data: dict = field(default_factory=dict)


def everyone(status):
    return {role: status for role in ROLES}


def signed_in(status, anonymous=302):
    return {"anonymous": anonymous, "researcher": status, "director": status, "admin": status}


def not_the_director(status, anonymous=302, director=404):
    """The matrix world's application is a draft: its reviewing director does not see it."""
    return {"anonymous": anonymous, "researcher": status, "director": director, "admin": status}


def admin_only(status=200, anonymous=302):
    return {"anonymous": anonymous, "researcher": 403, "director": 403, "admin": status}


def directors(status=200, anonymous=302):
    return {"anonymous": anonymous, "researcher": 403, "director": status, "admin": status}


def opinion_givers(security_officer, host_director):
    return {"security_officer": security_officer, "host_director": host_director}
