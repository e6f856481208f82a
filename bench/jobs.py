"""Time an XLSX export of every application built by an RQ worker (see bench/README.md).

Creates a dedicated PostgreSQL database (``tracker_bench_jobs_<pid>``; never the ``test``
database), runs the migrations and ``generate --applications N``, starts the export as an
administrator would (``start_job`` on a queue of this run's own on the bench Redis), then
runs ``flask --app tracker worker --burst`` and reports its wall time, the peak resident
memory of the worker and of the process it forks for the job, the progress the job's page
would have shown (the job's row, read every two seconds), the file's size and its rows
(``--count-rows``), and the load average. The database, the queue's keys and the file are
removed afterwards, whatever happened.

Usage (from the repository root):
    .venv/bin/python bench/jobs.py [--applications N] [--count-rows]
The issue's million is ``--applications 1000000`` (about 15 minutes of export on 2 cores).
Environment: BENCH_PG (server URL, default postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_REDIS (default redis://127.0.0.1:6379/15).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)

START = """
import sys
from tracker import create_app
from tracker.auth.services import create_user
from tracker.extensions import db
from tracker.jobs.services import start_job
import secrets
app = create_app()
with app.app_context():
    admin = create_user("bench-jobs@example.org", "Bench Admin", secrets.token_urlsafe(16),
                        roles=("admin",), nationality="FR", category="researcher")
    db.session.commit()
    job = start_job("export_xlsx", "tracker.reports.exports:xlsx_job", admin, filters={})
    print(job.id)
"""
# Runs the worker and prints the peak resident memory of it and its forked job (KiB).
MEASURED = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print("maxrss_kib", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", "-d", url, "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--count-rows", action="store_true",
                        help="read the workbook back and count its rows (slow)")
    args = parser.parse_args()
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
    name = f"tracker_bench_jobs_{os.getpid()}"
    database = server.rsplit("/", 1)[0] + "/" + name
    queue = f"tracker-bench-jobs-{os.getpid()}"
    folder = tempfile.mkdtemp(prefix="tracker-bench-jobs-")
    env = {**os.environ, "DATABASE_URL": database, "REDIS_URL": redis_url,
           "JOBS_QUEUE": queue, "UPLOAD_FOLDER": folder, "TRACKER_ENV": "development"}
    flask = [os.path.join(BIN, "flask"), "--app", "tracker"]
    psql(server, f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(flask + ["generate", "--applications", str(args.applications),
                                "--seed", "2026"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        start = subprocess.run([sys.executable, "-c", START], env=env, cwd=ROOT,
                               capture_output=True, text=True)
        if start.returncode:
            sys.exit("starting the export failed:\n" + start.stderr[-3000:])
        job_id = int(start.stdout.split()[-1])
        progress, finished = [], threading.Event()

        def watch(started):
            while not finished.wait(2):
                row = psql(database, f"SELECT status, done, total FROM jobs WHERE id = {job_id}")
                progress.append((time.perf_counter() - started, row))

        load_before = os.getloadavg()
        started = time.perf_counter()
        watcher = threading.Thread(target=watch, args=(started,), daemon=True)
        watcher.start()
        worker = subprocess.run([sys.executable, "-c", MEASURED, *flask, "worker", "--burst"],
                                env=env, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        finished.set()
        watcher.join()
        load_after = os.getloadavg()
        maxrss = next(line.split()[1] for line in worker.stdout.splitlines()
                      if line.startswith("maxrss_kib"))
        status, done, total, key = psql(
            database, f"SELECT status, done, total, result_key FROM jobs WHERE id = {job_id}"
        ).split("|")
        path = os.path.join(folder, *key.split("/")) if key else None
        size = os.path.getsize(path) if path else 0
        rows = None
        if args.count_rows and path:
            from openpyxl import load_workbook

            with open(path, "rb") as handle:
                book = load_workbook(handle, read_only=True)
                rows = sum(sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
                           for sheet in book.worksheets)
    finally:
        psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        keys = subprocess.run(["redis-cli", "-u", redis_url, "--scan", "--pattern",
                               f"rq:*{queue}*"], capture_output=True, text=True).stdout.split()
        if keys:
            subprocess.run(["redis-cli", "-u", redis_url, "del", *keys], capture_output=True)
        for registry in ("rq:queues", "rq:workers"):
            members = subprocess.run(["redis-cli", "-u", redis_url, "smembers", registry],
                                     capture_output=True, text=True).stdout.split()
            mine = [member for member in members if queue in member]
            if mine:
                subprocess.run(["redis-cli", "-u", redis_url, "srem", registry, *mine],
                               capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"XLSX export of {args.applications:,} applications by the worker: job {status}, "
          f"{done}/{total} rows, {seconds:.1f} s wall (worker start to exit)")
    print(f"peak resident memory, worker and its job's process: {int(maxrss) / 1024:.0f} MiB")
    print(f"file: {size / 1024 / 1024:.1f} MiB" + (f", {rows:,} rows" if rows is not None else ""))
    print("progress seen (s: status done/total): " + "; ".join(
        f"{at:.0f}: {row.replace('|', ' ', 1).replace('|', '/')}" for at, row in progress))
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    if worker.returncode or status != "done":
        print(worker.stderr[-2000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
