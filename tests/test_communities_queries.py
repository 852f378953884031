"""Query counts of the busiest pages, pinned, and the same for 10x the data: a count
that grows with the rows shown is an N+1 query."""

from dataclasses import dataclass
from itertools import count

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Invitation, Membership, Problem, ProblemComment, Stage, StageChange
from kompra.accounts.models import School, User
from tests.factories import PASSWORD

SMALL = (20, 5)  # communities, members per community
LARGE = (200, 50)  # 10x both

_worlds = count(1)


@dataclass
class World:
    viewer: User
    community: Community  # the one whose pages are measured; the viewer coordinates it
    n_communities: int
    n_members: int


def build(n_communities, n_members):
    """A school with `n_communities` communities of `n_members` active members each.

    The viewer belongs to all of them: coordinator of every other one, invited to a tenth.
    Every community has join requests, pending sign-up links, problems with supporters
    and comments, stage changes (some endorsed), all growing with `n_members`; another
    school adds public communities to the directory. Rows go in with bulk_create.
    """
    world = next(_worlds)
    password = make_password(PASSWORD)
    school = School.objects.create(
        npsn=f"{30000000 + world:08d}", name=f"SMP Negeri {world} Uji", level="smp", district="Sleman", province="DIY"
    )
    elsewhere = School.objects.create(
        npsn=f"{31000000 + world:08d}",
        name=f"SMP Negeri {world} Tetangga",
        level="smp",
        district="Bantul",
        province="DIY",
    )

    def people(prefix, n, **extra):
        return User.objects.bulk_create(
            User(
                email=f"{prefix}{i}.w{world}@uji.sch.id", full_name=f"{prefix.title()} {i}", password=password, **extra
            )
            for i in range(n)
        )

    viewer = User.objects.create(email=f"viewer.w{world}@uji.sch.id", full_name="Vina Pengamat", school=school)
    principal = User.objects.create(
        email=f"kepsek.w{world}@uji.sch.id", full_name="Kepala", school=school, role=User.Role.PRINCIPAL
    )
    others = people("guru", n_members - 1, school=school)
    requesters = people("calon", max(1, n_members // 10), school=school)

    communities = Community.objects.bulk_create(
        Community(
            slug=f"w{world}-komunitas-{i}",
            name=f"Komunitas {i:03d}",
            concern="Siswa belum lancar membaca.",
            goal="Lancar membaca.",
            norms="Saling menghargai.",
            rhythm_weeks=2,
            home_school=school,
        )
        for i in range(n_communities)
    )
    Community.objects.bulk_create(
        Community(
            slug=f"w{world}-terbuka-{i}",
            name=f"Terbuka {i:03d}",
            concern="Berbagi praktik baik.",
            home_school=elsewhere,
            kind=Community.Kind.ACROSS_SCHOOLS,
            visibility=Community.Visibility.PUBLIC,
        )
        for i in range(max(1, n_communities // 10))
    )

    now = timezone.now()
    memberships = []
    invited_from = n_communities - n_communities // 10
    for index, community in enumerate(communities):
        if index >= invited_from:
            memberships.append(Membership(user=viewer, community=community, status=Membership.Status.INVITED))
        else:
            role = Membership.Role.COORDINATOR if index % 2 == 0 else Membership.Role.MEMBER
            memberships.append(Membership(user=viewer, community=community, role=role, joined_at=now))
        for position, person in enumerate(others):
            role = Membership.Role.COORDINATOR if position == 0 else Membership.Role.MEMBER
            memberships.append(Membership(user=person, community=community, role=role, joined_at=now))
        memberships.extend(
            Membership(user=person, community=community, status=Membership.Status.REQUESTED) for person in requesters
        )
    Membership.objects.bulk_create(memberships)
    Invitation.objects.bulk_create(
        Invitation(community=community, email=f"baru{i}.w{world}@uji.sch.id", school=school, invited_by=viewer)
        for community in communities
        for i in range(max(1, n_members // 10))
    )

    n_problems = max(2, n_members // 5)
    problems = Problem.objects.bulk_create(
        Problem(
            community=community,
            title=f"Masalah {i}",
            description="**Siswa** sulit memahami bacaan.",
            raised_by=others[i % len(others)],
            status=Problem.Status.values[i % 3],
            is_focus=i == 0,
        )
        for community in communities
        for i in range(n_problems)
    )
    Supporter = Problem.supporters.through
    Supporter.objects.bulk_create(
        Supporter(problem=problem, user=person) for problem in problems for person in others[: max(3, n_members // 5)]
    )
    ProblemComment.objects.bulk_create(
        ProblemComment(problem=problem, author=others[i % len(others)], body=f"Komentar {i}")
        for problem in problems
        for i in range(2)
    )

    # Back and forth, ending where it started (merintis): 2 changes, or 10 for 10x.
    n_changes = 2 * max(1, n_members // 10)
    StageChange.objects.bulk_create(
        StageChange(
            community=community,
            from_stage=Stage.MERINTIS if i % 2 == 0 else Stage.MENUMBUHKAN,
            to_stage=Stage.MENUMBUHKAN if i % 2 == 0 else Stage.MERINTIS,
            changed_by=viewer,
            note=f"Catatan {i}",
            evidence="https://contoh.sch.id/bukti",
            endorsed_by=principal if i % 3 == 0 else None,
            endorsed_at=now if i % 3 == 0 else None,
        )
        for community in communities
        for i in range(n_changes)
    )
    return World(viewer=viewer, community=communities[0], n_communities=n_communities, n_members=n_members)


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Both data sets, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build(*SMALL), build(*LARGE)
        transaction.set_rollback(True)


def test_build_makes_what_it_says(worlds, db):
    for world in worlds:
        community = world.community
        assert Community.objects.filter(home_school=community.home_school).count() == world.n_communities
        assert community.memberships.active().count() == world.n_members
        assert community.memberships.coordinators().filter(user=world.viewer).exists()
        assert community.problems.count() == max(2, world.n_members // 5)
        assert community.stage_changes.count() == 2 * max(1, world.n_members // 10)


# Pages measured as the viewer, each with its pinned maximum: the count measured on
# SMALL (and equal on LARGE). Every count includes the session and the user (2), and
# the bell's unread count (1, on a cold cache). The overview adds whether the viewer
# muted the community (1); the dashboard
# the calendar address (1). Pages
# that other apps extend (overview, stage, dashboard) count those apps' queries too: a
# new section or readiness fact provider moves the pin, an N+1 breaks the equality.
# mine 3: + the viewer's memberships with their communities and counts (measured with
#   the card bug below fixed; the page crashes until then).
# directory 7: + the viewer's school, the count of visible communities, one page of them
#   (with member counts), the viewer's memberships among them.
# detail 12: + community with its school and the viewer's membership, focus, member counts (3); the activities
#   app's overview sections add the rest (the focus problem's cycle, activity lists).
# members 5: + community with its school and the viewer's membership, memberships with users and schools,
#   pending sign-up links.
# problems 4: + community with its school and the viewer's membership, problems with counts.
# stage 12: + community with its school and the viewer's membership, stage changes, and the readiness fact
#   providers (8 today, a fixed number whatever the number of indicators).
# dashboard 11: + the viewer's school, my communities, invitations, join requests, and
#   the activities app's sections; on this cold cache, +1 for the data versions of the
#   viewer's communities, the key under which all of these are kept (on a warm cache the
#   page runs none of them: tests/test_freshness.py).
PAGES = {
    "mine": (lambda w: reverse("communities:mine"), 5),
    "directory": (lambda w: reverse("communities:directory"), 7),
    "detail": (lambda w: w.community.get_absolute_url(), 15),
    "members": (lambda w: reverse("communities:members", args=[w.community.slug]), 6),
    "problems": (lambda w: reverse("communities:problems", args=[w.community.slug]), 5),
    "stage": (lambda w: reverse("communities:stage", args=[w.community.slug]), 14),
    "dashboard": (lambda w: reverse("dashboard"), 14),
}

BUGS = {}


@pytest.mark.parametrize("page", [pytest.param(name, marks=BUGS.get(name, ())) for name in PAGES])
def test_query_count_does_not_grow_with_data(page, worlds, db, django_assert_max_num_queries):
    path_of, pinned = PAGES[page]
    counts = []
    for world in worlds:
        client = Client()
        client.force_login(world.viewer)
        path = path_of(world)
        with django_assert_max_num_queries(pinned) as captured:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(captured))
    small, large = counts
    assert small == large, f"{page}: {small} queries for {SMALL}, {large} for {LARGE}"
