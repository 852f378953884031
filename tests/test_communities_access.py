"""The access matrix: every URL of the "communities" namespace, for every persona,
checked against DESIGN.md ("Who may do what").

The URL names are read from the resolver, so a new view without a row in EXPECTED
fails `test_every_url_has_a_row` until someone decides who may use it.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from communities import services
from communities.models import Community, Invitation, Stage
from tests.factories import CommunityFactory
from tests.matrix import LOGIN, OK, PERSONAS, REFUSED, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

# Columns, in order: anonymous, other_teacher, teacher, member, coordinator, principal,
# other_principal, staff, pengawas, dinas, other_dinas, other_pengawas. Supervisors read a
# community's figures on the school dashboard, never its pages (DESIGN.md: "counts only").
PERSONAL_PAGE = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
READ = row(LOGIN, 404, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404)
MANAGE_GET = row(LOGIN, 404, 403, 403, 200, 403, 404, 403, 404, 404, 404, 404)
MANAGE_POST = row(LOGIN, 404, 403, 403, OK, 403, 404, 403, 404, 404, 404, 404)
CONTRIBUTE_GET = row(LOGIN, 404, 403, 200, 200, 403, 404, 403, 404, 404, 404, 404)
CONTRIBUTE_POST = row(LOGIN, 404, 403, OK, OK, 403, 404, 403, 404, 404, 404, 404)

EXPECTED = {
    "mine": ("get", PERSONAL_PAGE),
    "mute": ("post", row(LOGIN, 404, OK, OK, OK, OK, 404, OK, 404, 404, 404, 404)),
    "directory": ("get", PERSONAL_PAGE),
    "found": ("get", PERSONAL_PAGE),
    # Public sign-up page; someone signed in already is sent to their dashboard.
    "invitation": ("get", row(200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "detail": ("get", READ),
    "found_goal": ("get", MANAGE_GET),
    "found_settings": ("get", MANAGE_GET),
    "edit": ("get", MANAGE_GET),
    "archive": ("post", MANAGE_POST),
    "members": ("get", READ),
    "invite": ("post", MANAGE_POST),
    # Members are told they are members already; staff have no school to join from.
    "request_join": ("post", row(LOGIN, 404, OK, REFUSED, REFUSED, OK, 404, 403, 404, 404, 404, 404)),
    # Only someone with a membership row may answer; members have no open invitation.
    "respond_invitation": ("post", row(LOGIN, 404, 403, REFUSED, REFUSED, 403, 404, 403, 404, 404, 404, 404)),
    # The fixture's coordinator is the only one, so may not leave.
    "leave": ("post", row(LOGIN, 404, 403, OK, REFUSED, 403, 404, 403, 404, 404, 404, 404)),
    "member_action": ("post", MANAGE_POST),
    "stage": ("get", READ),
    "stage_change": ("post", MANAGE_POST),
    "stage_endorse": ("post", row(LOGIN, 404, 403, 403, 403, OK, 404, 403, 404, 404, 404, 404)),
    "inform_principal": ("post", MANAGE_POST),
    "problems": ("get", READ),
    "problem_new": ("get", CONTRIBUTE_GET),
    "problem": ("get", READ),
    # The problem was raised by the coordinator: the member is not its author.
    "problem_edit": ("get", MANAGE_GET),
    "problem_support": ("post", CONTRIBUTE_POST),
    "problem_comment": ("post", CONTRIBUTE_POST),
    "problem_status": ("post", MANAGE_POST),
    "problem_focus": ("post", MANAGE_POST),
}

POST_DATA = {
    "archive": {"archived": "1"},
    "invite": {"email": "rekan.baru@smpn1.sch.id"},
    "respond_invitation": {"accept": "1"},
    "stage_change": {"to_stage": Stage.MERAWAT, "note": "Sudah berjalan setahun."},
    "problem_support": {"share": "1"},
    "problem_comment": {"body": "Di kelas saya juga."},
    "problem_status": {"status": "acting"},
    "problem_focus": {"focus": "1"},
}

# Which object a <uuid:uid> stands for, by URL name (problem otherwise).
UID_OF = {"member_action": "membership", "stage_endorse": "change"}


PATTERNS = patterns_of("communities")
COMMUNITY_SCOPED = sorted(name for name, pattern in PATTERNS.items() if "slug" in pattern.pattern.converters)


@pytest.fixture
def world(community, coordinator, member, problem, teacher, other_teacher, principal, other_principal, staff):
    return build_world(community, coordinator, member, problem)


def build_world(community, coordinator, member, problem):
    """The conftest community with every persona, a stage change to endorse and an
    open sign-up invitation."""
    change = services.stage_change(
        community=community, to_stage=Stage.MENUMBUHKAN, by=coordinator, note="Sudah tiga anggota aktif."
    )
    invitation = Invitation.objects.create(
        community=community, email="calon@smpn1.sch.id", school=community.home_school, invited_by=coordinator
    )
    return SimpleNamespace(
        community=community,
        problem=problem,
        change=change,
        invitation=invitation,
        membership=community.memberships.get(user=member),
    )


def url_for(name, world):
    converters = PATTERNS[name].pattern.converters
    kwargs = {}
    if "slug" in converters:
        kwargs["slug"] = world.community.slug
    if "uid" in converters:
        kwargs["uid"] = getattr(world, UID_OF.get(name, "problem")).uid
    if "token" in converters:
        kwargs["token"] = world.invitation.token
    if "action" in converters:
        kwargs["action"] = "promote"
    return reverse(f"communities:{name}", kwargs=kwargs)


KNOWN_BUGS = {}


def cases(names):
    return [
        pytest.param(name, persona, id=f"{name}-{persona}", marks=KNOWN_BUGS.get((name, persona), ()))
        for name in names
        for persona in PERSONAS
    ]


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


def test_every_row_covers_every_persona():
    for name, (method, statuses) in EXPECTED.items():
        assert method in ("get", "post"), name
        assert set(statuses) == set(PERSONAS), name


@pytest.mark.parametrize(("name", "persona"), cases(sorted(EXPECTED)))
def test_school_visible_community(name, persona, world, login, request):
    method, statuses = EXPECTED[name]
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url, POST_DATA.get(name))
    assert_outcome(response, statuses[persona], url)


# A members-only community hides itself from the school's teachers; its principal
# still sees it, and everyone else is treated as for a school-visible one.
EXPECTED_MEMBERS_ONLY = {
    name: (method, {**statuses, "teacher": 404})
    for name, (method, statuses) in EXPECTED.items()
    if name in COMMUNITY_SCOPED
}


@pytest.mark.parametrize(("name", "persona"), cases(sorted(EXPECTED_MEMBERS_ONLY)))
def test_members_only_community(name, persona, world, login, request):
    Community.objects.filter(pk=world.community.pk).update(visibility=Community.Visibility.MEMBERS)
    method, statuses = EXPECTED_MEMBERS_ONLY[name]
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url, POST_DATA.get(name))
    assert_outcome(response, statuses[persona], url)


def test_members_only_matrix_hides_from_teacher_but_not_principal():
    reads = [name for name in COMMUNITY_SCOPED if EXPECTED[name][1] is READ]
    assert reads
    for name in reads:
        assert EXPECTED_MEMBERS_ONLY[name][1]["teacher"] == 404
        assert EXPECTED_MEMBERS_ONLY[name][1]["principal"] == 200


POST_ONLY = sorted(name for name, (method, _) in EXPECTED.items() if method == "post")


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_post_only_view_is_405(name, world, coordinator, login):
    assert login(coordinator).get(url_for(name, world)).status_code == 405


def test_unknown_member_action_is_404(world, coordinator, login):
    url = reverse("communities:member_action", args=[world.community.slug, world.membership.uid, "delete"])
    assert login(coordinator).post(url).status_code == 404


@pytest.mark.parametrize("name", ["detail", "members", "problems", "stage"])
def test_public_community_is_readable_by_another_school(name, other_school, other_teacher, login):
    public = CommunityFactory(visibility=Community.Visibility.PUBLIC)
    assert public.home_school != other_school
    response = login(other_teacher).get(reverse(f"communities:{name}", args=[public.slug]))
    assert response.status_code == 200
    assert public.name in response.content.decode()


def test_public_within_school_community_refuses_join_from_another_school(other_teacher, login):
    public = CommunityFactory(visibility=Community.Visibility.PUBLIC, kind=Community.Kind.WITHIN_SCHOOL)
    response = login(other_teacher).post(reverse("communities:request_join", args=[public.slug]))
    assert response.status_code == 403
    assert not public.memberships.exists()


def test_directory_lists_only_what_the_viewer_may_see(world, other_teacher, teacher, login):
    hidden = CommunityFactory(name="Rahasia Guru", home_school=world.community.home_school, visibility="members")
    public = CommunityFactory(name="Terbuka Untuk Semua", visibility=Community.Visibility.PUBLIC)
    teacher_page = login(teacher).get(reverse("communities:directory")).content.decode()
    assert world.community.name in teacher_page
    assert public.name in teacher_page
    assert hidden.name not in teacher_page
    outsider_page = login(other_teacher).get(reverse("communities:directory")).content.decode()
    assert world.community.name not in outsider_page
    assert hidden.name not in outsider_page
    assert public.name in outsider_page
