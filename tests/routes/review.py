from tests.routes import Route, admin_only, directors, opinion_givers

ROUTES = [
    # The admin of the matrix world holds only the admin role: not a director.
    Route("review.director_queue", "/review/director",
          {**directors(200), "admin": 403}),
    Route("review.admin_queue", "/review/admin", admin_only(200)),
    # The opinion queues: the security officer's, and the joint unit director's (a unit's
    # director gives no host opinion).
    Route("review.security_queue", "/review/security",
          {**admin_only(403), **opinion_givers(200, 403)}),
    Route("review.host_queue", "/review/host",
          {**admin_only(403), **opinion_givers(403, 200)}),
    # Changes asked to approved applications: directors (a joint unit's too) and admins.
    Route("review.amendment_queue", "/review/changes",
          {**directors(200), **opinion_givers(403, 200)}),
]
