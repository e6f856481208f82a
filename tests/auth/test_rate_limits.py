"""Brute force: failed sign-ins are limited per account and per address; successes are free."""

from tests.conftest import PASSWORD, csrf_token

WRONG = "definitely not the password"


def attempt(client, email, password):
    """One sign-in attempt with a valid CSRF token; the session is dropped after a success."""
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )
    if response.status_code == 302:
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    return response


def fail(client, email, times):
    for _ in range(times):
        response = attempt(client, email, WRONG)
        assert response.status_code == 200, response.status_code


def assert_rate_limited(response):
    assert response.status_code == 429
    retry_after = response.headers.get("Retry-After")
    assert retry_after is not None and retry_after.isdigit() and int(retry_after) > 0
    assert "Too many attempts" in response.get_data(as_text=True)


def test_eleventh_attempt_on_an_account_is_refused_even_with_the_right_password(client, make):
    user = make.user()
    fail(client, user.email, 10)

    assert_rate_limited(attempt(client, user.email, PASSWORD))


def test_the_account_limit_ignores_the_case_of_the_address(client, make):
    user = make.user(email="case@example.org")
    fail(client, "CASE@example.org", 5)
    fail(client, "case@EXAMPLE.org", 5)

    assert_rate_limited(attempt(client, "Case@Example.Org", PASSWORD))


def test_another_account_still_signs_in_from_the_same_client(client, make):
    attacked, other = make.user(), make.user()
    fail(client, attacked.email, 10)
    assert_rate_limited(attempt(client, attacked.email, PASSWORD))

    response = attempt(client, other.email, PASSWORD)

    assert response.status_code == 302


def test_successful_sign_ins_do_not_count(client, make):
    user = make.user()
    for _ in range(12):
        assert attempt(client, user.email, PASSWORD).status_code == 302

    # Nine failures, one success, one failure: ten failures in all, still answered.
    fail(client, user.email, 9)
    assert attempt(client, user.email, PASSWORD).status_code == 302
    fail(client, user.email, 1)
    assert_rate_limited(attempt(client, user.email, PASSWORD))


def test_unknown_accounts_are_limited_too(client):
    fail(client, "nobody@example.org", 10)
    assert_rate_limited(attempt(client, "nobody@example.org", WRONG))


def test_the_address_limit_stops_failures_spread_over_many_accounts(app, client, make, monkeypatch):
    # The limit is read from the configuration at each request, so a test may lower it.
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "5 per 15 minutes")
    user = make.user()
    for n in range(5):
        assert attempt(client, f"guess{n}@example.org", WRONG).status_code == 200

    assert_rate_limited(attempt(client, user.email, PASSWORD))


def test_the_address_limit_is_per_address(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "3 per 15 minutes")
    user = make.user()
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for n in range(3):
        assert attempt(attacker, f"guess{n}@example.org", WRONG).status_code == 200
    assert_rate_limited(attempt(attacker, "guess9@example.org", WRONG))

    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert attempt(colleague, user.email, PASSWORD).status_code == 302



# One count for the sign-in form and the API's token endpoint --------------------------------
def token_request(client, email, password):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


def test_an_account_limited_on_the_form_gets_no_api_token(client, make):
    user = make.user()
    fail(client, user.email, 10)

    response = token_request(client, user.email, PASSWORD)

    assert response.status_code == 429
    assert response.headers.get("Retry-After", "").isdigit()
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_failures_through_the_api_count_on_the_form(client, make):
    user = make.user()
    for _ in range(6):
        assert token_request(client, user.email, WRONG).status_code == 401
    fail(client, user.email, 4)

    assert_rate_limited(attempt(client, user.email, PASSWORD))


def test_the_address_count_is_shared_too(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "4 per 15 minutes")
    user = make.user()
    for n in range(2):
        assert token_request(client, f"guess{n}@example.org", WRONG).status_code == 401
        assert attempt(client, f"other{n}@example.org", WRONG).status_code == 200

    assert_rate_limited(attempt(client, user.email, PASSWORD))
    assert token_request(client, user.email, PASSWORD).status_code == 429
