"""One benchmark run of the reports at a million applications (see bench/README.md).

Creates a dedicated PostgreSQL database, generates the data set, starts the app under
gunicorn exactly as the README's production section says, signs in as an administrator,
drives each page with wrk (bounded runs, loopback only), prints requests per second, p50,
p99 and the ratio to the hello-world ceiling, then stops gunicorn and drops the database.

Usage (from the repository root):  .venv/bin/python bench/run.py [--applications N]
Environment: BENCH_PG (server URL, default postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_REDIS (default redis://127.0.0.1:6379/15), BENCH_DURATION (seconds per page, 15).
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".venv", "bin")
HOST = "127.0.0.1"
PORT = 8000
BASE = f"http://{HOST}:{PORT}"
CONNECTIONS = 16
THREADS = 2


def run(command, env, **kwargs):
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)
    return time.perf_counter() - started


def psql(server_url, sql):
    subprocess.run(["psql", "-q", "-d", server_url, "-c", sql], check=True)


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out: not up yet
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(email, password):
    """The session cookie of a signed-in administrator (the form, its CSRF token, a POST).

    Production cookies are marked Secure, so an HTTP client would not send them back over
    loopback; the cookie is read from the headers and sent by hand.
    """
    with urllib.request.urlopen(f"{BASE}/auth/login") as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": token.group(1)}).encode()
    request = urllib.request.Request(f"{BASE}/auth/login", data=data,
                                     headers={"Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request)
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise
        return error.headers["Set-Cookie"].split(";", 1)[0]
    raise SystemExit("sign-in did not redirect: wrong credentials?")


def fetch(path, cookie):
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        size = 0
        lines = 0
        while chunk := response.read(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
        return response.status, time.perf_counter() - started, size, lines


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(path, cookie, duration, connections=CONNECTIONS):
    """req/s, p50 and p99 (ms) of ``path`` under ``connections`` concurrent connections."""
    command = ["wrk", f"-t{min(THREADS, connections)}", f"-c{connections}", f"-d{duration}s",
               "--latency", "--timeout", "30s", "-H", f"Cookie: {cookie}", BASE + path]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * scale[u] for p, v, u in LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{path}: {errors.group(1)} non-2xx answers under load\n{output}")
    return rate, latency.get("50"), latency.get("99")


def deep_cursor(env, status, page):
    """The ``after`` cursor of the given page of the status-filtered list (newest first):
    exactly what following "Next" that many times yields, computed in one query. A data
    set too small for that page gets its last full page instead."""
    code = (
        "import sys, sqlalchemy as sa\n"
        "from tracker import create_app\n"
        "from tracker.extensions import db\n"
        "from tracker.applications.models import Application as A\n"
        "from tracker.core.paging import encode_cursor\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    rows = sa.select(A.created_at, A.id).where(A.status == '{status}')\n"
        "    total = db.session.scalar(sa.select(sa.func.count()).select_from(rows.subquery()))\n"
        f"    page = max(2, min({page}, total // 50))\n"
        "    row = db.session.execute(rows.order_by(A.created_at.desc(), A.id.desc())"
        ".offset((page - 1) * 50 - 1).limit(1)).one()\n"
        "    print(page, encode_cursor(row[1], row[0]))\n"
    )
    page, cursor = subprocess.run(
        [os.path.join(BIN, "python"), "-c", code], env=env, cwd=ROOT, capture_output=True,
        text=True, check=True).stdout.split()
    return int(page), cursor


def peak_rss_mb(master_pid):
    """Peak resident memory (VmHWM) of each gunicorn worker, in MB."""
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True,
                              text=True).stdout.split()
    peaks = []
    for pid in children:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) // 1024)
        except FileNotFoundError:
            pass
    return peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--database", help="measure an existing, already generated database "
                        "instead (it is neither created, filled nor dropped)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    duration = int(os.environ.get("BENCH_DURATION", "15"))
    name = f"tracker_bench_{os.getpid()}"
    database = args.database or server.rsplit("/", 1)[0] + "/" + name
    password = secrets.token_urlsafe(18)
    email = f"bench-{os.getpid()}@example.org"
    env = {
        **os.environ,
        "TRACKER_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database,
        "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15"),
    }
    flask = [os.path.join(BIN, "flask"), "--app", "tracker"]
    if not args.database:
        psql(server, f'CREATE DATABASE "{name}"')
    gunicorn = None
    results = []
    generate_seconds = None
    try:
        if not args.database:
            run(flask + ["db", "upgrade"], env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            generate_seconds = run(flask + ["generate", "--applications",
                                            str(args.applications), "--seed", "2026"], env)
        run(flask + ["create-admin", "--email", email, "--full-name", "Bench",
                     "--password", password], env, stdout=subprocess.DEVNULL)
        # Exactly the README's production command line.
        gunicorn = subprocess.Popen(
            [os.path.join(BIN, "gunicorn"), "--workers", "2", "--bind", f"{HOST}:{PORT}",
             "--timeout", "120", "tracker:create_app()"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(f"{BASE}/healthz")
        cookie = sign_in(email, password)
        filtered = "/reports/applications?status=rejected"
        deep_page, cursor = deep_cursor(env, "rejected", 2000)
        deep = f"{filtered}&after={cursor}"
        status, _seconds, _size, _lines = fetch(deep, cookie)
        assert status == 200
        pages = [("hello-world ceiling (/healthz)", "/healthz"),
                 ("list page, status=rejected", filtered)]
        api = "/api/v1/applications?status=rejected"
        try:
            api_status = fetch(api, cookie)[0]
        except urllib.error.HTTPError as error:
            api_status = error.code
        if api_status == 200:
            pages.append(("API list, status=rejected", api))
        else:
            print(f"(skipped {api}: answers {api_status} in this build)")
        pages += [(f"deep page ({deep_page:,}th of 50)", deep), ("dashboard", "/reports/")]
        for label, path in pages:
            fetch(path, cookie)  # warm the worker's caches and compiled templates
            rate, p50, p99 = wrk(path, cookie, duration)
            results.append((label, rate, p50, p99))
            time.sleep(3)  # let the workers drain the requests wrk left queued
        single_rate, single_p50, single_p99 = wrk("/reports/", cookie, 10, connections=1)
        # Figures not yet cached in either worker: what the first visitor of a year waits.
        last_year = time.gmtime().tm_year - 1
        cold = [fetch(f"/reports/?year={year}", cookie)[1] * 1000
                for year in (last_year, last_year - 1, last_year - 2)]
        status, export_seconds, size, lines = fetch("/reports/applications.csv", cookie)
        peaks = peak_rss_mb(gunicorn.pid)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        if not args.database:
            psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    ceiling = results[0][1]
    print()
    if generate_seconds is not None:
        print(f"generate --applications {args.applications}: {generate_seconds:.1f} s")
    print(f"{'page':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ceiling':>8}")
    for label, rate, p50, p99 in results:
        print(f"{label:<34} {rate:8.1f} {p50:8.1f} {p99:8.1f} {rate / ceiling:8.1%}")
    print(f"dashboard, one connection: p50 {single_p50:.1f} ms, p99 {single_p99:.1f} ms "
          f"({single_rate:.1f} req/s)")
    print("dashboard, uncached (three other years): "
          + ", ".join(f"{milliseconds:.0f} ms" for milliseconds in cold))
    print(f"CSV export of every row: HTTP {status}, {export_seconds:.1f} s, "
          f"{size / 1e6:.0f} MB, {lines - 1} data rows; worker peak RSS {peaks} MB")


if __name__ == "__main__":
    sys.exit(main())
