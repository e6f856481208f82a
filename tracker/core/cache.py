"""Figures that may be a minute old, kept for every worker alike.

The reports keep their dashboard figures, large counts and filter choices here. With
``CACHE_URL`` set they live in Redis (Flask-Caching's ``RedisCache``), so every gunicorn
worker shows the same figure; without it each process keeps its own (``SimpleCache``), which
is enough for development. ``REPORTS_CACHE_SECONDS`` (default 60; 0, the default under
``TESTING``, keeps nothing) scales every lifetime.

The cache is an optimisation, never a dependency: when Redis cannot be reached, figures are
computed as if nothing had been kept, the outage is logged once, and Redis is left alone
for ``RETRY_SECONDS`` so that each request does not wait for it again.
"""

import hashlib
import math
import time

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from tracker.extensions import cache, db

# How many figures one process keeps without Redis (the oldest go first beyond it).
IN_PROCESS_ENTRIES = 1000
# Waiting for Redis is what an outage costs each request: keep it short.
REDIS_TIMEOUT_SECONDS = 1
RETRY_SECONDS = 30


def backend_settings(config):
    """Flask-Caching's settings for this application's ``CACHE_URL``.

    Redis when ``CACHE_URL`` is set, with every key under ``CACHE_KEY_PREFIX``; else the
    in-process ``SimpleCache``.
    """
    url = config.get("CACHE_URL")
    if not url:
        return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": IN_PROCESS_ENTRIES}
    prefix = config.get("CACHE_KEY_PREFIX")
    if not prefix:
        # Flask-Caching clears an unprefixed Redis cache with FLUSHDB, which would empty a
        # database that other applications (the rate limiter, say) may share.
        raise RuntimeError("CACHE_KEY_PREFIX must not be empty when CACHE_URL is set.")
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": url,
        "CACHE_KEY_PREFIX": prefix,
        "CACHE_OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        },
    }


class TTLCache:
    """One namespace of kept figures, each with the time it was computed.

    Keys are plain values (strings, numbers, None and tuples of them) whose ``repr`` is the
    same in every process; they are stored as ``<namespace>:<sha256 of the repr>``. Values
    are pickled, so they must be plain data (no ORM objects). ``lifetime_factor`` scales
    ``REPORTS_CACHE_SECONDS`` for this namespace. Name a namespace anew when the shape of
    its values changes, so that no worker reads values pickled by older code.
    """

    def __init__(self, namespace, lifetime_factor=1.0):
        self.namespace = namespace
        self.lifetime_factor = lifetime_factor

    def _lifetime(self):
        """Whole seconds (Redis takes no fractions); 0 when nothing should be kept."""
        seconds = current_app.config["REPORTS_CACHE_SECONDS"] * self.lifetime_factor
        return math.ceil(seconds) if seconds > 0 else 0

    def _key(self, key):
        return f"{self.namespace}:{hashlib.sha256(repr(key).encode()).hexdigest()}"

    def get(self, key):
        """(value, computed_at) for ``key``, or None when missing, expired or unreachable."""
        if self._lifetime() <= 0 or _outage().skipping():
            return None
        try:
            found = cache.get(self._key(key))
        except RedisError as error:
            _outage().begin(error)
            return None
        except Exception:
            # Most likely kept by code that has changed since (a class moved or renamed):
            # computing the figure again is the answer.
            current_app.logger.warning("Could not read a %s entry from the cache",
                                       self.namespace, exc_info=True)
            return None
        _outage().end()
        return found

    def set(self, key, value):
        """Keep ``value`` under ``key`` for this namespace's lifetime (not at all for 0)."""
        self._keep(key, value, time.time())

    def get_or_set(self, key, compute):
        """The value for ``key``, computing and keeping it when missing or expired.

        Returns (value, computed_at) with ``computed_at`` in seconds since the epoch.
        """
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        computed_at = time.time()
        self._keep(key, value, computed_at)
        return value, computed_at

    def delete(self, key):
        """Forget the figure kept under ``key``, in every process that shares the cache."""
        if self._lifetime() <= 0 or _outage().skipping():
            return
        try:
            cache.delete(self._key(key))
        except RedisError as error:
            _outage().begin(error)

    def forget_after_commit(self, key):
        """Forget ``key`` once the current transaction commits (nothing if it rolls back).

        Not before: another request could otherwise read the old rows and keep them again
        until the figure expires."""
        db.session.info.setdefault(_FORGET_AFTER_COMMIT, []).append((self, key))

    def clear(self):
        """Forget every figure this application keeps, in every namespace.

        Flask-Caching clears by the application's key prefix, so other applications that
        share the Redis database keep theirs.
        """
        try:
            cache.clear()
        except RedisError as error:
            _outage().begin(error)

    def _keep(self, key, value, computed_at):
        lifetime = self._lifetime()
        if lifetime <= 0 or _outage().skipping():
            return
        try:
            cache.set(self._key(key), (value, computed_at), timeout=lifetime)
        except RedisError as error:
            _outage().begin(error)
            return
        except Exception:
            # A value that cannot be pickled is a bug to fix, but the page has its figure.
            current_app.logger.exception("Could not keep a %s entry", self.namespace)
            return
        _outage().end()


class _Outage:
    """Whether this application's Redis is failing, so that an outage is logged once."""

    def __init__(self):
        self.failing = False
        self.retry_at = 0.0

    def skipping(self):
        return self.failing and time.monotonic() < self.retry_at

    def begin(self, error):
        if not self.failing:
            current_app.logger.warning(
                "The report cache's Redis is unreachable (%s): figures are computed on "
                "every request until it answers again.", error
            )
        self.failing = True
        self.retry_at = time.monotonic() + RETRY_SECONDS

    def end(self):
        if self.failing:
            self.failing = False
            current_app.logger.info("The report cache's Redis answers again.")


def _outage():
    # Per application, as Flask-Caching keeps its backend: two apps in one process (tests,
    # or an app factory used twice) do not share an outage.
    outage = current_app.extensions.get("tracker.cache.outage")
    if outage is None:
        outage = current_app.extensions.setdefault("tracker.cache.outage", _Outage())
    return outage


_FORGET_AFTER_COMMIT = "tracker.cache.forget_after_commit"


@sa.event.listens_for(Session, "after_commit")
def _forget_after_commit(session):
    for kept, key in session.info.pop(_FORGET_AFTER_COMMIT, ()):
        kept.delete(key)


@sa.event.listens_for(Session, "after_rollback")
def _forget_nothing(session):
    session.info.pop(_FORGET_AFTER_COMMIT, None)
