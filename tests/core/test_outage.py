"""A database outage, caused for real: PostgreSQL is reached through a relay the test cuts.

No mock stands in for the database: the app talks to the real server through a small TCP
relay on 127.0.0.1. Cutting the relay (its listening socket and every open connection) is
what an outage looks like from the app; starting it again on the same port is the recovery,
which the same app must notice without a restart. PostgreSQL is there on both CI legs, so
the SQLite leg makes a scratch PostgreSQL database of its own.
"""

import logging
import os
import socket
import threading
import types

import flask_migrate
import pytest
import sqlalchemy as sa

from config import TestingConfig, database_url
from tests.conftest import IsolatedClient, scratch_database, sign_in
from tracker import create_app
from tracker.auth.services import create_user
from tracker.auth.tokens import issue_token
from tracker.extensions import db

# The server of the PostgreSQL leg, else the one every CI machine runs beside Redis.
POSTGRESQL_SERVER_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Every wait is bounded, so that a broken relay fails the test in seconds, never hangs it.
ACCEPT_POLL_SECONDS = 0.1
UPSTREAM_CONNECT_SECONDS = 3
JOIN_SECONDS = 3
PASSWORD = "correct horse battery staple"


class Relay:
    """Forwards TCP connections from 127.0.0.1:``port`` to ``upstream``; can be cut."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = 0  # chosen by the system at the first start, kept afterwards
        self._listener = None
        self._sockets = []
        self._threads = []
        self._lock = threading.Lock()

    def start(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The port is taken again right after the cut, while its old connections linger.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(ACCEPT_POLL_SECONDS)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._spawn(self._accept, listener)

    def stop(self):
        """Close the listening socket and every connection, as a server that dies would."""
        listener, self._listener = self._listener, None
        listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
            threads, self._threads = self._threads, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already shut by its other end
        for thread in threads:
            thread.join(JOIN_SECONDS)
            assert not thread.is_alive(), "a relay thread did not stop"
        for sock in sockets:
            sock.close()

    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listening socket was closed: the cut
            try:
                server = socket.create_connection(self.upstream, timeout=UPSTREAM_CONNECT_SECONDS)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            self._spawn(self._pipe, client, server)
            self._spawn(self._pipe, server, client)

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass  # the cut, or the other end went away
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def postgresql_database(database_uri, tmp_path):
    """``(url, migrated)``: the session's database on the PostgreSQL leg, else a scratch one."""
    if database_uri.startswith("postgresql"):
        yield database_uri, True
        return
    with scratch_database(tmp_path / "unused.db", "tracker_outage",
                          server_url=POSTGRESQL_SERVER_URL) as url:
        yield url, False


@pytest.fixture
def outage(postgresql_database, tmp_path):
    """An app whose database is reached through a :class:`Relay`, with a signed-up person."""
    url, migrated = postgresql_database
    real = sa.engine.make_url(database_url(url))
    relay = Relay((real.host or "127.0.0.1", real.port or 5432))
    relay.start()
    relayed = real.set(host="127.0.0.1", port=relay.port,
                       query={**real.query, "connect_timeout": str(UPSTREAM_CONNECT_SECONDS)})
    app = create_app(TestingConfig, UPLOAD_FOLDER=str(tmp_path),
                     SQLALCHEMY_DATABASE_URI=relayed.render_as_string(hide_password=False))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if not migrated:
            flask_migrate.upgrade()
        user = create_user("outage@example.org", "Olive Outage", PASSWORD,
                           nationality="FR", category="researcher")
        token, _ = issue_token(user, "outage test")
        db.session.commit()
        person = types.SimpleNamespace(email=user.email)  # the row stays behind in its session
    try:
        yield types.SimpleNamespace(app=app, relay=relay, user=person, token=token)
    finally:
        if relay._listener is None:
            relay.start()  # so that the dispose below and the cleanup reach the database
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        relay.stop()


def requests_of(outage):
    """One request of each kind: (name, client, path, headers)."""
    signed_in = outage.app.test_client()
    sign_in(signed_in, outage.user, PASSWORD)
    anonymous = outage.app.test_client()
    bearer = {"Authorization": f"Bearer {outage.token}"}
    return [
        ("page", anonymous, "/auth/register", {}),
        ("signed-in page", signed_in, "/", {}),
        ("signed-in API", signed_in, "/api/v1/me", {}),
        ("API with a token", anonymous, "/api/v1/me", bearer),
        ("health check", anonymous, "/healthz", {}),
    ]


def assert_all_answer(requests, status):
    for name, client, path, headers in requests:
        response = client.get(path, headers=headers)
        assert response.status_code == status, (name, response.get_data(as_text=True)[:300])


def test_an_outage_answers_503_and_the_same_app_recovers(outage, caplog):
    requests = requests_of(outage)
    with outage.app.app_context():
        # Two idle connections in the pool, both of which the cut kills.
        with db.engine.connect() as first, db.engine.connect() as second:
            first.execute(sa.text("SELECT 1"))
            second.execute(sa.text("SELECT 1"))
    assert_all_answer(requests, 200)

    outage.relay.stop()
    caplog.clear()
    caplog.set_level(logging.INFO)
    for name, client, path, headers in requests:
        before = len(caplog.records)
        response = client.get(path, headers=headers)
        body = response.get_data(as_text=True)

        assert response.status_code == 503, (name, body[:300])
        assert response.headers["Retry-After"] == "30", name
        assert "Traceback" not in body and 'File "' not in body and "SELECT" not in body
        if path == "/healthz":
            assert response.get_json()["status"] == "unavailable"
            assert response.get_json()["database"] == "unavailable"
        elif path.startswith("/api/"):
            assert response.get_json() == {"error": {
                "status": 503, "code": "service_unavailable",
                "message": response.get_json()["error"]["message"]}}
        else:
            assert response.mimetype == "text/html"
            assert "Temporarily unavailable" in body
            assert "<main" in body
            assert "Olive Outage" not in body  # nothing of the person: it would need the database
        logged = [record for record in caplog.records[before:]
                  if "Database unavailable" in record.getMessage()]
        assert len(logged) == (0 if path == "/healthz" else 1), name
    assert not [record for record in caplog.records if record.exc_info], \
        "an outage must not write tracebacks to the log"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]

    outage.relay.start()
    assert_all_answer(requests, 200)
    response = requests[-1][1].get("/healthz")
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_connections_killed_while_idle_are_replaced_without_a_failure(outage):
    """A restart between two requests leaves dead connections in the pool: the pre-ping
    replaces them, and not one request fails."""
    requests = requests_of(outage)
    assert_all_answer(requests, 200)

    outage.relay.stop()
    outage.relay.start()

    assert_all_answer(requests, 200)
