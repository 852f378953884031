"""Many schools' worth of community life, made fast with bulk_create: for the supervisor
dashboard's tests (figures against direct counts, query counts at 5 and 50 schools) and
for scripts/bench_search.py (500 schools).

Deterministic: the same arguments give the same rows, so figures can be checked."""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from activities.models import ActionPlan, Activity, Attendance, Document, Product, Reflection
from communities.models import Community, Membership, Problem, Stage, StageChange
from kompra.accounts.models import School, User
from publishing.models import Publication
from schools.models import Feedback

DISTRICT = "Kabupaten Uji"
PROVINCE = "Provinsi Uji"

# Words teachers write about, with their Indonesian affixes, so search sees real word forms.
TOPICS = [
    ("membaca pemahaman", "Siswa membaca lancar tetapi belum memahami bacaan."),
    ("numerasi kelas awal", "Siswa cemas setiap pelajaran berhitung dimulai."),
    ("pembelajaran berdiferensiasi", "Guru ingin mengajar sesuai kebutuhan belajar siswa."),
    ("asesmen formatif", "Penilaian belum dipakai untuk memperbaiki pengajaran."),
    ("literasi digital", "Siswa mencari informasi tanpa memeriksa sumbernya."),
    ("projek penguatan profil pelajar", "Projek kelas belum melibatkan orang tua."),
    ("disiplin positif", "Kelas ramai dan guru kewalahan menegur siswa."),
    ("menulis narasi", "Tulisan siswa pendek dan tidak runtut."),
]
MINUTES = [
    "Setiap guru menceritakan pengalaman mengajar minggu ini. Kesepakatan: mencoba peta konsep.",
    "Narasumber berbagi praktik baik membacakan cerita bergambar; anggota mendiskusikan penerapannya.",
    "Kami merefleksikan hasil aksi dan menyusun rencana pembelajaran berikutnya bersama.",
    "Anggota membandingkan hasil asesmen siswa dan memilih masalah prioritas.",
]
ANSWERS = [
    "Siswa lebih berani bertanya ketika belajar berkelompok.",
    "Saya belajar bahwa pertanyaan terbuka membantu pemahaman bacaan.",
    "Pembelajaran terasa lebih hidup dengan permainan berhitung.",
    "Saya akan menerapkan lembar refleksi di kelas tujuh.",
]


@dataclass
class District:
    schools: list
    principals: list
    teachers: list  # per school, a list
    communities: list


