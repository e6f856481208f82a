"""Runs the real OpenID provider of tests/oidc/ (the certified oidc-provider, on Node.js) on a
free local port, for the single sign-on tests.

`make test` installs its packages (`npm ci --prefix tests/oidc`); without them, or without
Node.js, the tests fail and say so: they are never skipped.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

import requests

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oidc")
CLIENT_ID = "mobility-tracker"
CLIENT_SECRET = "a-test-client-secret-of-the-tracker"
UNIT_CLAIM = "unit_acronym"
STARTUP_SECONDS = 20


@dataclass
class Account:
    """A person at the provider; ``id_token`` is "expired" or "forged" for one whose ID
    token the provider spoils on purpose."""

    sub: str
    email: str
    name: str
    email_verified: bool = True
    unit: str = ""
    id_token: str = ""


@dataclass
class RunningProvider:
    issuer: str
    accounts: dict

    def token(self, **form):
        """Post ``form`` to the provider's token endpoint as the tracker does."""
        return requests.post(f"{self.issuer}/token", data=form,
                             auth=(CLIENT_ID, CLIENT_SECRET), timeout=10)


@contextlib.contextmanager
def configured(app, **settings):
    """``app`` with ``settings`` for the time of a test, restored after."""
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    try:
        yield app.config
    finally:
        app.config.update(saved)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _check_installed():
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed for the single sign-on tests: install it (20+).")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "oidc-provider")):
        raise RuntimeError("The test OpenID provider is not installed: run "
                           "`npm ci --prefix tests/oidc` (make test does it).")
    return node


def _wait_for_discovery(process, issuer):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test OpenID provider stopped: {process.stderr.read()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the test OpenID provider did not answer within {STARTUP_SECONDS}s")


@contextlib.contextmanager
def running_provider(tracker_url, accounts):
    """The provider, knowing the tracker at ``tracker_url`` as its client and ``accounts``
    as its people; stopped on leaving."""
    node = _check_installed()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    environment = dict(
        os.environ,
        OIDC_PORT=str(port),
        OIDC_UNIT_CLAIM=UNIT_CLAIM,
        OIDC_CLIENT=json.dumps({
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{tracker_url}/auth/oidc/callback"],
            "post_logout_redirect_uris": [f"{tracker_url}/auth/login"],
        }),
        OIDC_ACCOUNTS=json.dumps([vars(account) for account in accounts]),
    )
    process = subprocess.Popen([node, os.path.join(HERE, "provider.mjs")], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_discovery(process, issuer)
        yield RunningProvider(issuer, {account.sub: account for account in accounts})
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
