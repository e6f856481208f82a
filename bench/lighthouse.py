"""Lighthouse's scores of the main pages, served the production way.

Builds a database in a temporary place (SQLite by default, or a dedicated PostgreSQL database
with ``--postgresql``): migrations, ``seed-demo``, and with ``--applications N`` that many
generated applications on top. Serves it as the README's production section says (gunicorn,
two workers, ``TRACKER_ENV=production``) on a free local port, signs each role in through the
login form, and runs Lighthouse (the npm package pinned in bench/package.json, desktop preset)
on every page with the session cookie and the language sent as extra headers. Prints a table
of scores (and, for performance, the metrics behind it) with the load average, and exits
with 1 when any score is below the threshold (95), 2 when a page could not be measured.

A measurement, not a test: it is never run by the test suite or CI (see bench/README.md).

Usage (from the repository root):
    npm ci --prefix bench            # once: installs Lighthouse into bench/node_modules
    .venv/bin/python bench/lighthouse.py [--category performance] [--throttling simulate]
        [--languages en,fr] [--only PATTERN] [--threshold 95] [--keep-reports DIR]
        [--postgresql] [--applications N]

Environment: CHROME_PATH (default /usr/bin/chromium), BENCH_PG (the PostgreSQL server for
``--postgresql``, default postgresql://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
LIGHTHOUSE = os.path.join(BENCH, "node_modules", "lighthouse", "cli", "index.js")
BIN = os.path.join(ROOT, ".venv", "bin")
DEMO_PASSWORD = "demo-password"
LANGUAGES = {"en": "en-GB,en;q=0.9", "fr": "fr-FR,fr;q=0.9"}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Lighthouse's ways of slowing the page down: simulated from a fast run (its default),
# applied by DevTools while loading, or none (the page as this machine serves it).
THROTTLING = ("simulate", "devtools", "provided")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
# The performance metrics printed beside its score: (audit, column, unit divisor, format).
METRICS = [
    ("first-contentful-paint", "FCP ms", 1, "{:.0f}"),
    ("largest-contentful-paint", "LCP ms", 1, "{:.0f}"),
    ("total-blocking-time", "TBT ms", 1, "{:.0f}"),
    ("cumulative-layout-shift", "CLS", 1, "{:.3f}"),
    ("total-byte-weight", "KiB", 1024, "{:.0f}"),
]

# (label, account, path): a path of None is found at run time.
PAGES = [
    ("home", "researcher@example.org", "/"),
    ("my applications", "researcher@example.org", "/applications/"),
    ("an application", "researcher@example.org", None),
    ("new application form", "researcher@example.org", "/applications/new/outgoing"),
    ("director queue", "director@example.org", "/review/director"),
    ("admin queue", "admin@example.org", "/review/admin"),
    ("applications list", "admin@example.org", "/reports/applications"),
    ("dashboard", "admin@example.org", "/reports/"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # refused while gunicorn starts, or slow on a busy machine
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base, email):
    """The session cookie of ``email`` signed in through the form (CSRF token included)."""
    with urllib.request.urlopen(f"{base}/auth/login") as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}).encode()
    request = urllib.request.Request(f"{base}/auth/login", data=data, headers={"Cookie": cookie})
    try:
        urllib.request.build_opener(NoRedirect).open(request)
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise
        cookie = error.headers["Set-Cookie"].split(";", 1)[0]
    else:
        raise SystemExit(f"signing in {email} did not redirect: wrong credentials?")
    # The welcome message waits in the session for the next page: shown here, once, so that
    # the measured pages (in either language) do not all carry it, in the sign-in's language.
    request = urllib.request.Request(f"{base}/", headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        renewed = response.headers.get("Set-Cookie")
    return renewed.split(";", 1)[0] if renewed else cookie


def fetch(base, path, headers):
    request = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.geturl(), response.read().decode()


def first_application(base, cookie):
    """The path of the first application on the researcher's own list."""
    _, _, page = fetch(base, "/applications/", {"Cookie": cookie})
    found = re.search(r'href="(/applications/\d+)"', page)
    if not found:
        raise SystemExit("the researcher's list shows no application: is the demo seeded?")
    return found.group(1)


def lighthouse(url, headers, categories, throttling, report_path=None):
    """Lighthouse's report of ``url``: ``{category: (score 0-100, failed audits)}`` and the
    performance metrics (``{audit: value}``, empty without that category)."""
    command = [
        "node", LIGHTHOUSE, url, "--quiet", f"--only-categories={','.join(categories)}",
        "--output=json", "--output-path=stdout", f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps(headers)}", "--preset=desktop",
        f"--throttling-method={throttling}", "--max-wait-for-load=30000",
    ]
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip()[-2000:])
    report = json.loads(result.stdout)
    if report_path:
        with open(report_path, "w") as handle:
            handle.write(result.stdout)
    if report.get("runtimeError"):
        raise RuntimeError(report["runtimeError"].get("message"))
    if report.get("finalDisplayedUrl") != url:
        # Redirected (to the sign-in page, say): the score would be another page's.
        raise RuntimeError(f"Lighthouse ended at {report.get('finalDisplayedUrl')}")
    audits = report["audits"]
    scores = {}
    for name in categories:
        category = report["categories"][name]
        failed = [f"{ref['id']}: {audits[ref['id']]['title']}"
                  for ref in category["auditRefs"]
                  if ref["weight"] and (audits[ref["id"]]["score"] or 0) < 0.9]
        scores[name] = (round((category["score"] or 0) * 100), failed)
    metrics = {}
    if "performance" in categories:
        metrics = {audit: audits[audit].get("numericValue") for audit, *_ in METRICS}
    return scores, metrics


