from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kompra.accounts.models import School, User

DEMO_PASSWORD = "kompra-demo-2026"

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
]


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
            rhythm_weeks=2,
            rhythm_note="Kamis setelah pulang sekolah, di perpustakaan",
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

        sd = {u.email.split("@")[0]: u for u in User.objects.filter(school__npsn="20533456")}
        numerasi = services.community_found(
            founder=sd["indah"],
            name="Numerasi Menyenangkan",
            concern="Siswa kelas 3 cemas setiap kali pelajaran matematika dimulai.",
        )
        Membership.objects.create(user=sd["kartika"], community=numerasi, joined_at=numerasi.created_at)

    def _person(self, email, full_name, school, *, principal=False, staff=False):
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "school": school,
                "role": User.Role.PRINCIPAL if principal else User.Role.TEACHER,
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return email
