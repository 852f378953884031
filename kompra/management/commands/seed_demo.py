from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kompra.accounts.models import School, User

DEMO_PASSWORD = "kompra-demo-2026"

# The literacy community meets every other Thursday after school, as its norms say; the
# demo schools are in WIB. Meetings fall on those days, whatever the time of seeding.
DEMO_ZONE = ZoneInfo("Asia/Jakarta")
MEETING_DAY = ("Kamis", 3)  # its name in the norms, and its weekday number (Monday is 0)
MEETING_STARTS, MEETING_ENDS = time(13, 30), time(15, 0)
MEETING_EVERY_WEEKS = 2

SCHOOLS = [
    {
        "npsn": "20400123",
        "name": "SMP Negeri 1 Sleman",
        "level": School.Level.SMP,
        "district": "Kabupaten Sleman",
        "province": "DI Yogyakarta",
        "domain": "smpn1sleman.sch.id",
        "principal": "Dra. Sri Wahyuni, M.Pd.",
        "teachers": ["Budi Santoso", "Ani Rahmawati", "Dewi Lestari", "Eko Prasetyo", "Fitri Handayani"],
    },
    {
        "npsn": "20533456",
        "name": "SD Negeri Kauman 2 Malang",
        "level": School.Level.SD,
        "district": "Kota Malang",
        "province": "Jawa Timur",
        "domain": "sdnkauman2.sch.id",
        "principal": "Hadi Purnomo, S.Pd.",
        "teachers": ["Indah Permatasari", "Joko Widodo Susilo", "Kartika Sari", "Lukman Hakim"],
    },
    {
        "npsn": "20401234",
        "name": "SD Negeri Caturtunggal 1",
        "level": School.Level.SD,
        "district": "Kabupaten Sleman",
        "province": "DI Yogyakarta",
        "domain": "sdncaturtunggal1.sch.id",
        "principal": "Yuni Astuti, S.Pd.",
        "teachers": ["Gita Puspitasari", "Hendra Gunawan", "Irma Suryani", "Kurniawati Dewi"],
    },
]

# Supervisors of the Sleman schools: a pengawas an admin assigned two of them, and the
# district's education office, which oversees its PAUD, SD and SMP schools.
PENGAWAS = {
    "email": "pengawas@disdiksleman.go.id",
    "full_name": "Drs. Agus Salim, M.Pd.",
    "schools": ["20400123", "20401234"],
}
DINAS = {
    "email": "dinas@disdiksleman.go.id",
    "full_name": "Dinas Pendidikan Kabupaten Sleman",
    "district": "Kabupaten Sleman",
    "province": "DI Yogyakarta",
}


