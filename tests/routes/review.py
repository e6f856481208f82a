from tests.routes import Route, admin_only, directors

ROUTES = [
    # The admin of the matrix world holds only the admin role: not a director.
    Route("review.director_queue", "/review/director",
          {**directors(200), "admin": 403}),
    Route("review.admin_queue", "/review/admin", admin_only(200)),
]
