"""Throughput of the main signed-in pages, side by side with a bare Django view.

    .venv/bin/python scripts/bench_throughput.py --db sqlite --seconds 10
    .venv/bin/python scripts/bench_throughput.py --db postgres \
        --postgres postgres://postgres@127.0.0.1:5432/kompra_speed

Builds a fresh database (an SQLite file in a temporary folder, or a PostgreSQL database
named after --postgres with "_bench" appended, dropped at the end) with
`manage.py seed_scale --scale N`, then starts, one after the other and with the same
gunicorn settings (2 sync workers), a bare Django view (scripts/bench_bare.py) and Kompra
in production mode (DEBUG off). It signs in through the real login form (CSRF cookie and
token) and runs wrk for --seconds against each page, and prints one table: requests per
second, p50 and p99 latency, and the ratio to the bare view. A benchmark, not a test.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
HOST = "127.0.0.1"
PASSWORD = "kompra-skala-2026"  # noqa: S105 - seed_scale's throwaway accounts


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def start(module, env, port, workers):
    command = [GUNICORN, "-w", str(workers), "-k", "sync", "-b", f"{HOST}:{port}", "--log-level", "warning"]
    process = subprocess.Popen(  # noqa: S603
        [*command, module], cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL
    )
    wait_for(port)
    return process


def stop(process):
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


class Browser:
    """Just enough of a browser over http.client: cookies by hand (they are Secure in
    production, which a plain-HTTP cookie jar would not send back)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), text

    def login(self, email):
        status, _, page = self.request("GET", "/akun/login/")
        assert status == 200, f"login form answered {status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD})
        status, headers, _ = self.request(
            "POST",
            "/akun/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{HOST}:{self.port}"},
        )
        assert status == 302, f"signing in as {email} answered {status}"
        # Not the "signed in" message: every request would show it again.
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if k != "messages")


def wrk(port, path, seconds, connections, cookie=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(  # noqa: S603
        [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, latency(out, "50%"), latency(out, "99%"), int(bad.group(1)) if bad else 0


def latency(out, percentile):
    match = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def manage(env, *args):
    return subprocess.run(  # noqa: S603
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


ADDRESSES = """
import json
from activities.models import Activity
from communities.models import Community
c = Community.objects.get(slug="skala-0000-00")
a = Activity.objects.filter(community=c, status="held").order_by("-starts_at").first()
p = c.problems.first()
print(json.dumps({
    "personal dashboard": "/dasbor/",
    "community overview": c.get_absolute_url(),
    "activity": a.get_absolute_url(),
    "problem": f"/k/{c.slug}/masalah/{p.uid}/",
    "school dashboard": f"/sekolah/{c.home_school.npsn}/",
}))
"""


def run_sql(url, statement):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/kompra_speed")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kompra-bench-"))
    static = ROOT / "var" / "bench-static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kompra.settings",
        "KOMPRA_ENV_FILE": "",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "k7Qz" * 15,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "KOMPRA_VAR_DIR": str(folder),
        "KOMPRA_STATIC_ROOT": str(static),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    admin = None
    if args.db == "postgres":
        parts = urlsplit(args.postgres)
        name = parts.path.lstrip("/") + "_bench"
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
        admin = urlunsplit(parts._replace(path="/postgres"))
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run_sql(admin, f'CREATE DATABASE "{name}"')
    else:
        env.pop("DATABASE_URL", None)
    bare = kompra = None
    try:
        started = time.monotonic()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_scale", "--scale", str(args.scale), "--quiet")
        if not (static / "staticfiles.json").exists():
            manage(env, "collectstatic", "--noinput", "-v0")
        pages = json.loads(manage(env, "shell", "--no-imports", "-c", ADDRESSES).strip().splitlines()[-1])
        load = os.getloadavg()
        print(
            f"{args.db}, {args.scale}x, {args.workers} sync workers, wrk -c{args.connections} {args.seconds} s a page; "
            f"set up in {time.monotonic() - started:.0f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
            flush=True,
        )
        rows = []
        port = free_port()
        bare = start("scripts.bench_bare:application", env, port, args.workers)
        rows.append(("bare Django view", *wrk(port, "/", args.seconds, args.connections)))
        stop(bare)
        port = free_port()
        kompra = start("kompra.wsgi:application", env, port, args.workers)
        browser = Browser(port)
        coordinator = browser.login("guru00@skala0000.sch.id")
        principal = Browser(port).login("kepsek@skala0000.sch.id")
        for label, path in pages.items():
            cookie = principal if label == "school dashboard" else coordinator
            status, _, _ = Browser(port).request("GET", path, headers={"Cookie": cookie})
            assert status == 200, (label, path, status)
            wrk(port, path, 1, args.connections, cookie)  # warm both workers
            rows.append((label, *wrk(port, path, args.seconds, args.connections, cookie)))
        bare_rate = rows[0][1]
        print(f"{'page':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}")
        for label, rate, p50, p99, bad in rows:
            note = f"  ({bad} non-2xx)" if bad else ""
            print(f"{label:22} {rate:8.0f} {p50:8.1f} {p99:8.1f} {rate / bare_rate:8.1%}{note}")
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        stop(bare)
        stop(kompra)
        if admin:
            run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
