"""One school with 50 public communities of 8 members, each with six months of fortnightly
meetings (attendance, a photo record, reflections), action plans and a publication: the
data scripts/bench_phone.py serves to a phone. (scripts/bench_pages.py measures a whole
district built by `manage.py seed_scale`.) Call `build()` inside a test database."""

from datetime import timedelta

from django.utils import timezone

COMMUNITIES = 50
MEMBERS = 8
MEETINGS = 12  # fortnightly for six months


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
