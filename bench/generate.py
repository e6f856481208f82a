"""Time ``flask --app tracker generate`` on a fresh PostgreSQL database (see bench/README.md).

Creates a dedicated database (``tracker_bench_gen_<pid>``; never the ``test`` database), runs
the migrations, times ``generate --applications N --seed 2026``, prints what was written
(applications by funding, cost items), then drops the database, whatever happened.

Usage (from the repository root):
    .venv/bin/python bench/generate.py [--applications N] [--keep]
``--keep`` leaves the database in place (its URL is printed) to time queries against it;
drop it by hand afterwards. The Python that runs this script runs ``flask`` too (its
``bin`` folder), so a checkout's own virtualenv measures that checkout's code.
Environment: BENCH_PG (server URL, default postgresql://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def psql(url, sql, capture=False):
    result = subprocess.run(["psql", "-qAt", "-d", url, "-c", sql], check=True,
                            capture_output=capture, text=True)
    return result.stdout.strip() if capture else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true",
                        help="keep the database afterwards (to time queries on it)")
    args = parser.parse_args()
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tracker_bench_gen_{os.getpid()}"
    database = server.rsplit("/", 1)[0] + "/" + name
    env = {**os.environ, "DATABASE_URL": database}
    flask = [os.path.join(BIN, "flask"), "--app", "tracker"]
    psql(server, f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.perf_counter()
        subprocess.run(flask + ["generate", "--applications", str(args.applications),
                                "--seed", "2026"], env=env, cwd=ROOT, check=True)
        seconds = time.perf_counter() - started
        has_funding = psql(database, "SELECT count(*) FROM information_schema.columns "
                                     "WHERE table_name = 'applications' "
                                     "AND column_name = 'funding'", capture=True) == "1"
        funding = psql(database, "SELECT string_agg(funding || ' ' || n, ', ') FROM "
                                 "(SELECT funding, count(*) AS n FROM applications "
                                 "GROUP BY funding ORDER BY funding) AS f",
                       capture=True) if has_funding else "(no funding column)"
        has_costs = psql(database, "SELECT to_regclass('cost_items') IS NOT NULL",
                         capture=True) == "t"
        costs = psql(database, "SELECT count(*) FROM cost_items",
                     capture=True) if has_costs else "(no cost_items table)"
        has_agreements = psql(database, "SELECT to_regclass('agreements') IS NOT NULL",
                              capture=True) == "t"
        agreements = psql(database, "SELECT string_agg(status || ' ' || n, ', ') FROM "
                                    "(SELECT status, count(*) AS n FROM agreements "
                                    "GROUP BY status ORDER BY status) AS a",
                          capture=True) if has_agreements else "(no agreements table)"
        size = psql(database, "SELECT pg_size_pretty(pg_database_size(current_database()))",
                    capture=True)
    finally:
        if not args.keep:
            psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print()
    print(f"generate --applications {args.applications}: {seconds:.1f} s "
          f"({args.applications / seconds:,.0f} applications/s)")
    print(f"applications by funding: {funding}; cost items: {costs}; database {size}")
    print(f"agreements by status: {agreements}")
    if args.keep:
        print(f"kept: {database}")


if __name__ == "__main__":
    sys.exit(main())
