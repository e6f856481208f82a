"""Lighthouse's accessibility score of the main pages, in English and in French.

Builds a fresh SQLite demo database (migrations, then ``seed-demo``) in a temporary folder,
serves the app on a free local port, signs each role in through the login form, and runs
Lighthouse (the npm package pinned in bench/package.json) on every page with the session
cookie and the language sent as extra headers. Prints a table of scores and exits with 1
when any score is below the threshold (95), 2 when a page could not be measured.

A measurement, not a test: it is never run by the test suite or CI (see bench/README.md).

Usage (from the repository root):
    npm ci --prefix bench            # once: installs Lighthouse into bench/node_modules
    .venv/bin/python bench/lighthouse.py [--only PATTERN] [--threshold 95] [--keep-reports DIR]

Environment: CHROME_PATH (default /usr/bin/chromium).
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
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
DEMO_PASSWORD = "demo-password"
LANGUAGES = {"en": "en-GB,en;q=0.9", "fr": "fr-FR,fr;q=0.9"}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"

# (label, account, path): a path of None is found at run time.
PAGES = [
    ("home", "researcher@example.org", "/"),
    ("my applications", "researcher@example.org", "/applications/"),
    ("an application", "researcher@example.org", None),
    ("new application form", "researcher@example.org", "/applications/new/outgoing"),
    ("director queue", "director@example.org", "/review/director"),
    ("admin queue", "admin@example.org", "/review/admin"),
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
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
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


def lighthouse(url, headers, report_path=None):
    """Lighthouse's accessibility score (0-100) of ``url`` and its failed audits."""
    command = [
        "node", LIGHTHOUSE, url, "--quiet", "--only-categories=accessibility",
        "--output=json", "--output-path=stdout", f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps(headers)}", "--form-factor=desktop",
        "--screenEmulation.disabled", "--max-wait-for-load=30000",
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
    category = report["categories"]["accessibility"]
    failed = [
        f"{audit_id}: {report['audits'][audit_id]['title']}"
        for audit_id in (ref["id"] for ref in category["auditRefs"] if ref["weight"])
        if report["audits"][audit_id]["score"] == 0
    ]
    return round(category["score"] * 100), failed


def start_app(folder, port):
    """Migrations, demo data, then the development server on ``port``; the server's process."""
    env = dict(os.environ, TRACKER_ENV="development", SECRET_KEY=secrets.token_hex(32),
               DATABASE_URL=f"sqlite:///{os.path.join(folder, 'demo.db')}")
    flask = [PYTHON, "-m", "flask", "--app", "tracker"]
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + step, env=env, cwd=ROOT, check=True, capture_output=True)
    return subprocess.Popen(flask + ["run", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=int, default=95)
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    parser.add_argument("--keep-reports", metavar="DIR", help="write each JSON report there")
    args = parser.parse_args()
    if not os.path.exists(LIGHTHOUSE):
        raise SystemExit("Lighthouse is missing: run `npm ci --prefix bench` first")
    if args.keep_reports:
        os.makedirs(args.keep_reports, exist_ok=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows, below, broken = [], [], []
    with tempfile.TemporaryDirectory(prefix="tracker-lighthouse-") as folder:
        server = start_app(folder, port)
        try:
            wait_for(f"{base}/healthz")
            cookies = {email: sign_in(base, email) for email in {page[1] for page in PAGES}}
            pages = [(label, email, path or first_application(base, cookies[email]))
                     for label, email, path in PAGES
                     if not args.only or args.only in label]
            for label, email, path in pages:
                for language, accept in LANGUAGES.items():
                    headers = {"Cookie": cookies[email], "Accept-Language": accept}
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
                        score, failed = lighthouse(base + path, headers, report)
                    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
                        broken.append(f"{label} ({language}): {error}")
                        continue
                    rows.append((label, language, path, score))
                    if score < args.threshold:
                        below.append(f"{label} ({language}) {score}: " + "; ".join(failed))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)

    print(f"{'page':<24}{'lang':<6}{'path':<32}score")
    for label, language, path, score in rows:
        print(f"{label:<24}{language:<6}{path:<32}{score:>5}")
    for line in below:
        print(f"BELOW {args.threshold}: {line}")
    for line in broken:
        print(f"NOT MEASURED: {line}")
    sys.exit(2 if broken else 1 if below else 0)


if __name__ == "__main__":
    main()
