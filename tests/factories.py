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


# Activities: the practice cycle. Photos are tiny JPEGs written straight to storage,
# bypassing the upload pipeline (tests of the pipeline upload through the service).

import hashlib  # noqa: E402
import io  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from PIL import Image  # noqa: E402


def jpeg_bytes(size=(8, 6), color=(120, 160, 200)):
    """A small, valid JPEG made by Pillow in memory."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


TINY_JPEG = jpeg_bytes()


class ActivityFactory(factory.django.DjangoModelFactory):
    """A planned meeting a week from now, two hours long."""

    class Meta:
        model = "activities.Activity"

    community = factory.SubFactory(CommunityFactory)
    kind = "meeting"
    title = factory.Sequence(lambda n: f"Pertemuan rutin {n + 1}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Perpustakaan sekolah"
    status = "planned"
    proposed_by = factory.SubFactory(UserFactory)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Attendance"

    activity = factory.SubFactory(ActivityFactory)
    user = factory.SubFactory(UserFactory)
    status = "present"


class ActionPlanFactory(factory.django.DjangoModelFactory):
    """Due in two weeks, owned (and written down) by `owner`, in the problem's community."""

    class Meta:
        model = "activities.ActionPlan"

    problem = factory.SubFactory(ProblemFactory)
    community = factory.SelfAttribute("problem.community")
    what = factory.Sequence(lambda n: f"Mencoba membaca berpasangan, langkah {n + 1}")
    owner = factory.SubFactory(UserFactory)
    due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    status = "planned"
    created_by = factory.SelfAttribute("owner")


class ReflectionFactory(factory.django.DjangoModelFactory):
    """A free-text reflection on a held activity; pass activity=None with action_plan=...
    or stage_change=... to reflect on something else."""

    class Meta:
        model = "activities.Reflection"

    activity = factory.SubFactory(ActivityFactory, status="held")
    action_plan = None
    stage_change = None
    community = factory.LazyAttribute(lambda o: (o.activity or o.action_plan or o.stage_change).community)
    author = factory.SubFactory(UserFactory)
    template = "free"
    answers = factory.LazyFunction(lambda: {"text": "Siswa lebih berani membaca di depan kelas."})


class ProductFactory(factory.django.DjangoModelFactory):
    """A product whose author is whoever added it, unless authors=[...] is given."""

    class Meta:
        model = "activities.Product"
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Modul ajar membaca {n + 1}")
    description = "Modul untuk kelas 2."
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            self.authors.set(extracted if extracted is not None else [self.created_by])


class DocumentFactory(factory.django.DjangoModelFactory):
    """A photo of an activity (or of a product: pass activity=None, product=...), with a
    real tiny JPEG and thumbnail in storage."""

    class Meta:
        model = "activities.Document"

    activity = factory.SubFactory(ActivityFactory)
    product = None
    community = factory.LazyAttribute(lambda o: (o.activity or o.product).community)
    kind = "photo"
    file = factory.LazyFunction(lambda: ContentFile(TINY_JPEG, name="foto.jpg"))
    thumbnail = factory.LazyFunction(lambda: ContentFile(TINY_JPEG, name="thumb.jpg"))
    original_name = "foto.jpg"
    content_type = "image/jpeg"
    size = len(TINY_JPEG)
    sha256 = hashlib.sha256(TINY_JPEG).hexdigest()
    width = 8
    height = 6
    uploaded_by = factory.SubFactory(UserFactory)


# Publishing: what a community chose to make public.


def held_activity(community, **kwargs):
    """An activity of `community` held two days ago."""
    start = timezone.now() - timedelta(days=2)
    defaults = {"status": "held", "starts_at": start, "ends_at": start + timedelta(hours=2)}
    return ActivityFactory(community=community, **{**defaults, **kwargs})


class PublicationFactory(factory.django.DjangoModelFactory):
    """A published publication of a held activity. Pass activity=None with product=... or
    reflection=... for another source, status=... for another state, photos=[...]."""

    class Meta:
        model = "publishing.Publication"
        skip_postgeneration_save = True

    activity = factory.SubFactory(
        ActivityFactory,
        status="held",
        starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=2)),
    )
    product = None
    reflection = None
    community = factory.LazyAttribute(lambda o: (o.activity or o.product or o.reflection).community)
    title = factory.Sequence(lambda n: f"Cerita praktik baik {n + 1}")
    summary = "Kami mencoba membaca berpasangan; siswa lebih percaya diri."
    status = "published"
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == "published" else None)
    published_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def photos(self, create, extracted, **kwargs):
        if create and extracted:
            self.photos.set(extracted)


# Schools: stage changes and the principal's feedback.


class StageChangeFactory(factory.django.DjangoModelFactory):
    """merintis -> menumbuhkan, not endorsed. Does not move community.stage: set it too
    when the test needs them to agree."""

    class Meta:
        model = "communities.StageChange"

    community = factory.SubFactory(CommunityFactory)
    from_stage = "merintis"
    to_stage = "menumbuhkan"
    changed_by = factory.SubFactory(UserFactory)
    note = "Kami sudah bertemu rutin dan siap menumbuhkan komunitas."


class FeedbackFactory(factory.django.DjangoModelFactory):
    """A feedback thread on the community by a principal of its home school."""

    class Meta:
        model = "schools.Feedback"

    community = factory.SubFactory(CommunityFactory)
    author = factory.SubFactory(PrincipalFactory, school=factory.SelfAttribute("..community.home_school"))
    body = "Terima kasih atas dokumentasinya. Bagaimana hasilnya untuk siswa?"
