"""Load test of the production topology: 50 simulated teachers for 60 s through nginx.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kompra_dev .venv/bin/python scripts/bench_load.py

Starts what tests/test_topology.py starts (nginx with deploy/nginx.conf and TLS, two
gunicorn app servers with deploy/gunicorn.conf.py, Redis, an S3 endpoint) on a fresh
PostgreSQL database next to the one DATABASE_URL names (<name>_load, dropped at the end),
with 5 communities of 10 teachers, each with activities, a shared problem and photos.
Then locust (scripts/locustfile.py) runs the teachers: mixed reads, comments and photo
uploads, each teacher signing in from an address of their own. Prints requests,
failures, p50 and p95 per kind of request and in all. A benchmark, not a test: every
loop is bounded (--users, --seconds) and it stops by itself.
"""

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMMUNITIES = 5
TEACHERS_PER_COMMUNITY = 10
ACTIVITIES = 4
PHOTOS = 6
PASSWORD = "kata-sandi-beban-2026"  # noqa: S105 - throwaway accounts of a throwaway database


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--spawn-rate", type=float, default=2, help="teachers starting per second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database; a fresh one next to it is used and dropped.")
    parts = urlsplit(base)
    name = parts.path.lstrip("/") + "_load"
    database_url = urlunsplit(parts._replace(path="/" + name))
    admin = urlunsplit(parts._replace(path="/postgres"))

    run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run_sql(admin, f'CREATE DATABASE "{name}"')
    topology = None
    try:
        print(f"Database {name}: migrating...", flush=True)
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        env["KOMPRA_ENV_FILE"] = ""
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

        from tests.topology import Topology

        print("Starting nginx, 2 app servers, Redis and the S3 endpoint...", flush=True)
        topology = Topology(database_url=database_url, workers=args.workers).start()
        plan = seed(topology, database_url)
        plan_path = topology.folder / "plan.json"
        plan_path.write_text(json.dumps(plan))

        print(f"{args.users} teachers for {args.seconds} s through nginx at {topology.origin}...", flush=True)
        started = time.monotonic()
        prefix = topology.folder / "locust"
        subprocess.run(  # noqa: S603
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "scripts" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.seconds}s",
                "--stop-timeout",
                "10",
                "--host",
                topology.origin,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "KOMPRA_LOAD_PLAN": str(plan_path)},
            stdout=open(topology.folder / "locust.log", "w"),  # noqa: SIM115 - its own table; ours follows
            stderr=subprocess.STDOUT,
            check=True,
            timeout=args.seconds + 120,
        )
        elapsed = time.monotonic() - started
        report(prefix, elapsed, args)
    finally:
        if topology is not None:
            topology.stop()
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_sql(url, statement):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def seed(topology, database_url):
    """People and communities written with the production settings the app servers use
    (the bucket included), so photos are real objects in it. Returns the locust plan."""
    endpoint, bucket = topology.s3
    os.environ.update(topology.environment(0))
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()

    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from activities.models import Activity
    from kompra.accounts.models import User
    from tests.factories import (
        ActivityFactory,
        CommunityFactory,
        DocumentFactory,
        MembershipFactory,
        ProblemFactory,
        SchoolFactory,
        UserFactory,
        jpeg_bytes,
    )

    password = make_password(PASSWORD)
    photo = jpeg_bytes((1200, 900), (90, 140, 60))
    school = SchoolFactory(npsn="29990077", name="SMP Negeri 7 Beban")
    plan = {"ca": str(topology.ca), "password": PASSWORD, "people": [], "communities": []}
    for index in range(COMMUNITIES):
        community = CommunityFactory(name=f"Komunitas Beban {index + 1}", home_school=school)
        teachers = [
            UserFactory(school=school, email=f"guru{index}-{n}@beban.sch.id", full_name=f"Guru {index}-{n}")
            for n in range(TEACHERS_PER_COMMUNITY)
        ]
        for number, teacher in enumerate(teachers):
            MembershipFactory(user=teacher, community=community, role="coordinator" if number == 0 else "member")
        now = timezone.now()
        activities = [
            ActivityFactory(
                community=community,
                proposed_by=teachers[0],
                starts_at=now - timedelta(days=7 * (n + 1)),
                ends_at=now - timedelta(days=7 * (n + 1)) + timedelta(hours=2),
                status=Activity.Status.HELD,
            )
            for n in range(ACTIVITIES)
        ]
        documents = [  # photos of a realistic size, in the bucket
            DocumentFactory(
                activity=activities[n % ACTIVITIES],
                uploaded_by=teachers[n % len(teachers)],
                file=ContentFile(photo, name="foto.jpg"),
                size=len(photo),
                sha256=hashlib.sha256(photo).hexdigest(),
                width=1200,
                height=900,
            )
            for n in range(PHOTOS)
        ]
        problem = ProblemFactory(community=community, raised_by=teachers[0])
        plan["communities"].append(
            {
                "slug": community.slug,
                "activities": [str(a.uid) for a in activities],
                "documents": [str(d.uid) for d in documents],
                "problem": str(problem.uid),
            }
        )
        plan["people"] += [{"email": t.email, "community": index} for t in teachers]
    User.objects.update(password=password)
    print(f"Seeded {len(plan['people'])} teachers in {COMMUNITIES} communities (photos in bucket {bucket}).")
    return plan


def report(prefix, elapsed, args):
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    print()
    print(f"{args.users} simulated teachers, {args.seconds} s through nginx (ran {elapsed:.0f} s)")
    print(f"{'request':<52} {'requests':>9} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for row in rows:
        label = "all requests" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        print(f"{label[:52]:<52} {row['Request Count']:>9} {row['Failure Count']:>9} {row['50%']:>8} {row['95%']:>8}")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(f"throughput: {float(total['Requests/s']):.1f} requests/s")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and int(total["Failure Count"]):
        print("\nfailures:")
        for row in csv.DictReader(open(failures)):  # noqa: SIM115
            print(f"  {row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error'][:150]}")


if __name__ == "__main__":
    main()
