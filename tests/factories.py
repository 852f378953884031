"""Small builders with sensible defaults for tests."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from kompra.accounts.models import School, User

PASSWORD = "kata-sandi-uji-123"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ["npsn"]

    npsn = factory.Sequence(lambda n: f"{20100000 + n:08d}")
    name = factory.Sequence(lambda n: f"SMP Negeri {n + 1} Contoh")
    level = School.Level.SMP
    district = "Kabupaten Sleman"
    province = "DI Yogyakarta"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"guru{n}@sekolah.sch.id")
    full_name = factory.Faker("name", locale="id_ID")
    school = factory.SubFactory(SchoolFactory)
    role = User.Role.TEACHER

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        # allauth requires a verified address to sign in (mandatory verification).
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class PrincipalFactory(UserFactory):
    role = User.Role.PRINCIPAL


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communities.Community"

    name = factory.Sequence(lambda n: f"Komunitas Belajar {n + 1}")
    concern = "Banyak siswa kelas rendah belum lancar membaca."
    goal = "Semua siswa kelas 2 lancar membaca di akhir semester."
    norms = "Bertemu tepat waktu, saling menghargai, berbagi praktik nyata."
    rhythm_weeks = 3
    home_school = factory.SubFactory(SchoolFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communities.Membership"

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    role = "member"
    status = "active"
    joined_at = factory.LazyFunction(timezone.now)


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communities.Problem"

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Masalah bersama {n + 1}")
    description = "Siswa sulit memahami bacaan."
    raised_by = factory.SubFactory(UserFactory)
