from tests.routes import Route, signed_in

ROUTES = [
    # Signed-in people are sent on from the sign-in and registration pages.
    Route("auth.login", "/auth/login",
          {"anonymous": 200, "researcher": 302, "director": 302, "admin": 302}),
    Route("auth.register", "/auth/register",
          {"anonymous": 200, "researcher": 302, "director": 302, "admin": 302}),
    Route("auth.change_password", "/auth/password", signed_in(200)),
    Route("auth.logout", "/auth/logout", signed_in(302), method="POST"),
]
