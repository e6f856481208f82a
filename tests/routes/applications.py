from tests.routes import Route, directors, everyone, signed_in

# The world's application is a draft of `researcher`; `director` directs its reviewing unit
# but does not see a draft (404, as if it did not exist) until it is submitted.
ROUTES = [
    Route("applications.list_mine", "/applications/", signed_in(200)),
    Route("applications.new", "/applications/new", signed_in(200)),
    Route("applications.create", "/applications/new/outgoing", signed_in(200)),
    Route("applications.show", "/applications/{application}",
          {"anonymous": 302, "researcher": 200, "director": 404, "admin": 200}),
    # Only the applicant edits; the admin sees it but may not change it.
    Route("applications.edit", "/applications/{application}/edit",
          {"anonymous": 302, "researcher": 200, "director": 404, "admin": 403}),
    # Withdrawing is the applicant's: done (302 back to the page); others are refused.
    Route("applications.act", "/applications/{application}/actions/withdraw",
          {"anonymous": 302, "researcher": 302, "director": 404, "admin": 403},
          method="POST", data={"withdraw-version": "1"}),
    # Invitations: the director of a unit (the world's director) and admins; an empty form
    # comes back with its messages (200).
    Route("applications.invitations", "/applications/invitations", directors(200)),
    Route("applications.invitations", "/applications/invitations", directors(200),
          method="POST"),
    # A link that was never sent: the same clear page for everyone.
    Route("applications.accept_invitation_link", "/applications/invitations/accept/not-a-token",
          everyone(404)),
]
