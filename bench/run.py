"""One benchmark run of the lists, the API and the reports (see bench/README.md).

Creates a dedicated PostgreSQL database, generates the data set, starts the app under
gunicorn exactly as the README's production section says, and a plain hello-world Flask app
(bench/hello.py) under the same settings as the ceiling, signs in as an administrator,
drives each page with wrk (bounded runs, loopback only) for a number of rounds, prints the
medians of requests per second, p50, p99 and the share of the ceiling, says whether each
target is met, then stops both servers and drops the database.

Usage (from the repository root):  .venv/bin/python bench/run.py [--applications N] [--rounds R]
Environment: BENCH_PG (server URL, default postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_REDIS (default redis://127.0.0.1:6379/15), BENCH_DURATION (seconds per page, 10),
BENCH_PORT (the tracker's port, 8000), BENCH_HELLO_PORT (the ceiling's port, 8001).
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".venv", "bin")
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8000"))
HELLO_PORT = int(os.environ.get("BENCH_HELLO_PORT", "8001"))
BASE = f"http://{HOST}:{PORT}"
HELLO = f"http://{HOST}:{HELLO_PORT}"
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


def wrk(url, header, duration, connections=CONNECTIONS):
    """req/s, p50 and p99 (ms) of ``url`` under ``connections`` concurrent connections,
    each request carrying ``header`` (a cookie or a bearer token; None for none)."""
    command = ["wrk", f"-t{min(THREADS, connections)}", f"-c{connections}", f"-d{duration}s",
               "--latency", "--timeout", "30s", url]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * scale[u] for p, v, u in LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} non-2xx answers under load\n{output}")
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


def api_token(email, password):
    """A bearer token of the administrator, from ``POST /api/v1/auth/tokens``."""
    body = json.dumps({"email": email, "password": password}).encode()
    request = urllib.request.Request(f"{BASE}/api/v1/auth/tokens", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["token"]


def median(values):
    return statistics.median(values) if values else float("nan")


# (label, path, "cookie" or "token"): the pages measured, in the order of the report.
SORT_LABELS = {"created_at": "created", "reference": "reference", "title": "title",
               "start_date": "start date", "end_date": "end date"}


def pages_to_measure(deep_page, cursor):
    filtered = "/reports/applications?status=rejected"
    pages = [("list page, status=rejected", filtered, "cookie"),
             ("API list, status=submitted", "/api/v1/applications?status=submitted", "token")]
    for sort, label in SORT_LABELS.items():
        order = "asc" if sort == "created_at" else "desc"  # the other way round from default
        pages.append((f"list sorted by {label} ({order})",
                      f"/reports/applications?sort={sort}&order={order}", "cookie"))
    pages += [("list searched, q=martin", "/reports/applications?q=martin", "cookie"),
              ("API searched, q=martin", "/api/v1/applications?q=martin", "token"),
              (f"deep page ({deep_page:,}th of 50)", f"{filtered}&after={cursor}", "cookie"),
              ("dashboard", "/reports/", "cookie")]
    return pages


def verdicts(results, ceiling, uncached, export_seconds):
    """(target, figure, met) for each target of the issue that a run measures."""
    share = {label: rate / ceiling for label, (rate, _p50, _p99) in results.items()}
    found = []
    list_label = "list page, status=rejected"
    found.append(("list page >= 10% of the ceiling", f"{share[list_label]:.1%}",
                  share[list_label] >= 0.10))
    api_label = "API list, status=submitted"
    found.append(("API list >= 15% of the ceiling", f"{share[api_label]:.1%}",
                  share[api_label] >= 0.15))
    for label, (rate, _p50, p99) in results.items():
        if label.startswith("list sorted") or "searched" in label:
            found.append((f"{label}: >= 5% and p99 < 200 ms",
                          f"{share[label]:.1%}, p99 {p99:.0f} ms",
                          share[label] >= 0.05 and p99 < 200))
    deep = next(label for label in results if label.startswith("deep page"))
    ratio = results[deep][0] / results[list_label][0]
    found.append(("deep page >= 90% of the first page's rate", f"{ratio:.0%}", ratio >= 0.9))
    slowest = max(uncached)
    found.append(("dashboard uncached <= 150 ms", f"{slowest:.0f} ms (slowest year)",
                  slowest <= 150))
    found.append(("CSV of every row <= 20 s", f"{export_seconds:.1f} s", export_seconds <= 20))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="times each page is driven; the report gives the medians")
    parser.add_argument("--database", help="measure an existing, already generated database "
                        "instead (it is neither created, filled nor dropped)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    duration = int(os.environ.get("BENCH_DURATION", "10"))
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
    # The same settings for both servers: only the app and the port differ.
    gunicorn_command = [os.path.join(BIN, "gunicorn"), "--workers", "2", "--timeout", "120"]
    if not args.database:
        psql(server, f'CREATE DATABASE "{name}"')
    servers = []
    samples = {}
    generate_seconds = None
    try:
        if not args.database:
            run(flask + ["db", "upgrade"], env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            generate_seconds = run(flask + ["generate", "--applications",
                                            str(args.applications), "--seed", "2026"], env)
        run(flask + ["create-admin", "--email", email, "--full-name", "Bench",
                     "--password", password], env, stdout=subprocess.DEVNULL)
        # Exactly the README's production command line, and the ceiling beside it.
        for command in (
            gunicorn_command + ["--bind", f"{HOST}:{PORT}", "tracker:create_app()"],
            gunicorn_command + ["--bind", f"{HOST}:{HELLO_PORT}", "--pythonpath", "bench",
                                "hello:create_app()"],
        ):
            servers.append(subprocess.Popen(command, env=env, cwd=ROOT,
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        wait_for(f"{BASE}/healthz")
        wait_for(f"{HELLO}/")
        cookie = sign_in(email, password)
        token = api_token(email, password)
        headers = {"cookie": f"Cookie: {cookie}", "token": f"Authorization: Bearer {token}"}
        deep_page, cursor = deep_cursor(env, "rejected", 2000)
        pages = pages_to_measure(deep_page, cursor)
        for label, path, _auth in pages:
            status = fetch(path, cookie)[0]  # warms the workers' caches and templates
            assert status == 200, (path, status)
        for _round in range(args.rounds):
            for label, path, auth in [("hello-world ceiling", None, None)] + pages:
                url = HELLO + "/" if path is None else BASE + path
                header = headers[auth] if auth else None
                samples.setdefault(label, []).append(wrk(url, header, duration))
                time.sleep(2)  # let the workers drain the requests wrk left queued
        single_rate, single_p50, single_p99 = wrk(BASE + "/reports/", headers["cookie"], 10,
                                                  connections=1)
        # Figures not yet cached in either worker: what the first visitor of a year waits.
        last_year = time.gmtime().tm_year - 1
        uncached = [fetch(f"/reports/?year={year}", cookie)[1] * 1000
                    for year in (last_year, last_year - 1, last_year - 2)]
        status, export_seconds, size, lines = fetch("/reports/applications.csv", cookie)
        peaks = peak_rss_mb(servers[0].pid)
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        if not args.database:
            psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    results = {label: tuple(median([sample[i] for sample in values]) for i in range(3))
               for label, values in samples.items()}
    ceiling = results.pop("hello-world ceiling")[0]
    print()
    if generate_seconds is not None:
        print(f"generate --applications {args.applications}: {generate_seconds:.1f} s")
    print(f"medians of {args.rounds} round(s) of {duration} s, wrk -t{THREADS} -c{CONNECTIONS}")
    print(f"{'page':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ceiling':>8}")
    print(f"{'hello-world ceiling':<34} {ceiling:8.1f}")
    for label, (rate, p50, p99) in results.items():
        print(f"{label:<34} {rate:8.1f} {p50:8.1f} {p99:8.1f} {rate / ceiling:8.1%}")
    print(f"dashboard, one connection: p50 {single_p50:.1f} ms, p99 {single_p99:.1f} ms "
          f"({single_rate:.1f} req/s)")
    print("dashboard, uncached (three other years): "
          + ", ".join(f"{milliseconds:.0f} ms" for milliseconds in uncached))
    print(f"CSV export of every row: HTTP {status}, {export_seconds:.1f} s, "
          f"{size / 1e6:.0f} MB, {lines - 1} data rows; worker peak RSS {peaks} MB")
    print()
    for target, figure, met in verdicts(results, ceiling, uncached, export_seconds):
        print(f"{'met   ' if met else 'MISSED'} {target}: {figure}")


if __name__ == "__main__":
    sys.exit(main())
