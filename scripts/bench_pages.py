"""Server time and queries of every main page as the district grows: 1x, 10x, 100x.

    .venv/bin/python scripts/bench_pages.py --db postgres --scales 1,10,100
    .venv/bin/python scripts/bench_pages.py --db sqlite --scales 1,10

For each scale it builds a fresh database with `manage.py seed_scale --scale N` (an SQLite
file in a temporary folder, or a PostgreSQL database named after --postgres with
"_pages" appended, dropped at the end), then, in a child process with the production
settings (DEBUG off), times each page through Django's test client (no network, no
browser): the median of --runs requests after one warm-up, and the query count. Prints
one table with a column per scale and the ratio of the largest scale to the smallest.
A benchmark, not a test.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pages():
    """(label, who, address) for every main page, in the first seeded school."""
    from activities.models import Activity
    from communities.models import Community
    from publishing.models import Publication

    community = Community.objects.select_related("home_school").get(slug="skala-0000-00")
    npsn = community.home_school.npsn
    activity = Activity.objects.filter(community=community, status="held").order_by("-starts_at").first()
    problem = community.problems.first()
    publication = Publication.objects.filter(community=community).first()
    return [
        ("personal dashboard", "coordinator", "/dasbor/"),
        ("community overview", "coordinator", community.get_absolute_url()),
        ("stage page (readiness)", "coordinator", f"/k/{community.slug}/tahap/"),
        ("activity page", "coordinator", activity.get_absolute_url()),
        ("activity list", "coordinator", f"/k/{community.slug}/kegiatan/"),
        ("problem page", "coordinator", f"/k/{community.slug}/masalah/{problem.uid}/"),
        ("gallery", "coordinator", f"/k/{community.slug}/dokumentasi/"),
        ("members", "coordinator", f"/k/{community.slug}/anggota/"),
        ("my communities", "coordinator", "/komunitas/"),
        ("directory", "principal", "/komunitas/direktori/"),
        ("directory (teacher)", "coordinator", "/komunitas/direktori/"),
        ("school dashboard", "principal", f"/sekolah/{npsn}/"),
        ("school report", "principal", f"/sekolah/{npsn}/laporan/"),
        ("notices", "coordinator", "/pemberitahuan/"),
        ("public showcase", "anonymous", "/publik/"),
        ("public school page", "anonymous", f"/publik/sekolah/{npsn}/"),
        ("public community", "anonymous", f"/publik/k/{community.slug}/"),
        ("public publication", "anonymous", publication.get_absolute_url()),
    ]


def measure(runs):
    """In the child: time every page, print JSON {label: [median ms, queries, status]}."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from kompra.accounts.models import User

    setup_test_environment()
    clients = {"anonymous": Client(), "coordinator": Client(), "principal": Client()}
    clients["coordinator"].force_login(User.objects.get(email="guru00@skala0000.sch.id"))
    clients["principal"].force_login(User.objects.get(email="kepsek@skala0000.sch.id"))
    results = {}
    for label, who, address in pages():
        client = clients[who]
        if client.get(address).status_code == 404:  # a page this build does not have
            continue
        connection.queries_log.clear()  # a full log (9,000 entries) would count nothing
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        count = len(queries)
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(address)
            seconds.append(time.perf_counter() - started)
        results[label] = [statistics.median(seconds) * 1000, count, response.status_code]
    print(json.dumps(results))


def run_sql(url, statement):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def build_and_measure(args, scale):
    folder = Path(tempfile.mkdtemp(prefix="kompra-pages-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kompra.settings",
        "KOMPRA_ENV_FILE": "",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "k7Qz" * 15,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "KOMPRA_VAR_DIR": str(folder),
        "KOMPRA_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
    }
    env.pop("REDIS_URL", None)
    admin = None
    if args.db == "postgres":
        parts = urlsplit(args.postgres)
        name = parts.path.lstrip("/") + "_pages"
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
        admin = urlunsplit(parts._replace(path="/postgres"))
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run_sql(admin, f'CREATE DATABASE "{name}"')
    else:
        env.pop("DATABASE_URL", None)

    def manage(*command):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603

    try:
        started = time.monotonic()
        manage("migrate", "--noinput", "-v0")
        manage("seed_scale", "--scale", str(scale), "--quiet")
        if args.db == "postgres":
            run_sql(env["DATABASE_URL"], "VACUUM ANALYZE")
        if not (ROOT / "var" / "bench-static" / "staticfiles.json").exists():
            manage("collectstatic", "--noinput", "-v0")
        built = time.monotonic() - started
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--child", "--runs", str(args.runs)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return built, json.loads(out.strip().splitlines()[-1])
    finally:
        if admin:
            run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/kompra_speed")
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.runs)
        return

    scales = [int(s) for s in args.scales.split(",")]
    columns = {}
    for scale in scales:
        built, columns[scale] = build_and_measure(args, scale)
        load = os.getloadavg()
        print(f"{scale}x built in {built:.0f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    first, last = scales[0], scales[-1]
    header = "".join(f"{f'{s}x ms':>9}{'q':>4}" for s in scales)
    print(f"{args.db}: median server time (ms) and queries per page")
    print(f"{'page':24}{header}{f'{last}x/{first}x':>10}")
    for label in columns[first]:
        cells = ""
        for scale in scales:
            ms, queries, status = columns[scale].get(label, [float("nan"), 0, 0])
            flag = "" if status == 200 else f"!{status}"
            cells += f"{ms:9.1f}{queries:4d}{flag}"
        ratio = columns[last].get(label, [float("nan")])[0] / columns[first][label][0]
        print(f"{label:24}{cells}{ratio:10.2f}")


if __name__ == "__main__":
    main()
