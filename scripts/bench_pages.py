"""Server time and queries of the busiest pages, at a school with 50 communities.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python scripts/bench_pages.py

Builds, in a throwaway test database, one school with 50 communities of 8 members, each
with six months of fortnightly meetings (attendance, a photo record, reflections), action
plans and a publication; then times each page through the test client (no network, no
browser) and prints the median and 90th percentile of 20 requests and the query count.
Prints numbers; it is not a test.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

COMMUNITIES = 50
MEMBERS = 8
MEETINGS = 12  # fortnightly for six months
RUNS = 20


def build():
    from activities.models import ActionPlan, Activity, Attendance, Document, Reflection
    from communities.models import Community, Membership, Problem
    from kompra.accounts.models import School, User
    from publishing.models import Publication

    now = timezone.now()
    school = School.objects.create(
        npsn="29990002", name="SMA Negeri 9 Uji", level="sma", district="Sleman", province="DIY"
    )
    principal = User.objects.create(email="kepsek@uji.sch.id", full_name="Kepala Uji", school=school, role="principal")
    teachers = User.objects.bulk_create(
        User(email=f"guru{i}@uji.sch.id", full_name=f"Guru Uji {i:03d}", school=school) for i in range(COMMUNITIES * 4)
    )
    first = None
    for c in range(COMMUNITIES):
        community = Community.objects.create(
            name=f"Komunitas Uji {c + 1:02d}",
            concern="Siswa belum lancar membaca.",
            goal="Semua siswa lancar membaca.",
            norms="Tepat waktu.",
            rhythm_weeks=2,
            home_school=school,
            stage=["merintis", "menumbuhkan", "merawat"][c % 3],
            visibility="public",
        )
        members = [teachers[(c * 4 + k) % len(teachers)] for k in range(MEMBERS)]
        Membership.objects.bulk_create(
            Membership(user=u, community=community, role="coordinator" if k == 0 else "member", joined_at=now)
            for k, u in enumerate(members)
        )
        problem = Problem.objects.create(community=community, title="Membaca pemahaman", raised_by=members[0])
        activities = Activity.objects.bulk_create(
            Activity(
                community=community,
                problem=problem,
                title=f"Pertemuan {m + 1}",
                starts_at=now - timedelta(days=14 * m + 1),
                ends_at=now - timedelta(days=14 * m + 1) + timedelta(hours=1),
                status="held",
                proposed_by=members[0],
                minutes="Kami berbagi praktik.",
            )
            for m in range(MEETINGS)
        )
        Attendance.objects.bulk_create(
            Attendance(activity=a, user=u, status="present") for a in activities for u in members
        )
        Document.objects.bulk_create(
            Document(
                community=community,
                activity=a,
                kind="photo",
                file=f"documents/{community.pk}/{a.pk}.jpg",
                thumbnail=f"documents/{community.pk}/thumbs/{a.pk}.jpg",
                original_name="foto.jpg",
                content_type="image/jpeg",
                size=1000,
                sha256="0" * 64,
                uploaded_by=members[0],
            )
            for a in activities
        )
        Reflection.objects.bulk_create(
            Reflection(community=community, author=u, activity=a, template="free", answers={"text": "Baik."})
            for a in activities
            for u in members[1:3]
        )
        ActionPlan.objects.create(
            community=community,
            problem=problem,
            what="Mencoba",
            owner=members[0],
            created_by=members[0],
            due=now.date(),
        )
        Publication.objects.create(
            community=community,
            activity=activities[0],
            title="Hasil kami",
            summary="Ringkasan",
            published_by=members[0],
            published_at=now,
        )
        if first is None:
            first = (community, members[0], activities[0])
    return school, principal, first


def measure(client, address):
    client.get(address)  # warm: session, templates, translations
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(address)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return statistics.median(seconds) * 1000, seconds[int(RUNS * 0.9) - 1] * 1000, len(queries)


def main():
    from publishing.models import Publication

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        school, principal, (community, coordinator, activity) = build()
        print(f"setup: {COMMUNITIES} communities x {MEETINGS} meetings in {time.perf_counter() - started:.1f} s")
        as_principal, as_coordinator, anonymous = Client(), Client(), Client()
        as_principal.force_login(principal)
        as_coordinator.force_login(coordinator)
        publication = Publication.objects.filter(community=community).first()
        pages = [
            ("school dashboard (50 communities)", as_principal, f"/sekolah/{school.npsn}/"),
            ("school report", as_principal, f"/sekolah/{school.npsn}/laporan/"),
            ("personal dashboard", as_coordinator, "/dasbor/"),
            ("community overview", as_coordinator, community.get_absolute_url()),
            ("stage page (readiness)", as_coordinator, f"/k/{community.slug}/tahap/"),
            ("activity page", as_coordinator, activity.get_absolute_url()),
            ("activity list", as_coordinator, f"/k/{community.slug}/kegiatan/"),
            ("gallery", as_coordinator, f"/k/{community.slug}/dokumentasi/"),
            ("directory", as_principal, "/komunitas/direktori/"),
            ("public showcase", anonymous, "/publik/"),
            ("public school page", anonymous, f"/publik/sekolah/{school.npsn}/"),
            ("public publication", anonymous, publication.get_absolute_url()),
        ]
        print(f"{'page':36} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
        for label, client, address in pages:
            median, p90, count = measure(client, address)
            print(f"{label:36} {median:10.1f} {p90:8.1f} {count:8d}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
