"""Notices at scale: fanning one activity out to a community, building weekly digests,
and the task worker's delivery rate.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python scripts/bench_notify.py

In a throwaway test database (SQLite by default; DATABASE_URL picks PostgreSQL):
1. the time to plan one activity in a 40-member community, which tells every member
   (the real service call: notices, preferences, mutes and the queued email task);
2. the time and queries to build and send 5,000 weekly digests (people in 125
   communities with meetings, actions, problems and publications), with queries per
   person at 1,000 and at 5,000 people to show they do not grow;
3. the worker (`db_worker`'s own loop, in this process) delivering 10,000 notices, one
   queued delivery each, emails to memory.
Prints numbers; it is not a test.
"""

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

FANOUT_MEMBERS = 40
FANOUT_RUNS = 20
DIGEST_PEOPLE = 5_000
COMMUNITY_SIZE = 40
DELIVERIES = 10_000


def school(npsn):
    from kompra.accounts.models import School

    return School.objects.create(npsn=npsn, name=f"Sekolah {npsn}", level="smp", district="Sleman", province="DIY")


def people(prefix, n, home):
    from kompra.accounts.models import User

    return User.objects.bulk_create(
        User(email=f"{prefix}{i}@uji.sch.id", full_name=f"Guru {prefix} {i:05d}", school=home) for i in range(n)
    )


def community_of(home, members, name):
    from communities.models import Community, Membership

    community = Community.objects.create(name=name, concern="Membaca.", home_school=home)
    Membership.objects.bulk_create(
        Membership(user=u, community=community, role="coordinator" if i == 0 else "member", joined_at=timezone.now())
        for i, u in enumerate(members)
    )
    return community


def bench_fanout():
    from activities.models import Activity
    from activities.services import activity_save

    members = people("f", FANOUT_MEMBERS, school("29990101"))
    community = community_of(members[0].school, members, "Komunitas Sebar")
    times, queries = [], 0
    for run in range(FANOUT_RUNS):
        start = timezone.now() + timedelta(days=3 + run)
        activity = Activity(
            community=community,
            title=f"Pertemuan {run}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            proposed_by=members[0],
        )
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            activity_save(activity=activity, by=members[0])
            times.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
    print(
        f"fan-out of one activity to {FANOUT_MEMBERS} members: median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms, {queries} queries"
    )


def build_digest_world(n):
    from activities.models import ActionPlan, Activity
    from communities.models import Problem
    from publishing.models import Publication

    home = school("29990202")
    everyone = people("d", n, home)
    now = timezone.now()
    for c, start in enumerate(range(0, n, COMMUNITY_SIZE)):
        members = everyone[start : start + COMMUNITY_SIZE]
        community = community_of(home, members, f"Komunitas Digest {c:04d}")
        problem = Problem.objects.create(community=community, raised_by=members[0], title=f"Masalah {c}")
        meetings = Activity.objects.bulk_create(
            Activity(
                community=community,
                title=f"Rapat {c}-{k}",
                starts_at=now + timedelta(days=k - 1),
                ends_at=now + timedelta(days=k - 1, hours=2),
                proposed_by=members[0],
                status="held" if k == 0 else "planned",
            )
            for k in range(3)
        )
        ActionPlan.objects.bulk_create(
            ActionPlan(
                community=community,
                problem=problem,
                what="Langkah kecil",
                owner=m,
                due=now.date() + timedelta(days=3),
                created_by=members[0],
            )
            for m in members[:5]
        )
        Publication.objects.create(
            community=community,
            title=f"Karya {c}",
            summary="Ringkas.",
            published_by=members[0],
            status="published",
            published_at=now - timedelta(days=1),
            activity=meetings[0],
        )
    return everyone


def bench_digests():
    from django.core import mail

    from notices.digest import CHUNK, digest_send

    everyone = build_digest_world(DIGEST_PEOPLE)
    per_person = {}
    for size, week in ((1_000, date(2026, 6, 1)), (DIGEST_PEOPLE, date(2026, 6, 8))):
        mail.outbox = []
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            sent = sum(digest_send(users=everyone[i : i + CHUNK], week=week) for i in range(0, size, CHUNK))
            elapsed = time.perf_counter() - began
        per_person[size] = len(captured) / size
        print(
            f"{size:>5} digests: {elapsed:.2f} s ({elapsed / size * 1000:.2f} ms each), {sent} sent, "
            f"{len(captured)} queries ({len(captured) / size:.3f} per person)"
        )
    return per_person


def bench_worker():
    from django_tasks_db.management.commands.db_worker import Worker

    from notices.services import notice_send

    recipients = people("w", DELIVERIES, school("29990303"))
    began = time.perf_counter()
    for person in recipients:
        notice_send(kind="activity_cancelled", to=person, about=person, url="/", title="Kegiatan dibatalkan")
    queued = time.perf_counter() - began
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench",
        excluded_queue_names=[],
    )
    # In-memory SQLite lives in this connection: keep the worker from closing it.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        began = time.perf_counter()
        worker.run()
        elapsed = time.perf_counter() - began
    print(
        f"worker: {DELIVERIES} notices written in {queued:.1f} s; delivered (one task each, email included) in "
        f"{elapsed:.1f} s = {DELIVERIES / elapsed:.0f} notices/s"
    )


def main():
    import logging

    logging.disable(logging.WARNING)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor}")
        bench_fanout()
        bench_digests()
        bench_worker()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