def create_postgresql():
    """A new, empty PostgreSQL database on BENCH_PG's server: (its URL, a function dropping it)."""
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tracker_lighthouse_{os.getpid()}"
    subprocess.run(["psql", "-qAt", "-d", server, "-c", f'CREATE DATABASE "{name}"'], check=True)

    def drop():
        subprocess.run(["psql", "-qAt", "-d", server, "-c",
                        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)

    return server.rsplit("/", 1)[0] + "/" + name, drop


def start_app(folder, port, database, applications):
    """Migrations, demo data (and generated applications), then gunicorn as in production on
    ``port``; the server's process."""
    env = dict(os.environ, TRACKER_ENV="production", SECRET_KEY=secrets.token_hex(32),
               DATABASE_URL=database, UPLOAD_FOLDER=os.path.join(folder, "uploads"))
    flask = [os.path.join(BIN, "flask"), "--app", "tracker"]
    steps = [["db", "upgrade"], ["seed-demo"]]
    if applications:
        steps.append(["generate", "--applications", str(applications), "--seed", "2026",
                      "--force"])
    for step in steps:
        subprocess.run(flask + step, env=env, cwd=ROOT, check=True, capture_output=True)
    # The README's production command line.
    return subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "tracker:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def load_average():
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--category", action="append", choices=CATEGORIES,
                        help="a Lighthouse category to score (repeatable; default performance)")
    parser.add_argument("--throttling", choices=THROTTLING, default="simulate",
                        help="Lighthouse's throttling method (default simulate, its own)")
    parser.add_argument("--languages", default="en,fr",
                        help="the interface languages to measure each page in (default en,fr)")
    parser.add_argument("--threshold", type=int, default=95)
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    parser.add_argument("--keep-reports", metavar="DIR", help="write each JSON report there")
    parser.add_argument("--postgresql", action="store_true",
                        help="a PostgreSQL database on BENCH_PG's server (default SQLite)")
    parser.add_argument("--applications", type=int, default=0,
                        help="generated applications added to the demo data (default none)")
    args = parser.parse_args()
    args.category = args.category or ["performance"]
    args.languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    unknown = set(args.languages) - set(LANGUAGES)
    if unknown:
        parser.error(f"unknown language(s) {', '.join(sorted(unknown))}: use en, fr")
    return args


def main():
    args = parse_args()
    if not os.path.exists(LIGHTHOUSE):
        raise SystemExit("Lighthouse is missing: run `npm ci --prefix bench` first")
    if args.keep_reports:
        os.makedirs(args.keep_reports, exist_ok=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows, below, broken = [], [], []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{started}, load average {load_average()}, throttling {args.throttling}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="tracker-lighthouse-") as folder:
        drop = None
        server = None
        try:
            if args.postgresql:
                database, drop = create_postgresql()
            else:
                database = f"sqlite:///{os.path.join(folder, 'demo.db')}"
            server = start_app(folder, port, database, args.applications)
            wait_for(f"{base}/healthz")
            cookies = {email: sign_in(base, email) for email in {page[1] for page in PAGES}}
            pages = [(label, email, path or first_application(base, cookies[email]))
                     for label, email, path in PAGES
                     if not args.only or args.only in label]
            for label, email, path in pages:
                for language in args.languages:
                    headers = {"Cookie": cookies[email], "Accept-Language": LANGUAGES[language]}
                    # The page itself, in the language asked for (not a redirect elsewhere).
                    status, final, html = fetch(base, path, headers)
                    lang = re.search(r'<html lang="([^"]*)"', html)
                    if status != 200 or not final.endswith(path) or \
                            not lang or lang.group(1) != language:
                        broken.append(f"{label} ({language}): {status} at {final}, "
                                      f"lang {lang and lang.group(1)}")
                        continue
                    report = (os.path.join(args.keep_reports, f"{label}-{language}.json"
                                           .replace(" ", "-")) if args.keep_reports else None)
                    try:
                        scores, metrics = lighthouse(base + path, headers, args.category,
                                                     args.throttling, report)
                    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
                        broken.append(f"{label} ({language}): {error}")
                        continue
                    rows.append((label, language, path, scores, metrics))
                    for name, (score, failed) in scores.items():
                        if score < args.threshold:
                            below.append(f"{label} ({language}) {name} {score}: "
                                         + "; ".join(failed))
        finally:
            if server is not None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)
            if drop:
                drop()

    header = f"{'page':<24}{'lang':<6}{'path':<28}" + "".join(
        f"{name[:13]:>14}" for name in args.category)
    if "performance" in args.category:
        header += "".join(f"{column:>9}" for _, column, *_ in METRICS)
    print(header)
    for label, language, path, scores, metrics in rows:
        line = f"{label:<24}{language:<6}{path:<28}" + "".join(
            f"{scores[name][0]:>14}" for name in args.category)
        for audit, _, divisor, form in (METRICS if metrics else []):
            value = metrics.get(audit)
            line += f"{'-' if value is None else form.format(value / divisor):>9}"
        print(line)
    print(f"load average at the end {load_average()}")
    for line in below:
        print(f"BELOW {args.threshold}: {line}")
    for line in broken:
        print(f"NOT MEASURED: {line}")
    sys.exit(2 if broken else 1 if below else 0)


if __name__ == "__main__":
    main()
