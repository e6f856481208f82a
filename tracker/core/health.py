"""What ``/healthz`` reports: whether each service the tracker uses answers.

The database is a dependency: without it no page can be served, so the check fails. Redis
(the report cache, the shared sign-in counts) is not: without it figures are computed again
and each worker counts on its own, so the app is degraded, still serving. Every check is
bounded by a short timeout, so that a load balancer's probe never hangs on a dead service.
"""

import redis
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from tracker.core.cache import REDIS_TIMEOUT_SECONDS
from tracker.extensions import db

# The URL schemes a plain Redis client can reach; Flask-Limiter's other storages (sentinel,
# cluster, memcached...) are left to their own error handling and not probed here.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def database_state():
    """"ok" when the database answers a query, else "unavailable"."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa_exc.SQLAlchemyError:
        try:
            db.session.rollback()
        except sa_exc.SQLAlchemyError:
            db.session.remove()
        return "unavailable"
    return "ok"


def redis_state(url):
    """"ok" when the Redis at ``url`` answers a PING, else "unavailable"."""
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except (redis.exceptions.RedisError, OSError):
        return "unavailable"
    finally:
        client.close()
    return "ok"


def redis_urls(config):
    """The Redis services this configuration uses, by the name ``/healthz`` gives them."""
    urls = {"cache": config.get("CACHE_URL"), "rate_limits": config.get("RATELIMIT_STORAGE_URI")}
    found = {}
    for name, url in urls.items():
        if not url:
            continue
        if url.startswith("redis+unix://"):
            url = "unix://" + url[len("redis+unix://"):]
        if url.startswith(REDIS_SCHEMES):
            found[name] = url
    return found


def report(config):
    """``(body, healthy)``: each service's state, and the overall ``status``.

    ``status`` is "ok", "degraded" (a Redis is down, the app still serves) or "unavailable"
    (the database is down: ``healthy`` is False).
    """
    body = {"database": database_state()}
    for name, url in redis_urls(config).items():
        body[name] = redis_state(url)
    if body["database"] != "ok":
        status = "unavailable"
    elif any(state != "ok" for state in body.values()):
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, **body}, status != "unavailable"
