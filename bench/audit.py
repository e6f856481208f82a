"""Time the audit page at 100,000 entries on PostgreSQL (see bench/README.md).

Creates a dedicated database (``tracker_bench_audit_<pid>``; never the ``test`` database),
runs the migrations, writes N audit entries in one SQL statement (a change every 30 seconds,
over five kinds of subject and 20 actors), then asks the page in-process with Flask's test
client, signed in as an administrator: the first page, the page after the oldest third (by
its cursor, as following "Older" gives), and filtered pages. Prints the median of 20
requests of each, then drops the database, whatever happened.

Usage (from the repository root):
    .venv/bin/python bench/audit.py [--entries N]
Environment: BENCH_PG (server URL, default postgresql://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import os
import statistics
import sys
import time

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

FILL = """
INSERT INTO audit_entries (actor_id, action, subject_type, subject_id, subject_label,
                           before, after, created_at)
SELECT (SELECT min(id) FROM users) + n % 20, 'update',
       (ARRAY['user', 'laboratory', 'programme', 'country', 'requirement_rule'])[n % 5 + 1],
       (n % 5000)::text, 'Subject ' || (n % 5000),
       json_build_object('city', 'Old ' || n), json_build_object('city', 'New ' || n),
       now() - make_interval(secs => 30 * n)
FROM generate_series(1, :count) AS n
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    from config import database_url

    server = database_url(os.environ.get("BENCH_PG",
                                         "postgresql://postgres@127.0.0.1:5432/postgres"))
    name = f"tracker_bench_audit_{os.getpid()}"
    admin_engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        run(sa.engine.make_url(server).set(database=name).render_as_string(
            hide_password=False), args.entries)
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def run(url, count):
    import flask_migrate

    from config import TestingConfig
    from tracker import create_app
    from tracker.auth.services import create_user
    from tracker.core.paging import encode_cursor
    from tracker.extensions import db

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        for n in range(20):
            create_user(f"actor{n}@example.org", f"Actor {n}", "bench passphrase 2026",
                        roles=("admin", "researcher"), nationality="FR")
        db.session.commit()
        started = time.perf_counter()
        db.session.execute(sa.text(FILL), {"count": count})
        db.session.commit()
        db.session.execute(sa.text("ANALYZE audit_entries"))
        db.session.commit()
        print(f"{count} entries written in {time.perf_counter() - started:.1f} s")
        row = db.session.execute(sa.text(
            "SELECT id, created_at FROM audit_entries ORDER BY created_at DESC, id DESC "
            "OFFSET :skip LIMIT 1"), {"skip": count // 3}).one()
        deep = encode_cursor(row.id, row.created_at)
        db.session.remove()

    client = app.test_client()
    with app.test_request_context():
        page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/auth/login", data={"email": "actor0@example.org",
                                                "password": "bench passphrase 2026",
                                                "csrf_token": token})
    assert response.status_code == 302, response.status_code
    pages = {
        "first page": "/admin/audit",
        f"page after the newest {count // 3}": f"/admin/audit?after={deep}",
        "kind = programme": "/admin/audit?subject_type=programme",
        "actor = Actor 7": "/admin/audit?actor=Actor%207",
        "subject text": "/admin/audit?q=Subject%204242",
        "one day": "/admin/audit?since=2026-01-01&until=2026-01-01",
    }
    for label, path in pages.items():
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        print(f"{label:32} median {statistics.median(timings) * 1000:7.1f} ms")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
