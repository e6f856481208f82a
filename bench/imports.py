"""Time the import of N people and N past applications on PostgreSQL (see bench/README.md).

Creates a dedicated database (``tracker_bench_import_<pid>``; never the ``test``
database), runs the migrations, adds two laboratories and a programme, writes a CSV of N
people and one of N past applications (spread over those people), and times for each the
dry run and the import, then the re-import of the same file (nothing changes). Prints rows
per second and the process's peak resident memory, then drops the database, whatever
happened.

Usage (from the repository root):
    .venv/bin/python bench/imports.py [--people N] [--applications N] [--steps STEPS]
``--steps`` names the runs of each file, of ``dry-run``, ``import``, ``again`` (all three by
default; ``--steps import`` for the largest sizes).
Environment: BENCH_PG (server URL, default postgresql://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
from datetime import date, timedelta

import sqlalchemy as sa

STEPS = ("dry-run", "import", "again")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--steps", default=",".join(STEPS),
                        help="comma-separated, of: " + ", ".join(STEPS))
    args = parser.parse_args()
    steps = [step for step in STEPS if step in args.steps.split(",")]
    from config import database_url

    server = database_url(os.environ.get("BENCH_PG",
                                         "postgresql://postgres@127.0.0.1:5432/postgres"))
    name = f"tracker_bench_import_{os.getpid()}"
    admin_engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        run(sa.engine.make_url(server).set(database=name).render_as_string(
            hide_password=False), args.people, args.applications, steps)
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def _write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def people_rows(count):
    for n in range(count):
        yield (f"person{n}@example.org", f"Person {n}", "FR", "researcher", "BLX", "researcher")


def application_rows(count, people):
    first = date(2016, 1, 4)
    for n in range(count):
        start = first + timedelta(days=(n * 7) % 3000)
        # References have six digits: the millionth row starts again at 1, in another year.
        yield (f"MOB-{start.year}-{n % 999_999 + 1:06d}", f"Stay {n}", "completed", "outgoing",
               "Bench call", f"person{n % people}@example.org", "BLX", "BPX", "conference",
               start.isoformat(), (start + timedelta(days=4)).isoformat(), "800.00", "")


def _timed(label, kind, path, commit):
    from tracker.imports.writing import run_import

    with open(path, "rb") as stream:
        result = run_import(kind, stream, "csv", source=os.path.basename(path), commit=commit,
                            progress=lambda done, total: None)
    print(f"{label:<28} {result.total:>9} rows {result.seconds:8.1f} s "
          f"{result.rows_per_second:9.0f} rows/s  created {result.created}, "
          f"updated {result.updated}, unchanged {result.unchanged}, refused {result.refused}")
    return result


def run(url, people, applications, steps):
    import flask_migrate

    from config import TestingConfig
    from tracker import create_app
    from tracker.directory.models import Laboratory, Programme
    from tracker.extensions import db

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        flask_migrate.upgrade()
        db.session.add_all([
            Laboratory(name="Bench unit", acronym="BLX", kind="unit", country="FR"),
            Laboratory(name="Bench partner", acronym="BPX", kind="partner", country="DE"),
        ])
        programme = Programme(name="Bench call", direction="outgoing", opens_on=date(2015, 1, 1),
                              closes_on=date(2030, 12, 31), min_days=1, max_days=365,
                              budget=0)
        programme.eligible_categories = ["researcher"]
        db.session.add(programme)
        db.session.commit()
        people_path = os.path.join(folder, "people.csv")
        _write_csv(people_path, ("email", "full_name", "nationality", "category",
                                 "home_laboratory", "roles"), people_rows(people))
        applications_path = os.path.join(folder, "applications.csv")
        _write_csv(applications_path, (
            "reference", "title", "status", "direction", "programme", "applicant_email",
            "home_laboratory", "host_laboratory", "purpose", "start_date", "end_date",
            "requested_amount", "awarded_amount"), application_rows(applications, people))
        for kind, path in (("people", people_path), ("applications", applications_path)):
            if "dry-run" in steps:
                _timed(f"{kind}: dry run", kind, path, None)
            # The applications name the people: they are imported whatever the steps.
            if "import" in steps or kind == "people":
                _timed(f"{kind}: import", kind, path, db.session.commit)
            if "again" in steps:
                _timed(f"{kind}: import again", kind, path, db.session.commit)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
