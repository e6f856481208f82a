"""Open redirects: ``next`` only ever leads to a path on this site."""

from urllib.parse import quote

import pytest

from tests.conftest import PASSWORD, post_form, sign_in
from tracker.core.urls import safe_next

HOME = "/"

UNSAFE = [
    "https://evil.example",
    "http://evil.example/auth/login",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil",
    "\\/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "evil.example",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\x85/evil.example",
    "/auth/password\r\nSet-Cookie: x=1",
]
SAFE = ["/auth/password", "/", "/applications/?status=draft&page=2", "/auth/password#top"]


@pytest.mark.parametrize("target", UNSAFE)
def test_safe_next_refuses_targets_off_the_site(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", SAFE)
def test_safe_next_keeps_paths_on_the_site(target):
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize("target", [None, "", 42, ["/auth/password"]])
def test_safe_next_falls_back_on_missing_or_odd_values(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", UNSAFE)
def test_login_form_never_redirects_off_the_site(client, make, target):
    user = make.user()
    url = "/auth/login?next=" + quote(target, safe="")
    if "\x00" in target:
        # Refused before the page is even shown (input hygiene): no redirect at all.
        assert client.get(url).status_code == 400
        return

    response = post_form(client, url, {"email": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == HOME


@pytest.mark.parametrize("target", UNSAFE[:8])
def test_signed_in_visit_to_login_never_redirects_off_the_site(client, make, target):
    sign_in(client, make.user())

    response = client.get("/auth/login?next=" + quote(target, safe=""))

    assert response.status_code == 302
    assert response.headers["Location"] == HOME


def test_login_form_follows_a_path_on_the_site(client, make):
    user = make.user()
    response = post_form(
        client, "/auth/login?next=" + quote("/auth/password", safe=""),
        {"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/password"


def test_protected_page_sends_to_login_and_back(client, make):
    user = make.user()
    response = client.get("/auth/password")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/auth/login?next=")

    response = post_form(client, login_url, {"email": user.email, "password": PASSWORD})

    assert response.headers["Location"] == "/auth/password"
