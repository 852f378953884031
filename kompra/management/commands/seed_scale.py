"""A synthetic district for benchmarks: `manage.py seed_scale --scale N`.

1x is 5 schools x 10 communities x 8 members x 20 activities, each activity with
attendance, a photo record and two reflections, and a publication for every community;
Nx multiplies the schools. Everything is written with bulk_create, school by school, so
100x (500 schools, 100,000 activities, 640,000 attendance rows) takes minutes on SQLite
or PostgreSQL. Every person signs in with the password given by --password.

Not demo data (seed_demo is): the names are numbered, and the search index is not built
(run `manage.py search_rebuild` afterwards if the benchmark needs it).
"""

import time
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from activities.models import ActionPlan, Activity, Attendance, Document, Reflection
from communities.models import Community, Membership, Problem
from kompra.accounts.models import School, User
from publishing.models import Publication

SCHOOLS = 5
COMMUNITIES = 10  # per school
MEMBERS = 8  # per community
ACTIVITIES = 20  # per community: 16 held (fortnightly, before today), 4 planned
PLANNED = 4
TEACHERS = 40  # per school; each teacher belongs to about two communities
NPSN_BASE = 60_000_000
PASSWORD = "kompra-skala-2026"  # noqa: S105 - throwaway accounts of a benchmark database


def school_npsn(index):
    return str(NPSN_BASE + index)


def teacher_email(school, index):
    return f"guru{index:02d}@skala{school:04d}.sch.id"


def principal_email(school):
    return f"kepsek@skala{school:04d}.sch.id"


