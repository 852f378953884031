"""Query counts of the practice-cycle pages, measured on the same data at 1x and 10x:
a count that grows with the rows shown is an N+1 query. Each page's count is also
pinned, so a new query is a decision, not an accident."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import count

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActionPlan, Activity, Attendance, Document, Product, Reflection
from communities.models import Community, Membership, Problem, ProblemComment
from kompra.accounts.models import School, User
from tests.conftest import client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SMALL = 1
LARGE = 10  # every count below is multiplied by this

_worlds = count(1)


@dataclass
class World:
    viewer: User  # coordinates the community, and was present everywhere
    community: Community
    activity: Activity  # the busy one whose page is measured
    problem: Problem
    membership: Membership  # the viewer's, whose member page is measured


def build(scale):
    """A community at `scale`: 10*scale activities (a fifth of them upcoming, the rest
    held) and 5*scale members. The busy activity has every member's attendance and
    reflection and 3*scale photos and files; the problem has 2*scale action plans,
    linked activities and products, and comments; the viewer has things to reflect on
    and actions due. Rows go in with bulk_create; documents point at files that are
    never read (the pages link to them, they do not open them)."""
    n = next(_worlds)
    now = timezone.now()
    password = make_password(PASSWORD)
    school = School.objects.create(
        npsn=f"{40000000 + n:08d}", name=f"SD Negeri {n} Uji", level="sd", district="Sleman", province="DIY"
    )
    viewer = User.objects.create(email=f"viewer.q{n}@uji.sch.id", full_name="Vina Koordinator", school=school)
    members = User.objects.bulk_create(
        User(email=f"guru{i}.q{n}@uji.sch.id", full_name=f"Guru {i:03d}", password=password, school=school)
        for i in range(5 * scale - 1)
    )
    people = [viewer, *members]
    community = Community.objects.create(
        slug=f"q{n}-komunitas", name=f"Komunitas {n}", concern="Membaca.", rhythm_weeks=2, home_school=school
    )
    Membership.objects.bulk_create(
        Membership(
            user=person, community=community, role="coordinator" if person == viewer else "member", joined_at=now
        )
        for person in people
    )
    problem = Problem.objects.create(community=community, title="Siswa belum lancar membaca", raised_by=viewer)
    ProblemComment.objects.bulk_create(
        ProblemComment(problem=problem, author=person, body=f"Komentar {i}") for i, person in enumerate(people[:10])
    )

    def activity(i, *, held):
        start = now - timedelta(days=i + 1) if held else now + timedelta(days=i % 10 + 1)
        return Activity(
            community=community,
            title=f"Kegiatan {i:03d}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            status=Activity.Status.HELD if held else Activity.Status.PLANNED,
            proposed_by=people[i % len(people)],
            problem=problem if i % 5 == 0 else None,
            place="Perpustakaan",
        )

    held = Activity.objects.bulk_create(activity(i, held=True) for i in range(8 * scale))
    Activity.objects.bulk_create(activity(i, held=False) for i in range(2 * scale))
    busy = held[0]
    Attendance.objects.bulk_create(
        [Attendance(activity=busy, user=person, status="present") for person in people]
        + [Attendance(activity=a, user=viewer, status="present") for a in held[1:]]
    )
    Reflection.objects.bulk_create(
        Reflection(community=community, activity=busy, author=person, template="free", answers={"text": "Bermakna."})
        for person in people[1:]
    )

    def document(i, **where):
        return Document(
            community=community,
            kind="photo" if i % 3 else "file",
            file=f"documents/{community.pk}/{n}-{i}.jpg",
            thumbnail=f"documents/{community.pk}/thumbs/{n}-{i}.jpg" if i % 3 else "",
            original_name=f"foto-{i}.jpg",
            content_type="image/jpeg",
            size=100,
            sha256="0" * 64,
            caption=f"Foto {i}",
            uploaded_by=people[i % len(people)],
            created_at=now - timedelta(minutes=i),
            **where,
        )

    Document.objects.bulk_create(document(i, activity=busy) for i in range(3 * scale))
    products = Product.objects.bulk_create(
        Product(community=community, activity=busy, title=f"Karya {i}", created_by=viewer) for i in range(2 * scale)
    )
    Product.authors.through.objects.bulk_create(
        Product.authors.through(product=p, user=people[i % len(people)]) for i, p in enumerate(products)
    )
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(
            community=community,
            problem=problem,
            what=f"Aksi {i}",
            owner=people[i % len(people)],
            due=timezone.localdate() + timedelta(days=i - 1),
            created_by=viewer,
        )
        for i in range(2 * scale)
    )
    Reflection.objects.bulk_create(
        Reflection(community=community, action_plan=plan, author=viewer, template="free", answers={"text": "Jalan."})
        for plan in plans
    )
    products = Product.objects.bulk_create(
        Product(community=community, title=f"Karya {i}", problem=problem, created_by=people[i % len(people)])
        for i in range(2 * scale)
    )
    Product.authors.through.objects.bulk_create(
        Product.authors.through(product=product, user=people[(i + k) % len(people)])
        for i, product in enumerate(products)
        for k in range(2)
    )
    Document.objects.bulk_create(document(1000 + i, product=product) for i, product in enumerate(products))
    membership = community.memberships.get(user=viewer)
    return World(viewer=viewer, community=community, activity=busy, problem=problem, membership=membership)


PAGES = {
    "activity": lambda w: w.activity.get_absolute_url(),
    "activity_list": lambda w: reverse("activities:list", args=[w.community.slug]),
    "gallery": lambda w: reverse("activities:gallery", args=[w.community.slug]),
    "problem": lambda w: w.problem.get_absolute_url(),
    "dashboard": lambda w: reverse("dashboard"),
    "reflections": lambda w: reverse("activities:reflections", args=[w.community.slug]),
    "products": lambda w: reverse("activities:products", args=[w.community.slug]),
    "member_profile": lambda w: reverse("activities:member_profile", args=[w.community.slug, w.membership.uid]),
}

# Measured at both sizes (1x vs 10x). The pin is the count of a page that no longer grows.
# Every page of a community reads the community, its school and the viewer's membership
# first, in one read (communities/access.py).
PINNED = {
    "activity_list": 7,  # with the member's calendar address
    "dashboard": 12,  # the activities part: three queries; feedback to answer: one; calendar address: one
    "products": 5,
    "activity": 12,  # with the feedback threads on the activity and the products made from it
    "gallery": 5,
    "problem": 12,
    "reflections": 6,
    "member_profile": 6,  # the member, their products and reflections (each with its community)
}


N_PLUS_ONE = {}


def queries(world, page):
    client = client_for(world.viewer)
    address = PAGES[page](world)
    # Pages are kept for the minute (kompra/ops/pagecache.py): a warm-up and a measure on
    # both sides of a minute's turn would count a fresh rendering; then measure again.
    for _ in range(2):
        minute = timezone.now().replace(second=0, microsecond=0)
        client.get(address)  # warm up: session, translations, the kept page
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        if timezone.now().replace(second=0, microsecond=0) == minute:
            break
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_every_page_is_pinned():
    assert set(PAGES) == set(PINNED)
    assert set(N_PLUS_ONE) <= set(PAGES)


@pytest.mark.parametrize("page", [pytest.param(p, marks=N_PLUS_ONE.get(p, ())) for p in sorted(PAGES)])
def test_query_count_does_not_grow_with_data(page, django_assert_max_num_queries):
    small, large = build(SMALL), build(LARGE)
    counts = (queries(small, page), queries(large, page))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries at 1x, {counts[1]} at 10x"
    client = client_for(large.viewer)
    client.get(PAGES[page](large))
    with django_assert_max_num_queries(PINNED[page]):
        client.get(PAGES[page](large))
