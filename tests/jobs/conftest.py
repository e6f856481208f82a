"""Jobs on the machine's real Redis (database 15), each test with a queue of its own, run by
RQ's SimpleWorker in burst mode within the test's application context."""

import os
import types
import uuid

import pytest
import redis

from tests.conftest import TEST_CACHE_URL
from tests.reports.conftest import apps, org  # noqa: F401  (the report tests' organisation)


@pytest.fixture
def queue(app, monkeypatch):
    """The app's jobs sent to a queue of this test's own; ``work()`` runs them all."""
    from rq import Queue, SimpleWorker

    connection = redis.Redis.from_url(TEST_CACHE_URL, socket_connect_timeout=2)
    try:
        connection.ping()
        problem = None
    except redis.exceptions.RedisError as error:
        problem = error
    if problem is not None:
        pytest.fail(f"The job tests need Redis at {TEST_CACHE_URL}: {problem}", pytrace=False)
    name = f"tracker-test-jobs-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.config, "REDIS_URL", TEST_CACHE_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)

    def work():
        worker = SimpleWorker([Queue(name, connection=connection)], connection=connection,
                              name=f"{name}-worker")
        return worker.work(burst=True, with_scheduler=False)

    def waiting():
        return Queue(name, connection=connection).count

    yield types.SimpleNamespace(name=name, work=work, waiting=waiting, connection=connection)
    keys = list(connection.scan_iter(match=f"rq:*{name}*"))
    if keys:
        connection.delete(*keys)
    for registry in ("rq:queues", "rq:workers"):
        members = [member for member in connection.smembers(registry) if name.encode() in member]
        if members:
            connection.srem(registry, *members)
    connection.close()
