"""The reports on the shared cache: two workers on one Redis show the same figures.

Each worker is an app of its own built with the same ``CACHE_URL``, on the machine's real
Redis (``shared_cache`` in tests/conftest.py), as gunicorn's workers are.
"""

import socket
from datetime import date, datetime, timezone

from tests.conftest import sign_in
from tracker.reports import dashboard


def redis_worker(worker, shared_cache):
    return worker(CACHE_URL=shared_cache.url, CACHE_KEY_PREFIX=shared_cache.prefix)


def signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def test_two_workers_show_the_same_kept_dashboard(worker, shared_cache, make, org, apps):
    first, second = redis_worker(worker, shared_cache), redis_worker(worker, shared_cache)
    alone = worker()  # no CACHE_URL: a worker of its own
    on_first, on_second, on_alone = (signed_in(app, org["admin"])
                                     for app in (first, second, alone))
    assert "3 applications in all." in on_first.get("/reports/?year=2024").get_data(as_text=True)

    make.application(applicant=org["ada"], programme=org["outgoing"], status="submitted",
                     start_date=date(2024, 9, 1), end_date=date(2024, 9, 20))

    # The second worker shows the figure the first kept, not one of its own...
    assert "3 applications in all." in on_second.get("/reports/?year=2024").get_data(as_text=True)
    # ...where a worker that keeps its own already shows another.
    assert "4 applications in all." in on_alone.get("/reports/?year=2024").get_data(as_text=True)


def test_the_list_reads_its_choices_and_counts_through_redis(worker, shared_cache, org, apps):
    first, second = redis_worker(worker, shared_cache), redis_worker(worker, shared_cache)
    pages = [signed_in(app, org["admin"]).get("/reports/applications") for app in (first, second)]
    assert [page.status_code for page in pages] == [200, 200]
    assert all("Stays abroad</option>" in page.get_data(as_text=True) for page in pages)
    assert shared_cache.keys()  # the filter choices (small counts are never kept)


def test_dashboard_figures_come_back_from_redis_whole(worker, shared_cache, make, org, apps):
    """Records, tuples, dates and amounts all survive the pickling."""
    make.application(applicant=org["ada"], programme=org["outgoing"], status="submitted",
                     submitted_at=datetime(2024, 1, 15, tzinfo=timezone.utc))
    year = date.today().year  # the year of the fixtures' programmes and current stays
    first, second = redis_worker(worker, shared_cache), redis_worker(worker, shared_cache)
    with first.app_context():
        figures, computed_at = dashboard.cached_dashboard(org["admin"], year)
    assert figures["waiting"] and figures["programmes"] and figures["host_countries"]
    with second.app_context():
        kept, kept_at = dashboard.cached_dashboard(org["admin"], year)
    assert (kept, kept_at) == (figures, computed_at)
    assert isinstance(kept["waiting"][0], dashboard.Waiting)


def test_the_list_and_the_dashboard_answer_when_redis_is_unreachable(worker, org, apps):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = signed_in(worker(CACHE_URL=f"redis://127.0.0.1:{port}/0"), org["admin"])
    assert "3 applications in all." in client.get("/reports/?year=2024").get_data(as_text=True)
    assert client.get("/reports/applications").status_code == 200
    assert client.get("/reports/applications?status=approved").status_code == 200
