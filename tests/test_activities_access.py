"""The access matrix: every URL of the "activities" namespace, for every persona,
checked against DESIGN.md ("Who may do what").

The URL names are read from the resolver, so a new view without a row in EXPECTED
fails `test_every_url_has_a_row` until someone decides who may use it. The calendar
feeds cannot sign in: the token in the address stands for the person, so their rows
say what the token of each persona opens, fetched without a session.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, CalendarToken
from communities.models import Community, Membership, StageChange
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProblemFactory,
    ProductFactory,
    ReflectionFactory,
    jpeg_bytes,
)
from tests.matrix import (
    LOGIN,
    OK,
    PERSONAS,
    SEES_COMMUNITY,
    SEES_PRIVATE,
    assert_outcome,
    call,
    patterns_of,
    row,
    visibility_cases,
)

pytestmark = pytest.mark.django_db

# Columns, in order: anonymous, other_teacher, teacher, member, coordinator, principal,
# other_principal, staff, pengawas, dinas, other_dinas, other_pengawas. Supervisors read a
# community's figures on the school dashboard, never its pages (DESIGN.md: "counts only").
PERSONAL_PAGE = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
PERSONAL_POST = row(LOGIN, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK)
READ = row(LOGIN, 404, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404)
CONTRIBUTE_GET = row(LOGIN, 404, 403, 200, 200, 403, 404, 403, 404, 404, 404, 404)
CONTRIBUTE_POST = row(LOGIN, 404, 403, OK, OK, 403, 404, 403, 404, 404, 404, 404)
# Coordinators only (in the world below, the coordinator proposed the activity).
MANAGE_GET = row(LOGIN, 404, 403, 403, 200, 403, 404, 403, 404, 404, 404, 404)
MANAGE_POST = row(LOGIN, 404, 403, 403, OK, 403, 404, 403, 404, 404, 404, 404)
# A reflection is its author's own words: only the author (here the member) edits it.
AUTHOR_GET = row(LOGIN, 404, 403, 200, 403, 403, 404, 403, 404, 404, 404, 404)
AUTHOR_POST = row(LOGIN, 404, 403, OK, 403, 403, 404, 403, 404, 404, 404, 404)
# Feeds, by whose token is in the address (anonymous: a token nobody has).
PERSON_FEED = row(404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
COMMUNITY_FEED = row(404, 404, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404)

FEEDS = {"calendar_person", "calendar_community"}

# name: (method, statuses). For views that show a form, the GET row; POST_EXPECTED
# below covers what they do with a submitted form.
EXPECTED = {
    "list": ("get", READ),
    "new": ("get", CONTRIBUTE_GET),
    "detail": ("get", READ),
    "edit": ("get", MANAGE_GET),
    "status": ("post", MANAGE_POST),
    "record_held": ("get", MANAGE_GET),
    "record_past": ("get", MANAGE_GET),
    "plan_series": ("get", MANAGE_GET),
    "minutes": ("get", MANAGE_GET),
    "check_in": ("post", CONTRIBUTE_POST),
    "attendance": ("get", MANAGE_GET),
    "attendance_print": ("get", READ),
    "upload": ("post", CONTRIBUTE_POST),
    "reflect_activity": ("get", CONTRIBUTE_GET),
    "reflection_dismiss": ("post", CONTRIBUTE_POST),
    "gallery": ("get", READ),
    "document": ("get", READ),
    "thumbnail": ("get", READ),
    # The member uploaded the document: the uploader or a coordinator deletes it.
    "document_delete": ("post", CONTRIBUTE_POST),
    "action_new": ("get", CONTRIBUTE_GET),
    "action": ("get", READ),
    "reflect_action": ("get", CONTRIBUTE_GET),
    "reflect_stage": ("get", CONTRIBUTE_GET),
    "reflections": ("get", READ),
    "reflection": ("get", READ),
    "reflection_edit": ("get", AUTHOR_GET),
    "products": ("get", READ),
    "product_new": ("get", CONTRIBUTE_GET),
    "product": ("get", READ),
    "product_upload": ("post", CONTRIBUTE_POST),
    "member_profile": ("get", READ),
    "calendar": ("get", PERSONAL_PAGE),
    "calendar_reset": ("post", PERSONAL_POST),
    "calendar_person": ("feed", PERSON_FEED),
    "calendar_community": ("feed", COMMUNITY_FEED),
}

# What the form views do with a valid submission.
POST_EXPECTED = {
    "new": CONTRIBUTE_POST,
    "edit": MANAGE_POST,
    "minutes": MANAGE_POST,
    "attendance": MANAGE_POST,
    "record_held": MANAGE_POST,
    "record_past": MANAGE_POST,
    "plan_series": MANAGE_POST,
    "reflect_activity": CONTRIBUTE_POST,
    "action_new": CONTRIBUTE_POST,
    # The member owns the action plan: the owner or a coordinator updates it.
    "action": CONTRIBUTE_POST,
    "reflect_action": CONTRIBUTE_POST,
    "reflect_stage": CONTRIBUTE_POST,
    "reflection_edit": AUTHOR_POST,
    "product_new": CONTRIBUTE_POST,
}

ACTIVITY_FORM = {
    "kind": "meeting",
    "title": "Berbagi praktik membaca nyaring",
    "starts_at": "2030-01-10T09:00",
    "ends_at": "2030-01-10T11:00",
    "place": "Ruang guru",
}


HELD_FORM = {"date": "2026-01-08", "starts": "13:30", "ends": "15:00", "minutes": "Membaca berpasangan."}


def post_data(name, world):
    data = {
        "status": {"status": Activity.Status.HELD},
        "new": ACTIVITY_FORM,
        "edit": ACTIVITY_FORM,
        "minutes": {"minutes": "Kami sepakat mencoba membaca berpasangan."},
        "attendance": {f"hadir-{world.member.pk}": "present", f"hadir-{world.coordinator.pk}": "excused"},
        "record_held": HELD_FORM,
        "record_past": {**HELD_FORM, "kind": "meeting", "title": "Pertemuan rutin Kamis"},
        "reflect_activity": {"model": "free", "text": "Saya belajar banyak."},
        "reflect_action": {"model": "free", "text": "Aksinya berjalan."},
        "reflect_stage": {"model": "free", "text": "Komunitas kami tumbuh."},
        "reflection_edit": {"text": "Setelah dipikir lagi..."},
        "action_new": {"what": "Membaca 15 menit tiap pagi", "owner": world.member.pk, "due": "2030-02-01"},
        "action": {"status": "doing", "outcome": ""},
        "product_new": {"title": "Kartu kata bergambar", "description": "", "authors": [world.member.pk]},
        "plan_series": {
            **{"title": "Pertemuan rutin", "weekday": "3", "starts": "14:00", "ends": "15:30", "every_weeks": "2"},
            **{"count": "3", "first_day": "2030-02-01", "create": "1"},
        },
    }.get(name, {})
    if name in ("upload", "product_upload"):
        data = {"files": [SimpleUploadedFile("kelas.jpg", jpeg_bytes((32, 24)), content_type="image/jpeg")]}
    return data


PATTERNS = patterns_of("activities")
COMMUNITY_SCOPED = sorted(name for name, pattern in PATTERNS.items() if "slug" in pattern.pattern.converters)

# Which object a <uuid:uid> stands for, by URL name (the activity otherwise).
UID_OF = {
    "document": "document",
    "thumbnail": "document",
    "document_delete": "document",
    "action": "plan",
    "reflect_action": "plan",
    "reflect_stage": "change",
    "reflection": "reflection",
    "reflection_edit": "reflection",
    "product": "product",
    "product_upload": "product",
    "member_profile": "membership",
}


def build_world(community, coordinator, member, problem):
    """Something of every kind in `community`: an activity going on right now (held,
    proposed by the coordinator, the member checked in), a photo the member uploaded,
    an action plan the member owns with the member's reflection on it (agreed for
    reports, so whoever sees the community reads it), a stage change, a product by the
    member."""
    now = timezone.now()
    activity = ActivityFactory(
        community=community,
        problem=problem,
        proposed_by=coordinator,
        status=Activity.Status.HELD,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=110),
    )
    AttendanceFactory(activity=activity, user=member)
    plan = ActionPlanFactory(problem=problem, owner=member)
    return SimpleNamespace(
        community=community,
        coordinator=coordinator,
        member=member,
        problem=problem,
        activity=activity,
        document=DocumentFactory(activity=activity, uploaded_by=member),
        plan=plan,
        reflection=ReflectionFactory(activity=None, action_plan=plan, author=member, in_reports=True),
        change=StageChange.objects.create(
            community=community, from_stage="merintis", to_stage="menumbuhkan", changed_by=coordinator, note="Tumbuh."
        ),
        product=ProductFactory(community=community, created_by=member),
        membership=community.memberships.get(user=member),
    )


@pytest.fixture
def world(community, coordinator, member, problem, teacher, other_teacher, principal, other_principal, staff):
    return build_world(community, coordinator, member, problem)


def url_for(name, world, token=None):
    converters = PATTERNS[name].pattern.converters
    kwargs = {}
    if "slug" in converters:
        kwargs["slug"] = world.community.slug
    if "uid" in converters:
        kwargs["uid"] = getattr(world, UID_OF.get(name, "activity")).uid
    if "problem_uid" in converters:
        kwargs["problem_uid"] = world.problem.uid
    if "token" in converters:
        kwargs["token"] = token
    return reverse(f"activities:{name}", kwargs=kwargs)


KNOWN_POST_BUGS = {}


def cases(names, personas=PERSONAS, known=None):
    known = known or {}
    return [
        pytest.param(name, persona, id=f"{name}-{persona}", marks=known.get((name, persona), ()))
        for name in names
        for persona in personas
    ]


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


def test_every_row_covers_every_persona():
    for name, (method, statuses) in EXPECTED.items():
        assert method in ("get", "post", "feed"), name
        assert set(statuses) == set(PERSONAS), name
    for name, statuses in POST_EXPECTED.items():
        assert EXPECTED[name][0] == "get", f"{name} is a form view"
        assert set(statuses) == set(PERSONAS), name


def test_every_form_view_has_a_post_row():
    """Every restricted page shows a form, and so has its submission checked too; the
    action plan page is a read with an update form for its owner."""
    restricted = {
        name for name, (method, statuses) in EXPECTED.items() if method == "get" and statuses["teacher"] == 403
    }
    assert set(POST_EXPECTED) == restricted | {"action"}


@pytest.mark.parametrize(("name", "persona"), cases(sorted(n for n in EXPECTED if n not in FEEDS)))
def test_school_visible_community(name, persona, world, login, request):
    method, statuses = EXPECTED[name]
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url, post_data(name, world))
    assert_outcome(response, statuses[persona], url)


@pytest.mark.parametrize(("name", "persona"), cases(sorted(POST_EXPECTED), known=KNOWN_POST_BUGS))
def test_form_submissions(name, persona, world, login, request):
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), "post", url, post_data(name, world))
    assert_outcome(response, POST_EXPECTED[name][persona], url)


@pytest.mark.parametrize(("name", "persona"), cases(sorted(FEEDS)))
def test_calendar_feeds_answer_to_the_token_not_the_session(name, persona, world, request):
    user = request.getfixturevalue(persona)
    token = CalendarToken.objects.create(user=user).token if user else "bukan-token-siapa-pun"
    response = Client().get(url_for(name, world, token=token))
    assert response.status_code == EXPECTED[name][1][persona]
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")


def test_feed_of_an_inactive_account_is_404(world, member):
    token = CalendarToken.objects.create(user=member).token
    member.is_active = False
    member.save(update_fields=["is_active"])
    for name in sorted(FEEDS):
        assert Client().get(url_for(name, world, token=token)).status_code == 404


# A members-only community hides itself from the school's teachers; its principal still
# sees it, and everyone else is treated as for a school-visible one.
@pytest.mark.parametrize(("name", "persona"), cases(sorted(set(COMMUNITY_SCOPED) - FEEDS), ("teacher", "principal")))
def test_members_only_community(name, persona, world, login, request):
    Community.objects.filter(pk=world.community.pk).update(visibility=Community.Visibility.MEMBERS)
    method, statuses = EXPECTED[name]
    expected = 404 if persona == "teacher" else statuses[persona]
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url, post_data(name, world))
    assert_outcome(response, expected, url)


def test_members_only_community_feed_is_404_for_the_teachers_token(world, teacher, principal):
    Community.objects.filter(pk=world.community.pk).update(visibility=Community.Visibility.MEMBERS)
    teacher_token = CalendarToken.objects.create(user=teacher).token
    principal_token = CalendarToken.objects.create(user=principal).token
    assert Client().get(url_for("calendar_community", world, token=teacher_token)).status_code == 404
    assert Client().get(url_for("calendar_community", world, token=principal_token)).status_code == 200


POST_ONLY = sorted(name for name, (method, _) in EXPECTED.items() if method == "post")


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_post_only_view_is_405(name, world, coordinator, login):
    assert login(coordinator).get(url_for(name, world)).status_code == 405


# Forged addresses: an object of community B under community A's slug. The viewer
# coordinates both, so only the pairing can refuse.
UID_NAMES = sorted(name for name in COMMUNITY_SCOPED if {"uid", "problem_uid"} & set(PATTERNS[name].pattern.converters))


@pytest.fixture
def forged(world, coordinator, school):
    other = CommunityFactory(name="Numerasi Kelas Tinggi", home_school=school)
    MembershipFactory(user=coordinator, community=other, role=Membership.Role.COORDINATOR)
    member = MembershipFactory(community=other, user__school=school).user
    elsewhere = build_world(other, coordinator, member, ProblemFactory(community=other, raised_by=coordinator))
    AttendanceFactory(activity=elsewhere.activity, user=coordinator)
    # The addresses say community A; every uid is community B's.
    return SimpleNamespace(**{**vars(elsewhere), "community": world.community})


@pytest.mark.parametrize("name", UID_NAMES)
def test_object_of_another_community_under_this_slug_is_404(name, forged, coordinator, login):
    method = EXPECTED[name][0]
    response = call(login(coordinator), method, url_for(name, forged), post_data(name, forged))
    assert response.status_code == 404


def test_forged_activity_address_changes_nothing(forged, coordinator, login):
    activity = forged.activity
    login(coordinator).post(url_for("status", forged), {"status": Activity.Status.CANCELLED})
    login(coordinator).post(url_for("document_delete", forged))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.HELD
    assert activity.documents.count() == 1


@pytest.mark.parametrize("name", ["document", "thumbnail"])
def test_files_of_a_public_community_are_served_to_another_school(name, other_teacher, login, school):
    public = CommunityFactory(visibility=Community.Visibility.PUBLIC, home_school=school)
    document = DocumentFactory(activity=ActivityFactory(community=public))
    response = call(login(other_teacher), "get", reverse(f"activities:{name}", args=[public.slug, document.uid]))
    assert response.status_code == 200


# What stays inside the community at every visibility (DESIGN.md, "What each kind of
# content shows"): the member's photo of students without the parents' consent, and their
# reflection kept out of reports. Beside them, a consented photo and a reflection agreed
# for reports, which everyone who sees the community may see.


@pytest.fixture
def private(world):
    activity, member = world.activity, world.member
    return SimpleNamespace(
        **vars(world),
        private_photo=DocumentFactory(
            activity=activity, uploaded_by=member, shows_students=True, caption="Foto siswa tanpa izin"
        ),
        product_photo=DocumentFactory(
            activity=None, product=world.product, uploaded_by=member, shows_students=True, caption="Karya siswa"
        ),
        shared_photo=DocumentFactory(
            activity=activity, uploaded_by=member, shows_students=True, consent_confirmed=True, caption="Foto izin"
        ),
        private_reflection=ReflectionFactory(
            activity=activity, author=member, in_reports=False, answers={"text": "Catatan pribadi Ani."}
        ),
        shared_reflection=ReflectionFactory(
            activity=activity, author=world.coordinator, in_reports=True, answers={"text": "Catatan bersama Budi."}
        ),
    )


# Pages of one thing: (URL name, the thing, whether it stays inside the community).
SINGLE = {
    "private_file": ("document", "private_photo", True),
    "private_thumbnail": ("thumbnail", "private_photo", True),
    "private_product_file": ("document", "product_photo", True),
    "private_reflection": ("reflection", "private_reflection", True),
    "shared_file": ("document", "shared_photo", False),
    "shared_thumbnail": ("thumbnail", "shared_photo", False),
    "shared_reflection": ("reflection", "shared_reflection", False),
}

# Pages that list things: (URL, private things that must leave no trace for outsiders,
# shared things everyone who sees the page sees). A member's page lists that member's
# reflections for the community's members only: outsiders (the principal too) get no
# per-teacher file, not even of what was agreed for reports.
LISTS = {
    "gallery": (lambda w: reverse("activities:gallery", args=[w.community.slug]), ["private_photo"], ["shared_photo"]),
    "activity": (
        lambda w: reverse("activities:detail", args=[w.community.slug, w.activity.uid]),
        ["private_photo", "private_reflection"],
        ["shared_photo", "shared_reflection"],
    ),
    "product": (
        lambda w: reverse("activities:product", args=[w.community.slug, w.product.uid]),
        ["product_photo"],
        [],
    ),
    "reflections": (
        lambda w: reverse("activities:reflections", args=[w.community.slug]),
        ["private_reflection"],
        ["shared_reflection", "reflection"],
    ),
    "member_page": (
        lambda w: reverse("activities:member_profile", args=[w.community.slug, w.membership.uid]),
        ["private_reflection", "reflection", "product"],
        [],
    ),
    "problem_cycle": (
        lambda w: reverse("communities:problem", args=[w.community.slug, w.problem.uid]),
        ["private_photo", "private_reflection"],
        ["shared_photo", "shared_reflection"],
    ),
}


def traces(obj):
    """What would betray `obj` on a page: its address, its caption or its words."""
    found = [str(obj.uid)]
    if getattr(obj, "caption", ""):
        found.append(obj.caption)
    if getattr(obj, "answers", None):
        found.extend(obj.answers.values())
    return found


def set_visibility(community, visibility):
    Community.objects.filter(pk=community.pk).update(visibility=visibility)


@pytest.mark.parametrize(("visibility", "name", "persona"), visibility_cases(sorted(SINGLE)))
def test_private_content_at_every_visibility(visibility, name, persona, private, login, request):
    set_visibility(private.community, visibility)
    url_name, thing, inside = SINGLE[name]
    url = reverse(f"activities:{url_name}", args=[private.community.slug, getattr(private, thing).uid])
    expected = SEES_PRIVATE[persona] if inside else SEES_COMMUNITY[visibility][persona]
    assert_outcome(call(login(request.getfixturevalue(persona)), "get", url), expected, url)


@pytest.mark.parametrize(("visibility", "name", "persona"), visibility_cases(sorted(LISTS)))
def test_lists_leave_no_trace_of_private_content(visibility, name, persona, private, login, request):
    set_visibility(private.community, visibility)
    url_of, hidden, shown = LISTS[name]
    url = url_of(private)
    response = call(login(request.getfixturevalue(persona)), "get", url)
    assert_outcome(response, SEES_COMMUNITY[visibility][persona], url)
    if response.status_code != 200:
        return
    page = response.content.decode()
    insider = SEES_PRIVATE[persona] == 200
    for thing in hidden:
        if insider:
            assert str(getattr(private, thing).uid) in page, thing
        else:
            for trace in traces(getattr(private, thing)):
                assert trace not in page, (thing, trace)
    for thing in shown:
        assert str(getattr(private, thing).uid) in page, thing
