"""``/healthz``: what a load balancer reads. The database failing is in test_outage.py."""

import socket
import time

from config import TestingConfig
from tracker import create_app
from tracker.extensions import db


def closed_port():
    """A port of 127.0.0.1 where nothing listens (taken, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def named_only(app, **settings):
    """Settings the health check reads, set after start-up: the rate limiter is one object
    for the whole process, and given them at start-up it would keep every later test's
    sign-in counts in that Redis."""
    app.config.update(settings)


def healthz(app):
    with app.app_context():
        return app.test_client().get("/healthz")


def test_healthz_says_ok_with_the_database_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_reports_each_redis_it_uses(worker, shared_cache):
    app = worker(CACHE_URL=shared_cache.url, CACHE_KEY_PREFIX=shared_cache.prefix)
    named_only(app, RATELIMIT_STORAGE_URI=shared_cache.url)

    response = healthz(app)

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok", "database": "ok", "cache": "ok", "rate_limits": "ok",
    }


def test_a_redis_down_degrades_without_failing_or_hanging(database_uri, tmp_path):
    dead_redis = f"redis://127.0.0.1:{closed_port()}/0"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_uri,
                     UPLOAD_FOLDER=str(tmp_path), CACHE_URL=dead_redis)
    named_only(app, RATELIMIT_STORAGE_URI=dead_redis)
    try:
        started = time.monotonic()
        response = healthz(app)
        elapsed = time.monotonic() - started
    finally:
        with app.app_context():
            db.engine.dispose()

    assert response.status_code == 200  # the app still serves: not a reason to take it out
    assert response.get_json() == {
        "status": "degraded", "database": "ok", "cache": "unavailable",
        "rate_limits": "unavailable",
    }
    assert elapsed < 5


def test_other_rate_limit_storages_are_not_probed(client, app):
    # memory:// (the default) has nothing to reach.
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")
    assert "rate_limits" not in client.get("/healthz").get_json()