def build_district(
    n_schools,
    *,
    communities_per_school=3,
    activities_per_community=8,
    teachers_per_school=5,
    npsn_start=30000000,
    district=DISTRICT,
    province=PROVINCE,
    seed=1,
):
    """`n_schools` SMPs of one district, each with its principal, teachers and
    communities at every stage; each community with members, a problem and an action
    plan, activities over the last year (held, some documented and reflected on, some
    planned or cancelled), a product, stage changes forward and back, feedback and a
    publication for some."""
    rnd = random.Random(seed)
    now = timezone.now()
    password = make_password(None)
    schools = School.objects.bulk_create(
        School(
            npsn=f"{npsn_start + i:08d}",
            name=f"SMP Negeri {i + 1} {district.split()[-1]}",
            level=School.Level.SMP,
            district=district,
            province=province,
        )
        for i in range(n_schools)
    )
    principals = User.objects.bulk_create(
        User(
            email=f"kepsek{school.npsn}@uji.sch.id",
            full_name=f"Kepala {school.npsn}",
            school=school,
            role=User.Role.PRINCIPAL,
            password=password,
        )
        for school in schools
    )
    people = User.objects.bulk_create(
        User(
            email=f"guru{k}.{school.npsn}@uji.sch.id",
            full_name=f"Guru {k} {school.npsn}",
            school=school,
            password=password,
        )
        for school in schools
        for k in range(teachers_per_school)
    )
    teachers = [people[i * teachers_per_school : (i + 1) * teachers_per_school] for i in range(n_schools)]

    community_rows = []
    for i, school in enumerate(schools):
        for c in range(communities_per_school):
            topic, concern = TOPICS[(i + c) % len(TOPICS)]
            community_rows.append(
                Community(
                    slug=f"k-{school.npsn}-{c}",
                    name=f"Komunitas {topic} {school.npsn}-{c}",
                    concern=concern,
                    goal=f"Meningkatkan {topic} di kelas.",
                    rhythm_weeks=rnd.choice([1, 2, 3, 4]),
                    home_school=school,
                    stage=Stage.values[(i + c) % 3],
                    visibility=[Community.Visibility.SCHOOL, Community.Visibility.MEMBERS, Community.Visibility.PUBLIC][
                        c % 3
                    ],
                    archived=(c == communities_per_school - 1 and i % 7 == 6),
                    created_at=now - timedelta(days=400 - (i % 30)),
                )
            )
    communities = Community.objects.bulk_create(community_rows)
    school_index = {school.pk: i for i, school in enumerate(schools)}

    memberships, problems = [], []
    for position, community in enumerate(communities):
        staff = teachers[school_index[community.home_school_id]]
        size = 1 + position % len(staff)  # some communities have a single member
        for k, teacher in enumerate(staff[:size]):
            memberships.append(
                Membership(
                    user=teacher,
                    community=community,
                    role=Membership.Role.COORDINATOR if k == 0 else Membership.Role.MEMBER,
                    joined_at=now - timedelta(days=300),
                )
            )
        topic = community.name.split(" ", 1)[1].rsplit(" ", 1)[0]
        problems.append(
            Problem(community=community, title=f"Masalah {topic}", description=community.concern, raised_by=staff[0])
        )
    Membership.objects.bulk_create(memberships)
    problems = Problem.objects.bulk_create(problems)

    activity_rows = []
    for position, community in enumerate(communities):
        staff = teachers[school_index[community.home_school_id]]
        for n in range(activities_per_community):
            start = now - timedelta(days=2 + n * (360 // activities_per_community) + position % 5)
            status = Activity.Status.HELD
            if n == 0 and position % 4 == 0:
                start, status = now + timedelta(days=5), Activity.Status.PLANNED
            elif n % 5 == 4:
                status = Activity.Status.CANCELLED
            activity_rows.append(
                Activity(
                    community=community,
                    problem=problems[position],
                    title=f"Pertemuan {n + 1}: {problems[position].title.lower()}",
                    agenda="1. Cerita dari kelas\n2. Diskusi strategi mengajar\n3. Kesepakatan",
                    minutes=MINUTES[(position + n) % len(MINUTES)] if status == Activity.Status.HELD else "",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    status=status,
                    proposed_by=staff[0],
                )
            )
    activities = Activity.objects.bulk_create(activity_rows)
    held = [a for a in activities if a.status == Activity.Status.HELD]
    by_community = {}
    for activity in activities:
        by_community.setdefault(activity.community_id, []).append(activity)

    Attendance.objects.bulk_create(
        Attendance(activity=a, user=a.proposed_by, status=Attendance.Status.PRESENT) for a in held
    )
    Document.objects.bulk_create(
        Document(
            community_id=a.community_id,
            activity=a,
            kind=Document.Kind.FILE,
            file="documents/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=a.proposed_by,
        )
        for a in held[::2]
    )
    Reflection.objects.bulk_create(
        Reflection(
            community_id=a.community_id,
            activity=a,
            author=a.proposed_by,
            template=Reflection.Template.FREE,
            answers={"text": ANSWERS[k % len(ANSWERS)]},
            in_reports=k % 2 == 0,
        )
        for k, a in enumerate(held[::3])
    )
    ActionPlan.objects.bulk_create(
        ActionPlan(
            community_id=problem.community_id,
            problem=problem,
            what="Mencoba strategi baru di kelas",
            owner=problem.raised_by,
            created_by=problem.raised_by,
            due=timezone.localdate() + timedelta(days=-5 if k % 2 else 10),
        )
        for k, problem in enumerate(problems)
    )
    products = Product.objects.bulk_create(
        Product(
            community_id=problem.community_id,
            title=f"Modul ajar {problem.title.removeprefix('Masalah ').lower()}",
            description="Lembar kerja dan panduan guru untuk kelas tujuh.",
            created_by=problem.raised_by,
        )
        for problem in problems
    )
    Product.authors.through.objects.bulk_create(
        Product.authors.through(product_id=product.pk, user_id=product.created_by_id) for product in products
    )

    changes = []
    for position, community in enumerate(communities):
        staff = teachers[school_index[community.home_school_id]]
        if community.stage != Stage.MERINTIS:
            changes.append(
                StageChange(
                    community=community,
                    from_stage=Stage.previous(community.stage),
                    to_stage=community.stage,
                    changed_by=staff[0],
                    note="Sudah siap.",
                    created_at=now - timedelta(days=20 + position % 500),
                    endorsed_by=principals[school_index[community.home_school_id]] if position % 2 else None,
                    endorsed_at=now if position % 2 else None,
                )
            )
        elif position % 5 == 0:  # slipped back from growing
            changes.append(
                StageChange(
                    community=community,
                    from_stage=Stage.MENUMBUHKAN,
                    to_stage=Stage.MERINTIS,
                    changed_by=staff[0],
                    note="Lama tidak bertemu.",
                    created_at=now - timedelta(days=40 + position % 200),
                )
            )
    StageChange.objects.bulk_create(changes)
    Feedback.objects.bulk_create(
        Feedback(
            community=community,
            author=principals[school_index[community.home_school_id]],
            body="Terima kasih atas dokumentasinya.",
        )
        for community in communities[::2]
    )
    Publication.objects.bulk_create(
        Publication(
            community_id=a.community_id,
            activity=a,
            title=f"Praktik baik: {a.title.split(': ', 1)[-1]}",
            summary="Guru mencoba strategi baru dan siswa lebih percaya diri.",
            published_by=a.proposed_by,
            published_at=now,
        )
        for a in held[::7]
    )
    return District(schools=schools, principals=principals, teachers=teachers, communities=communities)
