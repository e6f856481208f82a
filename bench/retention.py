"""Time apply-retention on generated data on PostgreSQL (see bench/README.md).

Creates a dedicated database (``tracker_bench_retention_<pid>``; never the ``test``
database), runs the migrations, generates N applications (``generate``), then ages part of
them in SQL: a third of the finished applications ended seven years ago, a document row for
every fifth application, and one person in twenty unused for twelve years (their
applications too). Times the dry run (``plan``), the run, and a second run (which must find
nothing), then drops the database, whatever happened.

Usage (from the repository root):
    .venv/bin/python bench/retention.py [--applications N]
Environment: BENCH_PG (server URL, default postgresql://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import os
import sys
import tempfile
import time

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

AGE = [
    # A third of the finished applications ended seven years ago.
    """UPDATE applications SET updated_at = now() - interval '7 years'
       WHERE status IN ('declined', 'rejected', 'withdrawn', 'cancelled', 'completed')
         AND id % 3 = 0""",
    # A document for every fifth application (rows only: the files' absence is harmless).
    """INSERT INTO documents (application_id, kind, original_name, stored_name, content_type,
                             size, sha256, uploader_id, created_at)
       SELECT id, 'cv', 'cv.pdf', 'bench-' || id, 'application/pdf', 1000, repeat('0', 64),
              applicant_id, now()
       FROM applications WHERE id % 5 = 0""",
    # One person in twenty unused for twelve years, with their applications.
    """UPDATE users SET created_at = now() - interval '12 years', last_sign_in_at = NULL
       WHERE id % 20 = 0""",
    """UPDATE applications SET updated_at = now() - interval '12 years'
       WHERE applicant_id % 20 = 0""",
    "ANALYZE",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    args = parser.parse_args()
    from config import database_url

    server = database_url(os.environ.get("BENCH_PG",
                                         "postgresql://postgres@127.0.0.1:5432/postgres"))
    name = f"tracker_bench_retention_{os.getpid()}"
    admin_engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        run(sa.engine.make_url(server).set(database=name).render_as_string(
            hide_password=False), args.applications)
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def _timed(label, action):
    started = time.perf_counter()
    result = action()
    print(f"{label:24} {time.perf_counter() - started:7.2f} s: "
          f"{len(result.documents)} documents, {len(result.people)} people")
    return result


def run(url, count):
    import flask_migrate

    from config import TestingConfig
    from tracker import create_app
    from tracker.extensions import db
    from tracker.privacy.retention import apply_retention, plan
    from tracker.reports.generate import generate

    with tempfile.TemporaryDirectory() as uploads:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=uploads)
        with app.app_context():
            flask_migrate.upgrade()
            started = time.perf_counter()
            generate(count, seed=2026, echo=lambda message: None)
            for statement in AGE:
                db.session.execute(sa.text(statement))
                db.session.commit()
            print(f"{count} applications generated and aged in "
                  f"{time.perf_counter() - started:.1f} s")
            _timed("dry run (plan)", plan)
            _timed("apply-retention", apply_retention)
            again = _timed("second run", apply_retention)
            assert not again.documents and not again.people
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
