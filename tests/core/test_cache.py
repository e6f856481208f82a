"""The report cache: shared by every worker through Redis, in process without it.

The Redis tests use the machine's real Redis (see ``shared_cache`` in conftest.py): two
apps built with one ``CACHE_URL`` stand for two gunicorn workers.
"""

import logging
import re
import socket

import pytest
from flask_caching.backends import RedisCache, SimpleCache

from tracker.core import cache as cache_module
from tracker.core.cache import TTLCache
from tracker.extensions import cache


class Counted:
    """A figure that counts how often it was computed."""

    def __init__(self, value):
        self.value = value
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.value


def redis_worker(worker, shared_cache, **settings):
    return worker(CACHE_URL=shared_cache.url, CACHE_KEY_PREFIX=shared_cache.prefix, **settings)


def closed_port():
    """A port on 127.0.0.1 that nothing listens on (just freed by the system)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_two_workers_on_one_redis_share_a_kept_figure(worker, shared_cache):
    first, second = redis_worker(worker, shared_cache), redis_worker(worker, shared_cache)
    figures = TTLCache("figures")
    compute = Counted({"total": 42, "by_status": {"approved": 40}})

    with first.app_context():
        assert isinstance(cache.cache, RedisCache)
        value, computed_at = figures.get_or_set(("admin",), compute)
    with second.app_context():
        assert figures.get_or_set(("admin",), compute) == (value, computed_at)
        assert figures.get(("admin",)) == (value, computed_at)
        assert figures.get(("user", 7, ())) is None  # another scope: not shared
    assert compute.calls == 1


def test_keys_are_strings_under_the_prefix_and_the_namespace(worker, shared_cache):
    figures = TTLCache("figures")
    with redis_worker(worker, shared_cache).app_context():
        figures.set(("user", 7, (3, 5)), [1, 2])
        figures.set(("user", 7, (3, 5)), [1, 2, 3])  # the same key, written again
    (key,) = shared_cache.keys()
    assert re.fullmatch(re.escape(shared_cache.prefix) + r"figures:[0-9a-f]{64}", key)


def test_lifetimes_follow_the_setting_and_the_factor(worker, shared_cache):
    counts = TTLCache("counts", lifetime_factor=2)
    with redis_worker(worker, shared_cache, REPORTS_CACHE_SECONDS=60).app_context():
        counts.set("large", 120_000)
    (key,) = shared_cache.keys()
    assert 110 <= shared_cache.client.ttl(key) <= 120


def test_lifetime_zero_keeps_nothing(worker, shared_cache):
    figures = TTLCache("figures")
    compute = Counted("fresh")
    for app in (redis_worker(worker, shared_cache, REPORTS_CACHE_SECONDS=0),
                worker(REPORTS_CACHE_SECONDS=0)):
        with app.app_context():
            figures.get_or_set("key", compute)
            figures.get_or_set("key", compute)
            figures.set("other", "value")
            assert figures.get("other") is None
    assert compute.calls == 4
    assert shared_cache.keys() == []


def test_without_cache_url_each_process_keeps_its_own(worker):
    first, second = worker(), worker()
    figures = TTLCache("figures")
    compute = Counted(3)
    with first.app_context():
        assert isinstance(cache.cache, SimpleCache)
        kept = figures.get_or_set("key", compute)
        assert figures.get_or_set("key", compute) == kept
    assert compute.calls == 1
    with second.app_context():  # another worker: the reason production wants Redis
        assert figures.get("key") is None


def test_clear_removes_this_apps_keys_and_no_one_elses(worker, shared_cache):
    # Another application on the same Redis database, its prefix a sibling of ours.
    neighbour = shared_cache.prefix.rstrip(":") + "-neighbour:kept"
    shared_cache.client.set(neighbour, b"theirs", ex=60)
    try:
        figures, counts = TTLCache("figures"), TTLCache("counts")
        with redis_worker(worker, shared_cache).app_context():
            figures.set("a", 1)
            counts.set("b", 2)
            assert len(shared_cache.keys()) == 2
            figures.clear()
            assert figures.get("a") is None and counts.get("b") is None
        assert shared_cache.keys() == []
        assert shared_cache.client.get(neighbour) == b"theirs"
    finally:
        shared_cache.client.delete(neighbour)


def test_an_empty_key_prefix_is_refused_with_redis(worker, shared_cache):
    # Without a prefix, clearing would empty the whole Redis database.
    with pytest.raises(RuntimeError, match="CACHE_KEY_PREFIX"):
        worker(CACHE_URL=shared_cache.url, CACHE_KEY_PREFIX="")


def test_an_unreachable_redis_computes_the_figure_and_logs_once(worker, caplog, monkeypatch):
    # Try Redis on every call, so that "once" is about the log, not about the retry delay.
    monkeypatch.setattr(cache_module, "RETRY_SECONDS", 0)
    app = worker(CACHE_URL=f"redis://127.0.0.1:{closed_port()}/0")
    caplog.set_level(logging.WARNING, logger=app.logger.name)
    figures = TTLCache("figures")
    compute = Counted(5)
    with app.app_context():
        assert figures.get_or_set("key", compute)[0] == 5
        assert figures.get_or_set("key", compute)[0] == 5
        figures.set("other", 6)
        assert figures.get("other") is None
        figures.clear()
    assert compute.calls == 2
    outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outages) == 1


def test_an_outage_belongs_to_its_app(worker):
    failing, healthy = worker(CACHE_URL=f"redis://127.0.0.1:{closed_port()}/0"), worker()
    figures = TTLCache("figures")
    with failing.app_context():
        assert figures.get_or_set("key", lambda: 1)[0] == 1
    with healthy.app_context():  # still keeps its figures
        figures.set("key", 2)
        assert figures.get("key")[0] == 2


def test_an_entry_kept_by_older_code_is_computed_again(worker, shared_cache, caplog):
    figures = TTLCache("figures")
    compute = Counted("current")
    app = redis_worker(worker, shared_cache)
    caplog.set_level(logging.WARNING, logger=app.logger.name)
    with app.app_context():
        figures.set("key", "old")
        (key,) = shared_cache.keys()
        # What a release whose class has since moved left behind (pickle protocol 0, after
        # cachelib's "!" mark for pickled values).
        shared_cache.client.set(key, b"!cvanished_module\nFigures\n(tR.", ex=60)
        assert figures.get_or_set("key", compute)[0] == "current"
        assert figures.get("key")[0] == "current"  # kept anew, readable now
    assert compute.calls == 1
    assert any("Could not read" in r.getMessage() for r in caplog.records)
