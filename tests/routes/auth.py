from tests.routes import Route, directors, everyone, signed_in

ROUTES = [
    # Signed-in people are sent on from the sign-in and registration pages.
    Route("auth.login", "/auth/login",
          {"anonymous": 200, "researcher": 302, "director": 302, "admin": 302}),
    Route("auth.register", "/auth/register",
          {"anonymous": 200, "researcher": 302, "director": 302, "admin": 302}),
    # A link that was never signed: the same page for everyone, with a way to a new one.
    Route("auth.confirm_email", "/auth/confirm/not-a-signed-token", everyone(404)),
    Route("auth.resend_confirmation_link", "/auth/confirm", everyone(200)),
    Route("auth.home_requests", "/auth/home-requests", directors(200)),
    # The matrix world's other user asked for no laboratory: nobody has it to decide.
    Route("auth.decide_home_laboratory", "/auth/home-requests/{user}",
          directors(404), method="POST", data={"decision": "confirm"}),
    Route("auth.change_password", "/auth/password", signed_in(200)),
    Route("auth.logout", "/auth/logout", signed_in(302), method="POST"),
    # Single sign-on is not configured in the matrix world: its pages do not exist
    # (tests/auth/test_oidc.py and tests/browser/test_oidc.py try them with a provider).
    Route("auth.oidc_login", "/auth/oidc/login", everyone(404)),
    Route("auth.oidc_callback", "/auth/oidc/callback?code=x&state=y", everyone(404)),
    Route("auth.oidc_account", "/auth/oidc/account", everyone(404)),
]
