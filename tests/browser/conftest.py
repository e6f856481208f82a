"""A live server on the test database and a headless Chromium driven by Playwright.

The browser is the system's Chromium: tests never download one. Without it the browser
tests are skipped with the reason (and CI, which installs it, counts a skip as a failure).
"""

import os
import re
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.openid_provider import (
    CLIENT_ID, CLIENT_SECRET, UNIT_CLAIM, Account, configured, running_provider,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served over HTTP on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Opens pages, each in a fresh browser context (no cookies) with short timeouts, whose
    browser asks for ``locale`` (e.g. ``"fr-FR"``) when one is given; all closed after."""
    contexts = []

    def open_page(locale=None):
        options = {"locale": locale} if locale else {}
        context = chromium.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page):
    """A new page in a fresh browser context, in the browser's default language."""
    return new_page()


def sign_in_by_field_names(page, user):
    """Sign in through the real form, finding its boxes by name: for pages in any language
    (journeys in English find them by their labels instead)."""
    page.goto("/auth/login")
    page.locator("input[name=email]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/$"))


# Single sign-on ------------------------------------------------------------------------------
SSO_DOMAIN = "lab.example.org"
SSO_ACCOUNTS = [
    Account("sub-newcomer", f"marie.curie@{SSO_DOMAIN}", "Marie Curie", unit="UNIT"),
    Account("sub-no-unit", f"lise.meitner@{SSO_DOMAIN}", "Lise Meitner"),
    Account("sub-linked", f"ada.lovelace@{SSO_DOMAIN}", "Ada Lovelace"),
    Account("sub-outsider", "someone@elsewhere.example.com", "Someone Else"),
    Account("sub-expired", f"expired@{SSO_DOMAIN}", "Expired Token", id_token="expired"),
    Account("sub-forged", f"forged@{SSO_DOMAIN}", "Forged Token", id_token="forged"),
]


@pytest.fixture(scope="session")
def openid_provider(live_server):
    """The real OpenID provider of tests/oidc/, knowing the live server as its client."""
    with running_provider(live_server, SSO_ACCOUNTS) as provider:
        yield provider


@pytest.fixture
def sso(app, openid_provider):
    """The app signs in through the provider ("Janus") for one test."""
    with configured(app, OIDC_ISSUER=openid_provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
                    OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_NAME="Janus",
                    OIDC_ALLOWED_DOMAINS=(SSO_DOMAIN,), OIDC_UNIT_CLAIM=UNIT_CLAIM):
        yield openid_provider
