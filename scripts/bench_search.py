"""Search at 500 schools' worth of content, and the supervisor dashboard at 50 and 500 schools.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kompra_bench \\
    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python scripts/bench_search.py

Builds, in a throwaway test database, 500 schools of one district (tests/builders.py:
4 communities each, 10 activities per community with agendas and minutes, reflections,
problems, products, publications), indexes them with `search_rebuild`, then times
searches through the test client (no network, no browser) for a teacher, a principal,
the district's dinas and a site admin, and the supervision dashboard for a pengawas of 50
schools and the dinas of all 500. Prints the median (p50) and 95th percentile (p95) and
the query count. Meant for PostgreSQL, which production runs; on SQLite it says so and
runs anyway. `--schools N` makes a smaller run.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

QUERIES = [
    "membaca",
    "literasi",
    "pembelajaran siswa",
    "asesmen formatif",
    "narasumber",
    "kelas tujuh",
    "berhitung",
    "projek orang tua",
    "refleksi hasil aksi",
    "modul ajar",
    "peta konsep",
    "tidakadadimanapun",
]
SEARCH_RUNS = 3  # each query, per persona
DASHBOARD_RUNS = 5


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(client, address, params=None, runs=1):
    client.get(address, params)  # warm: session, templates, translations
    connection.queries_log.clear()  # each request clears it as it starts, too
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, params)
    count = len(queries)  # now: the next request clears the log it reads
    assert response.status_code == 200, (address, params, response.status_code)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(address, params)
        seconds.append((time.perf_counter() - started) * 1000)
    return seconds, count


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=500)
    args = parser.parse_args()

    from communities.models import Membership
    from kompra.accounts.models import User
    from tests.builders import DISTRICT, PROVINCE, build_district

    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if connection.vendor != "postgresql":
        print(f"Note: running on {connection.vendor}; the figures that count are PostgreSQL's (set DATABASE_URL).")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        district = build_district(args.schools, communities_per_school=4, activities_per_community=10)
        built = time.perf_counter() - started
        started = time.perf_counter()
        call_command("search_rebuild", stdout=io.StringIO())
        indexed = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # Fresh bulk inserts have no planner statistics yet; a live database has them
            # (autovacuum), and without them PostgreSQL picks nested loops over 2,000 rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        from search.models import SearchEntry

        print(
            f"setup: {args.schools} schools, {len(district.communities)} communities, "
            f"{SearchEntry.objects.count()} search entries; built in {built:.1f} s, indexed in {indexed:.1f} s"
        )

        teacher = Membership.objects.filter(role="member").select_related("user").first().user
        principal = district.principals[0]
        dinas = User.objects.create(
            email="disdik@uji.go.id",
            full_name="Disdik Uji",
            role=User.Role.DINAS,
            office_district=DISTRICT,
            office_province=PROVINCE,
        )
        pengawas = User.objects.create(email="pengawas@uji.go.id", full_name="Pengawas Uji", role=User.Role.PENGAWAS)
        pengawas.supervised_schools.set(district.schools[:50])
        admin = User.objects.create(email="admin@uji.go.id", full_name="Admin", is_staff=True)

        print(f"\nsearch (/cari/), {len(QUERIES)} queries x {SEARCH_RUNS} runs per person")
        print(f"{'person':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
        everyone = []
        for label, user in (
            ("teacher (member)", teacher),
            ("principal", principal),
            ("dinas (sees public only)", dinas),
            ("site admin (sees all)", admin),
        ):
            client = client_for(user)
            seconds, counts = [], set()
            for query in QUERIES:
                times, count = timed(client, "/cari/", {"q": query}, runs=SEARCH_RUNS)
                seconds += times
                counts.add(count)
            everyone += seconds
            spread = "/".join(str(c) for c in sorted(counts))
            print(
                f"{label:28} {percentile(seconds, 0.5):8.1f} {percentile(seconds, 0.95):8.1f} "
                f"{max(seconds):8.1f} {spread:>8}"
            )
        print(f"{'all searches':28} {percentile(everyone, 0.5):8.1f} {percentile(everyone, 0.95):8.1f}")

        print(f"\nsupervision dashboard (/pengawasan/), {DASHBOARD_RUNS} runs")
        print(f"{'who':28} {'schools':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for label, user, schools in (
            ("pengawas", pengawas, min(50, args.schools)),
            ("dinas", dinas, args.schools),
        ):
            seconds, count = timed(client_for(user), "/pengawasan/", runs=DASHBOARD_RUNS)
            print(
                f"{label:28} {schools:8d} {percentile(seconds, 0.5):8.1f} {percentile(seconds, 0.95):8.1f} {count:8d}"
            )
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