class Command(BaseCommand):
    help = "Builds a synthetic district (5 schools x N) for benchmarks, with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiplies the 5 schools of 1x (1, 10, 100)")
        parser.add_argument("--password", default=PASSWORD, help="everyone's password")
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")

    def handle(self, *args, scale, password, quiet, **options):
        if scale < 1 or scale > 1000:
            raise CommandError("--scale must be between 1 and 1000.")
        if School.objects.filter(npsn=school_npsn(0)).exists():
            raise CommandError("This database already holds a seeded district; use a fresh database.")
        started = time.monotonic()
        hashed = make_password(password)
        now = timezone.now()
        schools = SCHOOLS * scale
        for index in range(schools):
            with transaction.atomic():
                self._school(index, hashed, now)
            if not quiet and (index + 1) % max(1, schools // 10) == 0:
                self.stdout.write(f"{index + 1}/{schools} schools, {time.monotonic() - started:.0f} s")
        # Planner statistics (and on PostgreSQL the visibility map) for the new rows, as
        # autovacuum would gather them soon after a bulk load: measurements then see the
        # plans a settled database runs, and no autovacuum runs in the middle of them.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if not quiet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{schools} schools, {schools * COMMUNITIES} communities, "
                    f"{schools * COMMUNITIES * ACTIVITIES} activities in {time.monotonic() - started:.0f} s. "
                    f"Sign in as {teacher_email(0, 0)} (a coordinator) or {principal_email(0)} "
                    f"(the principal), password {password!r}."
                )
            )

    def _school(self, index, hashed, now):
        school = School.objects.create(
            npsn=school_npsn(index),
            name=f"SMP Negeri {index + 1} Skala",
            level="smp",
            district=f"Kabupaten Skala {index // 50 + 1}",
            province="Provinsi Skala",
        )
        people = User.objects.bulk_create(
            [
                User(
                    email=principal_email(index),
                    full_name=f"Kepala Sekolah {index + 1}",
                    short_name="Kepala",
                    school=school,
                    role=User.Role.PRINCIPAL,
                    password=hashed,
                )
            ]
            + [
                User(
                    email=teacher_email(index, n),
                    full_name=f"Guru {n + 1} Sekolah {index + 1}",
                    short_name=f"Guru {n + 1}",
                    school=school,
                    password=hashed,
                )
                for n in range(TEACHERS)
            ]
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=person, email=person.email, verified=True, primary=True) for person in people
        )
        teachers = people[1:]
        kinds = list(Community.Kind.values)
        visibilities = list(Community.Visibility.values)
        stages = ["merintis", "menumbuhkan", "merawat"]
        communities = Community.objects.bulk_create(
            Community(
                slug=f"skala-{index:04d}-{c:02d}",
                name=f"Komunitas {c + 1:02d} Sekolah {index + 1}",
                concern="Siswa belum lancar membaca pemahaman.",
                goal="Semua siswa lancar membaca pemahaman.",
                norms="Tepat waktu, saling mendengar.",
                rhythm_weeks=2,
                home_school=school,
                stage=stages[c % 3],
                kind=kinds[c % len(kinds)],
                # Half public, the rest school-wide or members only.
                visibility=visibilities[2] if c % 2 == 0 else visibilities[c % 4 // 2],
            )
            for c in range(COMMUNITIES)
        )
        crews = {
            community.pk: [teachers[(c * 4 + k) % TEACHERS] for k in range(MEMBERS)]
            for c, community in enumerate(communities)
        }
        Membership.objects.bulk_create(
            Membership(
                user=person,
                community=community,
                role=Membership.Role.COORDINATOR if k == 0 else Membership.Role.MEMBER,
                joined_at=now - timedelta(days=300),
            )
            for community in communities
            for k, person in enumerate(crews[community.pk])
        )
        problems = Problem.objects.bulk_create(
            Problem(
                community=community,
                title="Membaca pemahaman",
                description="Nilai membaca pemahaman rendah.",
                raised_by=crews[community.pk][0],
                is_focus=True,
            )
            for community in communities
        )
        activities = Activity.objects.bulk_create(
            Activity(
                community=community,
                problem=problem,
                title=f"Pertemuan {m + 1}",
                starts_at=now + timedelta(days=14 * (m - (ACTIVITIES - PLANNED)) + 1),
                ends_at=now + timedelta(days=14 * (m - (ACTIVITIES - PLANNED)) + 1, hours=2),
                status=Activity.Status.HELD if m < ACTIVITIES - PLANNED else Activity.Status.PLANNED,
                proposed_by=crews[community.pk][0],
                minutes="Kami berbagi praktik membaca bersama." if m < ACTIVITIES - PLANNED else "",
            )
            for community, problem in zip(communities, problems, strict=True)
            for m in range(ACTIVITIES)
        )
        held = [a for a in activities if a.status == Activity.Status.HELD]
        Attendance.objects.bulk_create(
            Attendance(activity=a, user=person, status="present" if k < 6 else "excused")
            for a in held
            for k, person in enumerate(crews[a.community_id])
        )
        Document.objects.bulk_create(
            Document(
                community_id=a.community_id,
                activity=a,
                kind="photo",
                file=f"documents/{a.community_id}/{a.pk}.jpg",
                thumbnail=f"documents/{a.community_id}/thumbs/{a.pk}.jpg",
                original_name="foto.jpg",
                content_type="image/jpeg",
                size=1000,
                sha256="0" * 64,
                uploaded_by=crews[a.community_id][0],
            )
            for a in held
        )
        Reflection.objects.bulk_create(
            Reflection(
                community_id=a.community_id,
                author=person,
                activity=a,
                template="free",
                answers={"text": "Saya mencoba strategi baru dan siswa lebih aktif."},
                in_reports=k == 1,
            )
            for a in held
            for k, person in enumerate(crews[a.community_id][1:3], start=1)
        )
        ActionPlan.objects.bulk_create(
            ActionPlan(
                community=community,
                problem=problem,
                what="Mencoba membaca berpasangan",
                owner=crews[community.pk][0],
                created_by=crews[community.pk][0],
                due=(now + timedelta(days=30)).date(),
            )
            for community, problem in zip(communities, problems, strict=True)
        )
        first_held = {}
        for a in held:
            first_held.setdefault(a.community_id, a)
        Publication.objects.bulk_create(
            Publication(
                community=community,
                activity=first_held[community.pk],
                title=f"Hasil {community.name}",
                summary="Membaca berpasangan menaikkan pemahaman siswa.",
                published_by=crews[community.pk][0],
                published_at=now - timedelta(days=index, minutes=c),
            )
            for c, community in enumerate(communities)
        )
