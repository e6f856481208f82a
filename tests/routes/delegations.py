"""Stand-ins: the page and the API. The matrix world's director has named the researcher
as stand-in from tomorrow (``{delegation}``); the admin did not give it (404)."""

from tests.routes import Route, opinion_givers, signed_in

GIVERS_PAGE = {"anonymous": 302, "researcher": 403, "director": 200, "admin": 200,
               **opinion_givers(403, 200)}

ROUTES = [
    Route("delegations.list_delegations", "/stand-ins/", GIVERS_PAGE),
    # The form posted empty: a director or admin meets its messages (422).
    Route("delegations.give_delegation", "/stand-ins/",
          {"anonymous": 302, "researcher": 403, "director": 422, "admin": 422},
          method="POST"),
    # The stand-in sees the delegation but does not cancel it; the delegator confirms.
    Route("delegations.cancel_delegation", "/stand-ins/{delegation}/cancel",
          {"anonymous": 302, "researcher": 403, "director": 200, "admin": 404}),
    Route("api.list_delegations", "/api/v1/delegations", signed_in(200, anonymous=401)),
    Route("api.create_delegation", "/api/v1/delegations",
          {"anonymous": 401, "researcher": 403, "director": 415, "admin": 415},
          method="POST"),
    Route("api.delete_delegation", "/api/v1/delegations/{delegation}",
          {"anonymous": 401, "researcher": 403, "director": 204, "admin": 404},
          method="DELETE"),
]
