"""How long a portfolio PDF and a whole-community export take for a busy community,
and a teacher's personal portfolio PDF for two years in three communities.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python scripts/bench_portfolio.py
    ... scripts/bench_portfolio.py --personal    # only the personal portfolio

Builds, in a throwaway test database and media folder, a community with 40 held
activities and 100 photos uploaded through the real pipeline (re-encoded, with
thumbnails), then times the PDF and the zip through the real views. Then a teacher
who spent two years in three communities (a meeting every two weeks in each, with a
reflection after most, products with a photo, actions and publications), and times
their personal portfolio PDF over those two years. Prints numbers; it is not a test
and asserts nothing beyond the responses being 200.
"""

import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

ACTIVITIES = 40
PHOTOS = 100
MEMBERS = 12
RUNS = 3


def photo(seed, size=(1280, 960)):
    """A JPEG with some structure, so the encoder has real work (not a flat colour)."""
    rng = random.Random(seed)  # noqa: S311 (test pictures, not secrets)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(20, 200)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def build():
    from activities import services
    from activities.models import Activity, Attendance, Reflection
    from communities.models import Community, Membership, Problem
    from kompra.accounts.models import School, User

    school = School.objects.create(
        npsn="29990001", name="SMP Negeri 9 Uji", level="smp", district="Sleman", province="DIY"
    )
    people = [
        User.objects.create(email=f"guru{i}@uji.sch.id", full_name=f"Guru Uji {i:02d}", school=school)
        for i in range(MEMBERS)
    ]
    coordinator = people[0]
    community = Community.objects.create(
        name="Komunitas Literasi Uji",
        concern="Banyak siswa kelas rendah belum lancar membaca.",
        goal="Semua siswa kelas 2 lancar membaca.",
        norms="Bertemu tepat waktu.",
        rhythm_weeks=2,
        home_school=school,
    )
    for i, person in enumerate(people):
        Membership.objects.create(
            user=person,
            community=community,
            role=Membership.Role.COORDINATOR if i == 0 else Membership.Role.MEMBER,
            joined_at=timezone.now(),
        )
    problem = Problem.objects.create(community=community, title="Siswa belum lancar membaca", raised_by=coordinator)
    now = timezone.now()
    activities = []
    for i in range(ACTIVITIES):
        starts = now - timedelta(days=4 * (i + 1), hours=2)
        activity = Activity.objects.create(
            community=community,
            title=f"Pertemuan {i + 1}: berbagi praktik membaca",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Perpustakaan",
            status=Activity.Status.HELD,
            problem=problem,
            minutes=f"## Hasil\n\n- Kami mencoba strategi {i + 1}.\n- **Tindak lanjut**: dicoba di kelas.\n",
            proposed_by=coordinator,
        )
        Attendance.objects.bulk_create(
            Attendance(activity=activity, user=person, status="present" if j % 4 else "excused")
            for j, person in enumerate(people)
        )
        Reflection.objects.create(
            community=community,
            author=people[1 + i % (MEMBERS - 1)],
            template="free",
            answers={"text": f"Refleksi pertemuan {i + 1}: siswa lebih berani membaca."},
            in_reports=True,
            activity=activity,
        )
        activities.append(activity)
    for n in range(PHOTOS):
        activity = activities[n % ACTIVITIES]
        upload = SimpleUploadedFile(f"foto-{n}.jpg", photo(n), content_type="image/jpeg")
        services.document_add_many(
            community=community, by=coordinator, activity=activity, files=[upload], caption=f"Foto {n + 1}"
        )
    return community, coordinator


PERSONAL_COMMUNITIES = 3
PERSONAL_DAYS = 730
PERSONAL_PRODUCTS = 8  # per community, each with one photo


