from tests.routes import Route, directors, everyone, opinion_givers, signed_in

# The world's application is a draft of `researcher`; `director` directs its reviewing unit
# but does not see a draft (404, as if it did not exist) until it is submitted.
ROUTES = [
    Route("applications.list_mine", "/applications/", signed_in(200)),
    Route("applications.new", "/applications/new", signed_in(200)),
    Route("applications.create", "/applications/new/outgoing", signed_in(200)),
    Route("applications.show", "/applications/{application}",
          {"anonymous": 302, "researcher": 200, "director": 404, "admin": 200,
           **opinion_givers(404, 404)}),
    # The pending application asks for a security and a host opinion: its givers see it.
    Route("applications.show", "/applications/{pending}",
          {**signed_in(200), **opinion_givers(200, 200)}),
    # Only the applicant edits; the admin sees it but may not change it.
    Route("applications.edit", "/applications/{application}/edit",
          {"anonymous": 302, "researcher": 200, "director": 404, "admin": 403}),
    # Deleting a draft is its applicant's: a page to confirm, then the deletion (302).
    Route("applications.delete", "/applications/{application}/delete",
          {"anonymous": 302, "researcher": 200, "director": 404, "admin": 403}),
    Route("applications.delete", "/applications/{application}/delete",
          {"anonymous": 302, "researcher": 302, "director": 404, "admin": 403}, method="POST"),
    # The pending application is no longer a draft: 409 for its applicant.
    Route("applications.delete", "/applications/{pending}/delete",
          {"anonymous": 302, "researcher": 409, "director": 403, "admin": 403}, method="POST"),
    # Withdrawing is the applicant's: done (302 back to the page); others are refused.
    Route("applications.act", "/applications/{application}/actions/withdraw",
          {"anonymous": 302, "researcher": 302, "director": 404, "admin": 403},
          method="POST", data={"withdraw-version": "1"}),
    # Each opinion is its giver's (done: 302 back to the page); the others who see the
    # application are refused (403); on a draft nobody but its applicant and admins sees it.
    Route("applications.give_opinion", "/applications/{pending}/opinions/security",
          {**signed_in(403), **opinion_givers(302, 403)},
          method="POST", data={"opinion-security-verdict": "favourable"}),
    Route("applications.give_opinion", "/applications/{pending}/opinions/host",
          {**signed_in(403), **opinion_givers(403, 302)},
          method="POST", data={"opinion-host-verdict": "favourable"}),
    Route("applications.give_opinion", "/applications/{application}/opinions/security",
          {"anonymous": 302, "researcher": 403, "director": 404, "admin": 403,
           **opinion_givers(404, 404)},
          method="POST", data={"opinion-security-verdict": "favourable"}),
    # Amendments: the applicant (or an admin) asks a change to an approved application, which
    # its reviewing director sees but may not ask (403); an empty form comes back (200).
    Route("applications.ask_amendment_page", "/applications/{approved}/amendments/new",
          {"anonymous": 302, "researcher": 200, "director": 403, "admin": 200,
           **opinion_givers(404, 404)}),
    Route("applications.ask_amendment_page", "/applications/{approved}/amendments/new",
          {"anonymous": 302, "researcher": 200, "director": 403, "admin": 200},
          method="POST"),
    # With a change open, asking another leads to it.
    Route("applications.ask_amendment_page", "/applications/{amended}/amendments/new",
          {"anonymous": 302, "researcher": 302, "director": 403, "admin": 302}),
    Route("applications.show_amendment", "/applications/{amended}/amendments/{amendment}",
          {**signed_in(200), **opinion_givers(404, 404)}),
    # The change is the director's to endorse (302, to their queue); the applicant never
    # reviews their own (403), nor does the office before the endorsement (403).
    Route("applications.act_on_amendment_page",
          "/applications/{amended}/amendments/{amendment}/actions/endorse",
          {"anonymous": 302, "researcher": 403, "director": 302, "admin": 403,
           **opinion_givers(404, 404)},
          method="POST", data={"amendment-endorse-version": "1"}),
    Route("applications.act_on_amendment_page",
          "/applications/{amended}/amendments/{amendment}/actions/withdraw",
          {"anonymous": 302, "researcher": 302, "director": 403, "admin": 403},
          method="POST", data={"amendment-withdraw-version": "1"}),
    # Invitations: the director of a unit (the world's director) and admins; an empty form
    # comes back with its messages (200).
    # A joint unit's director has no unit of ours to invite to; nor has a security officer.
    Route("applications.invitations", "/applications/invitations",
          {**directors(200), **opinion_givers(403, 403)}),
    Route("applications.invitations", "/applications/invitations", directors(200),
          method="POST"),
    # A link that was never sent: the same clear page for everyone.
    Route("applications.accept_invitation_link", "/applications/invitations/accept/not-a-token",
          everyone(404)),
]