def _demo_photo():
    """A small classroom-coloured JPEG, so the demo gallery has something to show."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (235, 228, 210))
    draw = ImageDraw.Draw(image)
    for row in range(3):
        for col in range(4):
            x, y = 60 + col * 180, 120 + row * 150
            draw.rectangle([x, y, x + 120, y + 80], fill=(120 + 30 * col, 90 + 40 * row, 60))
            draw.ellipse([x + 40, y - 50, x + 80, y - 10], fill=(90, 60, 40))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _meeting_days(now, *, held, upcoming):
    """Dates of the demo meetings, every MEETING_EVERY_WEEKS weeks on MEETING_DAY: `held`
    of them up to the last such day whose meeting is over by `now`, then `upcoming`."""
    local = now.astimezone(DEMO_ZONE)
    last = local.date() - timedelta(days=(local.weekday() - MEETING_DAY[1]) % 7)
    if _at(last, MEETING_ENDS) > now:
        last -= timedelta(weeks=1)
    step = timedelta(weeks=MEETING_EVERY_WEEKS)
    return [last - step * n for n in range(held - 1, -1, -1)], [last + step * n for n in range(1, upcoming + 1)]


def _at(day, clock):
    return datetime.combine(day, clock, tzinfo=DEMO_ZONE)


def _email(name, domain):
    return f"{name.split()[0].lower()}@{domain}"


class Command(BaseCommand):
    help = "Creates demo schools and people (idempotent). Refuses to run with DEBUG off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs in development (DJANGO_DEBUG=true): it creates accounts with a published password."
            )
        with transaction.atomic():
            logins = self.seed()
            self.seed_communities()
            self.seed_supervision()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo account: ") + DEMO_PASSWORD)
        for label, email in logins:
            self.stdout.write(f"  {label:<38} {email}")

    def seed(self):
        logins = [("site admin", self._person("admin@kompra.localhost", "Admin Kompra", None, staff=True))]
        for data in SCHOOLS:
            school, _ = School.objects.update_or_create(
                npsn=data["npsn"],
                defaults={k: data[k] for k in ("name", "level", "district", "province")},
            )
            email = self._person(_email("kepsek", data["domain"]), data["principal"], school, principal=True)
            logins.append((f"principal, {school.name}", email))
            for name in data["teachers"]:
                email = self._person(_email(name, data["domain"]), name, school)
                logins.append((f"teacher, {school.name}", email))
        email = self._person(PENGAWAS["email"], PENGAWAS["full_name"], None, role=User.Role.PENGAWAS)
        User.objects.get(email=email).supervised_schools.set(School.objects.filter(npsn__in=PENGAWAS["schools"]))
        logins.append(("pengawas (school supervisor)", email))
        email = self._person(
            DINAS["email"],
            DINAS["full_name"],
            None,
            role=User.Role.DINAS,
            office_district=DINAS["district"],
            office_province=DINAS["province"],
        )
        logins.append((f"dinas pendidikan, {DINAS['district']}", email))
        return logins

    def seed_communities(self):
        """Two communities at different stages, so every page has something to show."""
        from communities import services
        from communities.models import Community, Membership, Problem

        if Community.objects.filter(slug="literasi-membaca-kelas-7").exists():
            return
        people = {u.email.split("@")[0]: u for u in User.objects.filter(school__npsn="20400123")}
        community = services.community_found(
            founder=people["budi"],
            name="Literasi Membaca Kelas 7",
            concern="Banyak siswa kelas 7 membaca dengan lancar tetapi **belum memahami** isi bacaan.",
        )
        Community.objects.filter(pk=community.pk).update(
            goal="Pada akhir semester, siswa kelas 7 mampu merangkum bacaan dengan kata-kata sendiri.",
            norms="Bertemu tepat waktu; setiap anggota membawa satu cerita dari kelasnya; saling menghargai.",
            rhythm_weeks=MEETING_EVERY_WEEKS,
            rhythm_note=f"{MEETING_DAY[0]} setelah pulang sekolah, di perpustakaan",
            aim_share="Berbagi kesulitan siswa memahami bacaan",
            aim_apply="Mencoba strategi membaca di kelas masing-masing",
        )
        for name in ("ani", "dewi", "eko"):
            Membership.objects.create(user=people[name], community=community, joined_at=community.created_at)
        problem = services.problem_raise(
            community=community,
            by=people["ani"],
            title="Siswa sulit menemukan gagasan utama paragraf",
            description="Saat diminta menuliskan gagasan utama, sebagian besar siswa menyalin kalimat pertama.",
        )
        problem.supporters.add(people["budi"], people["dewi"])
        services.problem_set_focus(problem=problem, focus=True)
        Problem.objects.filter(pk=problem.pk).update(status=Problem.Status.ACTING)
        # As if the coordinator had used "Inform the principal" (which sends an email).
        Community.objects.filter(pk=community.pk).update(principal_informed_at=community.created_at)
        community.refresh_from_db()
        change = services.stage_change(
            community=community,
            to_stage="menumbuhkan",
            by=people["budi"],
            note="Empat anggota aktif, kesepakatan sudah ditulis dan masalah pertama sudah dipilih.",
        )
        services.stage_endorse(change=change, by=people["kepsek"])
        Membership.objects.create(user=people["fitri"], community=community, status=Membership.Status.REQUESTED)
        self.seed_practice(community, people, problem)
        self.seed_evidence(community, people)

        sd = {u.email.split("@")[0]: u for u in User.objects.filter(school__npsn="20533456")}
        numerasi = services.community_found(
            founder=sd["indah"],
            name="Numerasi Menyenangkan",
            concern="Siswa kelas 3 cemas setiap kali pelajaran matematika dimulai.",
        )
        Membership.objects.create(user=sd["kartika"], community=numerasi, joined_at=numerasi.created_at)

    def seed_supervision(self):
        """A young community at the Sleman SD, so the supervisors see more than one school,
        and a pengawas's note to the SMP's principal with her reply."""
        from datetime import timedelta

        from django.utils import timezone

        from activities.models import Activity, Attendance
        from communities import services
        from communities.models import Community, Membership
        from supervision.models import SchoolFeedback

        if Community.objects.filter(slug="bermain-sambil-berhitung").exists():
            return
        people = {u.email.split("@")[0]: u for u in User.objects.filter(school__npsn="20401234")}
        community = services.community_found(
            founder=people["gita"],
            name="Bermain Sambil Berhitung",
            concern="Siswa kelas 1 dan 2 cepat bosan saat belajar berhitung.",
        )
        Membership.objects.create(user=people["hendra"], community=community, joined_at=community.created_at)
        start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=10)
        meeting = Activity.objects.create(
            community=community,
            title="Berbagi permainan berhitung dengan benda konkret",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            place="Ruang kelas 2",
            status=Activity.Status.HELD,
            proposed_by=people["gita"],
            minutes="Kami mencoba permainan toko-tokoan untuk belajar penjumlahan.",
        )
        Attendance.objects.create(activity=meeting, user=people["hendra"], status=Attendance.Status.PRESENT)

        pengawas = User.objects.get(email=PENGAWAS["email"])
        principal = User.objects.get(email=_email("kepsek", SCHOOLS[0]["domain"]))
        school = School.objects.get(npsn=SCHOOLS[0]["npsn"])
        thread = SchoolFeedback.objects.create(
            school=school,
            author=pengawas,
            body="Komunitas literasi berjalan rutin. Apakah hasil peta konsep bisa dibagikan di KKG kecamatan?",
        )
        SchoolFeedback.objects.create(
            school=school,
            reply_to=thread,
            author=principal,
            body="Bisa, Pak. Kami siapkan untuk pertemuan bulan depan.",
        )

    def seed_practice(self, community, people, problem):
        """A few months of practice: meetings with attendance, a photo, minutes,
        reflections, an action plan carried out, a product, a publication and feedback."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from activities import services as practice
        from activities.models import ActionPlan, Activity, Attendance, Reflection
        from publishing.services import publication_create
        from schools.models import Feedback

        now = timezone.now()
        coordinator, members = people["budi"], [people["ani"], people["dewi"], people["eko"]]
        titles = (
            "Mengenal strategi membaca",
            "Berbagi praktik peta konsep",
            "Merumuskan aksi: gagasan utama",
            "Refleksi hasil aksi",
        )
        held_days, (next_day,) = _meeting_days(now, held=len(titles), upcoming=1)
        held = []
        for day, title in zip(held_days, titles, strict=True):
            activity = Activity.objects.create(
                community=community,
                problem=problem,
                title=title,
                starts_at=_at(day, MEETING_STARTS),
                ends_at=_at(day, MEETING_ENDS),
                place="Perpustakaan sekolah",
                status=Activity.Status.HELD,
                proposed_by=coordinator,
                agenda="1. Cerita dari kelas\n2. Diskusi strategi\n3. Kesepakatan",
                minutes="Setiap guru menceritakan satu pengalaman. **Kesepakatan:** mencoba peta konsep.",
            )
            for person in [coordinator, *members]:
                Attendance.objects.create(activity=activity, user=person, status=Attendance.Status.PRESENT)
            held.append(activity)
        practice.document_add_many(
            community=community,
            by=coordinator,
            activity=held[1],
            caption="Siswa menyusun peta konsep",
            shows_students=True,
            consent_confirmed=True,
            files=[SimpleUploadedFile("kelas.jpg", _demo_photo())],
        )
        for activity in held[1:]:
            for author in members[:2]:
                Reflection.objects.create(
                    community=community,
                    author=author,
                    activity=activity,
                    template="4p",
                    in_reports=True,
                    value=Reflection.Value.APPLIED,
                    answers={
                        "peristiwa": "Siswa berdiskusi dalam kelompok kecil.",
                        "pembelajaran": "Peta konsep membantu siswa melihat gagasan utama.",
                        "penerapan": "Saya akan memakainya di kelas 7B.",
                    },
                )
        ActionPlan.objects.create(
            community=community,
            problem=problem,
            owner=people["ani"],
            created_by=coordinator,
            what="Mencoba peta konsep di dua kelas dan membawa hasil kerja siswa.",
            due=(now - timedelta(weeks=3)).date(),
            status=ActionPlan.Status.DONE,
            completed_at=now - timedelta(weeks=2),
            outcome="Sebagian besar siswa dapat menuliskan gagasan utama dengan kata sendiri.",
        )
        ActionPlan.objects.create(
            community=community,
            problem=problem,
            owner=coordinator,
            created_by=coordinator,
            what="Menyusun lembar kerja peta konsep bersama.",
            due=(now + timedelta(days=5)).date(),
        )
        Activity.objects.create(
            community=community,
            problem=problem,
            title="Pertemuan rutin: berbagi hasil kerja siswa",
            starts_at=_at(next_day, MEETING_STARTS),
            ends_at=_at(next_day, MEETING_ENDS),
            place="Perpustakaan sekolah",
            proposed_by=coordinator,
        )
        publication_create(
            community=community,
            by=coordinator,
            source=held[1],
            title="Peta konsep untuk menemukan gagasan utama",
            summary="Empat guru kelas 7 mencoba peta konsep agar siswa menemukan gagasan utama bacaan.",
            photo_uids=[d.uid for d in held[1].documents.all()],
        )
        Feedback.objects.create(
            community=community,
            author=people["kepsek"],
            body="Terima kasih, dokumentasinya rapi. Bagaimana kalau hasilnya dibagikan di rapat guru?",
        )

    def seed_evidence(self, community, people):
        """NIPs, a certificate waiting for the principal and a shared personal portfolio."""
        from evidence.models import Certificate, PortfolioShare

        User.objects.filter(pk=people["kepsek"].pk).update(nip="197204151998031005")
        User.objects.filter(pk=people["budi"].pk).update(nip="198503152010011002", nuptk="1234567890123456")
        today = timezone.localdate()
        Certificate.objects.create(
            community=community,
            holder=people["ani"],
            start=today - timedelta(days=90),
            end=today,
            requested_by=people["budi"],
        )
        PortfolioShare.objects.create(owner=people["ani"], start=today - timedelta(days=180), end=today)

    def _person(self, email, full_name, school, *, principal=False, staff=False, role=None, **office):
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "school": school,
                "role": role or (User.Role.PRINCIPAL if principal else User.Role.TEACHER),
                "is_staff": staff,
                "is_superuser": staff,
                **office,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return email