def build_teacher():
    """A teacher two years in three communities; their colleagues' records alongside."""
    from activities import services
    from activities.models import ActionPlan, Activity, Attendance, Product, Reflection
    from communities.models import Community, Membership, Problem
    from kompra.accounts.models import School, User
    from publishing.models import Publication

    school = School.objects.create(
        npsn="29990002", name="SMP Negeri 10 Uji", level="smp", district="Sleman", province="DIY"
    )
    teacher = User.objects.create(
        email="tari@uji.sch.id", full_name="Tari Wulandari", school=school, nip="198503152010011002"
    )
    colleague = User.objects.create(email="rekan@uji.sch.id", full_name="Rekan Uji", school=school)
    now = timezone.now()
    started = now - timedelta(days=PERSONAL_DAYS)
    for c in range(PERSONAL_COMMUNITIES):
        community = Community.objects.create(
            name=f"Komunitas Pribadi Uji {c + 1}", concern="Membaca.", home_school=school, rhythm_weeks=2
        )
        for person, role in ((teacher, "coordinator" if c == 0 else "member"), (colleague, "member")):
            Membership.objects.create(user=person, community=community, role=role, joined_at=started)
        problem = Problem.objects.create(community=community, title=f"Masalah {c + 1}", raised_by=teacher)
        meetings = []
        for i in range(PERSONAL_DAYS // 14):
            starts = started + timedelta(days=14 * i + c, hours=7)
            meetings.append(
                Activity(
                    community=community,
                    title=f"Pertemuan {i + 1} komunitas {c + 1}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    status=Activity.Status.HELD,
                    proposed_by=teacher if i % 3 == 0 else colleague,
                )
            )
        meetings = Activity.objects.bulk_create(meetings)
        Attendance.objects.bulk_create(
            Attendance(activity=m, user=p, status="present" if (i + j) % 5 else "excused")
            for i, m in enumerate(meetings)
            for j, p in enumerate((teacher, colleague))
        )
        Reflection.objects.bulk_create(
            Reflection(
                community=community,
                author=p,
                template="free",
                answers={"text": f"Refleksi {i + 1}: siswa lebih berani membaca di depan kelas."},
                in_reports=i % 4 != 0,
                activity=m,
                created_at=m.ends_at,
            )
            for i, m in enumerate(meetings)
            if i % 3
            for p in (teacher, colleague)
        )
        ActionPlan.objects.bulk_create(
            ActionPlan(
                community=community,
                problem=problem,
                what=f"Aksi {i + 1}",
                owner=teacher,
                due=(started + timedelta(days=60 * i + 30)).date(),
                status="done",
                outcome="Siswa membaca 15 menit setiap pagi.",
                created_by=teacher,
            )
            for i in range(PERSONAL_DAYS // 60)
        )
        for n in range(PERSONAL_PRODUCTS):
            product = Product.objects.create(
                community=community,
                title=f"Modul {n + 1} komunitas {c + 1}",
                created_by=teacher,
                created_at=started + timedelta(days=90 * n + 10),
                activity=meetings[n * 6],
            )
            product.authors.set([teacher])
            upload = SimpleUploadedFile(f"modul-{c}-{n}.jpg", photo(1000 + 10 * c + n, (800, 600)), "image/jpeg")
            services.document_add_many(community=community, by=teacher, product=product, files=[upload])
            if n % 2 == 0:
                Publication.objects.create(
                    community=community,
                    product=product,
                    title=f"Publikasi modul {n + 1}",
                    summary="Ringkas.",
                    published_by=teacher,
                    published_at=product.created_at + timedelta(days=3),
                )
    return teacher


def bench_personal():
    from pypdf import PdfReader

    started = time.perf_counter()
    teacher = build_teacher()
    print(
        f"setup: a teacher {PERSONAL_DAYS // 365} years in {PERSONAL_COMMUNITIES} communities "
        f"in {time.perf_counter() - started:.1f} s"
    )
    client = Client()
    client.force_login(teacher)
    today = timezone.localdate()
    query = f"?dari={(today - timedelta(days=PERSONAL_DAYS)).isoformat()}&sampai={today.isoformat()}&bahasa=id"
    seconds, pdf = timed(client, reverse("evidence:mine_pdf") + query)
    reader = PdfReader(io.BytesIO(pdf))
    print(
        f"personal PDF: min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s "
        f"({RUNS} runs); {len(reader.pages)} pages, {len(embedded_images(reader))} images, {len(pdf) / 1024:.0f} KiB"
    )
    seconds, _page = timed(client, reverse("evidence:mine") + query)
    print(f"personal page: min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s ({RUNS} runs)")


def timed(client, address, runs=RUNS):
    seconds, body = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(address)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return seconds, body


def embedded_images(reader):
    """Distinct image objects (WeasyPrint lets every page share one resource dictionary)."""
    found = set()
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                found.add(ref.idnum)
    return found


def main():
    from pypdf import PdfReader

    setup_test_environment()
    media = tempfile.mkdtemp(prefix="kompra-bench-media-")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with override_settings(MEDIA_ROOT=media):
            if "--personal" in sys.argv:
                bench_personal()
                return
            started = time.perf_counter()
            community, coordinator = build()
            print(f"setup: {ACTIVITIES} activities, {PHOTOS} photos in {time.perf_counter() - started:.1f} s")

            client = Client()
            client.force_login(coordinator)
            today = timezone.localdate()
            query = f"?dari={(today - timedelta(days=180)).isoformat()}&sampai={today.isoformat()}&bahasa=id"
            pdf_url = reverse("reports:portfolio_pdf", args=[community.slug]) + query
            seconds, pdf = timed(client, pdf_url)
            reader = PdfReader(io.BytesIO(pdf))
            images = len(embedded_images(reader))
            print(
                f"PDF:  min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s "
                f"({RUNS} runs); {len(reader.pages)} pages, {images} images, {len(pdf) / 1024:.0f} KiB"
            )

            seconds, archive = timed(client, reverse("reports:archive", args=[community.slug]))
            print(
                f"zip:  min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s "
                f"({RUNS} runs); {len(archive) / 1024 / 1024:.1f} MiB"
            )
            bench_personal()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
