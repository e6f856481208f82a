"""Two app nodes behind a load balancer (see bench/README.md, "Two nodes").

Creates a PostgreSQL database of its own and generates the data set (as bench/run.py does),
then starts two identical gunicorn nodes on two ports, sharing that database and Redis (rate
limits, the figures' cache), with HAProxy from Debian's packages in front. It measures:

1. the same pages through the balancer with one node in service, then with both;
2. that a session opened on one node is honoured by the other (nothing kept in one node);
3. a run during which one node is stopped: every request must still get its answer
   (the balancer takes the stopped node out and replays what it could not deliver).

Each node runs one worker: this machine has two cores, so one worker per node leaves the
second node a core of its own to add; on real hardware each node brings its own cores.

Usage (from the repository root):  .venv/bin/python bench/nodes.py [--applications N]
Prerequisites: wrk and haproxy (apt-get install -y wrk haproxy).
Environment: BENCH_PG, BENCH_REDIS, BENCH_DURATION as for bench/run.py.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import run as bench

NODES = {"a": 8001, "b": 8002}
BALANCER = 8000

HAPROXY_CONFIG = """\
global
    maxconn 512
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 10s
    # A request the stopped node could not answer goes to the other one.
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout 502 503

frontend tracker
    bind {host}:{port}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk GET /healthz
    # A busy node answers its check late, not never: three misses in a row take it out.
    default-server inter 1s fall 3 rise 2
{servers}
"""


def start_node(env, port):
    """A gunicorn node, as the README's production section runs one (one worker here)."""
    return subprocess.Popen(
        [os.path.join(bench.BIN, "gunicorn"), "--workers", "1", "--bind",
         f"{bench.HOST}:{port}", "--timeout", "120", "--graceful-timeout", "30",
         "tracker:create_app()"],
        env=env, cwd=bench.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def haproxy_command(socket_path, command):
    """Send one command to HAProxy's runtime socket; its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(socket_path)
        client.sendall(command.encode() + b"\n")
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    return answer.decode()


def wait_servers_up(socket_path, expected, seconds=30):
    """Wait until ``expected`` servers of the backend pass their health check."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        state = haproxy_command(socket_path, "show servers state nodes")
        if sum(1 for line in state.splitlines()[2:] if line.split()[5:6] == ["2"]) >= expected:
            return
        time.sleep(0.2)
    raise SystemExit(f"HAProxy did not see {expected} node(s) up within {seconds} s")


SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def load(path, cookie, duration):
    """wrk through the balancer: (req/s, p99 ms, requests, failed requests)."""
    command = ["wrk", f"-t{bench.THREADS}", f"-c{bench.CONNECTIONS}", f"-d{duration}s",
               "--latency", "--timeout", "30s", "-H", f"Cookie: {cookie}",
               f"http://{bench.HOST}:{BALANCER}{path}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = {p: float(v) * scale[u] for p, v, u in bench.LATENCY.findall(output)}.get("99")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = int(non_2xx.group(1)) if non_2xx else 0
    errors = SOCKET_ERRORS.search(output)
    if errors:
        failed += sum(int(count) for count in errors.groups())
    return rate, p99, requests, failed


def status_on(port, path, cookie):
    request = urllib.request.Request(f"http://{bench.HOST}:{port}{path}",
                                     headers={"Cookie": cookie})
    opener = urllib.request.build_opener(bench.NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--database", help="an existing, already generated database")
    args = parser.parse_args()
    for tool in ("wrk", "haproxy"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed: apt-get install -y {tool}")
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
    duration = int(os.environ.get("BENCH_DURATION", "15"))
    name = f"tracker_bench_nodes_{os.getpid()}"
    database = args.database or server.rsplit("/", 1)[0] + "/" + name
    password = secrets.token_urlsafe(18)
    email = f"bench-{os.getpid()}@example.org"
    env = {
        **os.environ,
        "TRACKER_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),  # the same on every node
        "DATABASE_URL": database,
        "RATELIMIT_STORAGE_URI": redis,
        "CACHE_URL": redis,
        "CACHE_KEY_PREFIX": f"tracker-bench-{os.getpid()}:",
    }
    flask = [os.path.join(bench.BIN, "flask"), "--app", "tracker"]
    workdir = tempfile.mkdtemp(prefix="tracker-nodes-")
    socket_path = os.path.join(workdir, "haproxy.sock")
    nodes, balancer = {}, None
    if not args.database:
        bench.psql(server, f'CREATE DATABASE "{name}"')
    try:
        if not args.database:
            bench.run(flask + ["db", "upgrade"], env, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)
            bench.run(flask + ["generate", "--applications", str(args.applications),
                               "--seed", "2026"], env)
        bench.run(flask + ["create-admin", "--email", email, "--full-name", "Bench",
                           "--password", password], env, stdout=subprocess.DEVNULL)
        for node, port in NODES.items():
            nodes[node] = start_node(env, port)
        for port in NODES.values():
            bench.wait_for(f"http://{bench.HOST}:{port}/healthz", seconds=120)
        config = os.path.join(workdir, "haproxy.cfg")
        with open(config, "w") as handle:
            handle.write(HAPROXY_CONFIG.format(
                socket=socket_path, host=bench.HOST, port=BALANCER,
                servers="\n".join(f"    server {node} {bench.HOST}:{port} check"
                                  for node, port in NODES.items())))
        balancer = subprocess.Popen(["haproxy", "-db", "-f", config],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bench.wait_for(f"http://{bench.HOST}:{BALANCER}/healthz")
        wait_servers_up(socket_path, 2)

        bench.BASE = f"http://{bench.HOST}:{BALANCER}"
        cookie = bench.sign_in(email, password)
        pages = [("list page, status=rejected", "/reports/applications?status=rejected"),
                 ("API list, status=rejected", "/api/v1/applications?status=rejected"),
                 ("dashboard", "/reports/")]
        shared = {node: [status_on(port, path, cookie) for _label, path in pages]
                  for node, port in NODES.items()}

        scaling = []
        for label, path in pages:
            bench.fetch(path, cookie)
            haproxy_command(socket_path, "disable server nodes/b")
            one = load(path, cookie, duration)
            haproxy_command(socket_path, "enable server nodes/b")
            wait_servers_up(socket_path, 2)
            time.sleep(2)
            two = load(path, cookie, duration)
            scaling.append((label, one, two))
            time.sleep(2)

        # Stop node b a third of the way into a run through the balancer.
        path = pages[0][1]
        stopper = threading.Timer(duration / 3,
                                  lambda: nodes["b"].send_signal(signal.SIGTERM))
        stopper.start()
        failover = load(path, cookie, duration)
        stopper.join()
        nodes["b"].wait(timeout=60)
    finally:
        if balancer is not None:
            balancer.terminate()
            balancer.wait(timeout=10)
        for process in nodes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
        if not args.database:
            bench.psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print()
    print("A session opened through the balancer, asked of each node directly: "
          + ", ".join(f"node {node}: {codes}" for node, codes in shared.items()))
    print(f"{'page':<30} {'1 node req/s':>13} {'p99 ms':>8} {'2 nodes req/s':>14} "
          f"{'p99 ms':>8} {'scale':>6}")
    for label, one, two in scaling:
        print(f"{label:<30} {one[0]:13.1f} {one[1]:8.1f} {two[0]:14.1f} {two[1]:8.1f} "
              f"{two[0] / one[0]:5.2f}x")
    rate, p99, requests, failed = failover
    print(f"node b stopped {duration / 3:.0f} s into a {duration} s run: {requests} requests, "
          f"{failed} failed, {rate:.1f} req/s, p99 {p99:.1f} ms")
    if failed or any(code != 200 for codes in shared.values() for code in codes):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
