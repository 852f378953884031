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
