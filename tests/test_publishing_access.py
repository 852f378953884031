"""The access matrix: every URL of the "publishing" namespace, for every persona,
checked against DESIGN.md ("Who may do what").

The showcase is public: everyone, signed in or not, reads what was published. The
pages inside a community follow the usual staircase. The URL names are read from the
resolver, so a new view without a row in EXPECTED fails `test_every_url_has_a_row`.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from communities.models import Community, Membership
from publishing.models import Publication
from tests.factories import (
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    PublicationFactory,
    ReflectionFactory,
    UserFactory,
    held_activity,
)
from tests.matrix import LOGIN, OK, PERSONAS, REFUSED, assert_outcome, call, patterns_of, row

pytestmark = pytest.mark.django_db

# Columns, in order: anonymous, other_teacher, teacher, member, coordinator, principal,
# other_principal, staff, pengawas, dinas, other_dinas, other_pengawas. Supervisors read a
# community's figures on the school dashboard, never its pages (DESIGN.md: "counts only").
EVERYONE = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
READ = row(LOGIN, 404, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404)
MANAGE_GET = row(LOGIN, 404, 403, 403, 200, 403, 404, 403, 404, 404, 404, 404)
MANAGE_POST = row(LOGIN, 404, 403, 403, OK, 403, 404, 403, 404, 404, 404, 404)
# The member wrote the reflection: only they may answer; others who see the community
# are told why not.
AUTHOR_POST = row(LOGIN, 404, REFUSED, OK, REFUSED, REFUSED, 404, REFUSED, 404, 404, 404, 404)

EXPECTED = {
    "list": ("get", READ),
    "new": ("get", MANAGE_GET),
    "withdraw": ("post", MANAGE_POST),
    "author_answer": ("post", AUTHOR_POST),
    "showcase": ("get", EVERYONE),
    "school": ("get", EVERYONE),
    "community": ("get", EVERYONE),
    "public": ("get", EVERYONE),
    "photo": ("get", EVERYONE),
    "thumbnail": ("get", EVERYONE),
    # Sets the language cookie and goes back.
    "language": ("get", row(302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
}

# What the publish form does with a valid submission.
POST_EXPECTED = {"new": MANAGE_POST}


PATTERNS = patterns_of("publishing")
# Inside a community: the routes under /k/<slug>/ (the public community page has a slug too).
INTERNAL = sorted(name for name, pattern in PATTERNS.items() if str(pattern.pattern).startswith("k/"))


@pytest.fixture
def world(community, coordinator, member, school):
    return build_world(community, coordinator, member, school)


def build_world(community, coordinator, member, school):
    """The conftest community (visible to its school) with a held activity not yet
    published, a published activity and the member's reflection waiting for their
    agreement; and a public community of the same school with a published activity
    showing a consented photo of students. Other personas come from conftest on demand."""
    shown = held_activity(CommunityFactory(name="Numerasi Terbuka", home_school=school, visibility="public"))
    photo = DocumentFactory(activity=shown, shows_students=True, consent_confirmed=True)
    reflection = ReflectionFactory(activity=held_activity(community), author=member)
    return SimpleNamespace(
        community=community,
        public_community=shown.community,
        school=school,
        held=held_activity(community, proposed_by=coordinator),
        published=PublicationFactory(activity=held_activity(community), published_by=coordinator),
        awaiting=PublicationFactory(
            activity=None, reflection=reflection, status=Publication.Status.AWAITING_AUTHOR, published_by=coordinator
        ),
        showcased=PublicationFactory(activity=shown, published_by=coordinator, photos=[photo]),
        photo=photo,
    )


def url_for(name, world):
    converters = PATTERNS[name].pattern.converters
    internal = name in INTERNAL
    kwargs = {}
    if "slug" in converters:
        kwargs["slug"] = world.community.slug if internal else world.public_community.slug
    if "uid" in converters:
        kwargs["uid"] = {"withdraw": world.published, "author_answer": world.awaiting}.get(name, world.showcased).uid
    if "photo_uid" in converters:
        kwargs["photo_uid"] = world.photo.uid
    if "npsn" in converters:
        kwargs["npsn"] = world.school.npsn
    if "code" in converters:
        kwargs["code"] = "en"
    url = reverse(f"publishing:{name}", kwargs=kwargs)
    return url + {"new": f"?kegiatan={world.held.uid}", "language": "?next=/publik/"}.get(name, "")


def post_data(name, world):
    return {
        "new": {"kegiatan": world.held.uid, "title": "Membaca berpasangan", "summary": "Siswa lebih berani."},
        "author_answer": {"setuju": "1"},
    }.get(name, {})


def cases(names):
    return [pytest.param(name, persona, id=f"{name}-{persona}") for name in names for persona in PERSONAS]


def test_every_url_has_a_row():
    assert set(PATTERNS) == set(EXPECTED)


def test_every_row_covers_every_persona():
    for name, (method, statuses) in EXPECTED.items():
        assert method in ("get", "post"), name
        assert set(statuses) == set(PERSONAS), name


def test_internal_routes_are_the_community_ones():
    assert INTERNAL == ["author_answer", "list", "new", "withdraw"]


@pytest.mark.parametrize(("name", "persona"), cases(sorted(EXPECTED)))
def test_school_visible_community(name, persona, world, login, request):
    method, statuses = EXPECTED[name]
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url, post_data(name, world))
    assert_outcome(response, statuses[persona], url)


@pytest.mark.parametrize(("name", "persona"), cases(sorted(POST_EXPECTED)))
def test_form_submissions(name, persona, world, login, request):
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), "post", url, post_data(name, world))
    assert_outcome(response, POST_EXPECTED[name][persona], url)
    published = Publication.objects.filter(activity=world.held).exists()
    assert published == (POST_EXPECTED[name][persona] == OK)


# A members-only community hides itself from the school's teachers; its principal
# still sees it. The showcase does not depend on it.
EXPECTED_MEMBERS_ONLY = {
    name: (method, {**statuses, "teacher": 404}) for name, (method, statuses) in EXPECTED.items() if name in INTERNAL
}


@pytest.mark.parametrize(("name", "persona"), cases(sorted(EXPECTED_MEMBERS_ONLY)))
def test_members_only_community(name, persona, world, login, request):
    Community.objects.filter(pk=world.community.pk).update(visibility=Community.Visibility.MEMBERS)
    method, statuses = EXPECTED_MEMBERS_ONLY[name]
    url = url_for(name, world)
    response = call(login(request.getfixturevalue(persona)), method, url, post_data(name, world))
    assert_outcome(response, statuses[persona], url)


POST_ONLY = sorted(name for name, (method, _) in EXPECTED.items() if method == "post")


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_post_only_view_is_405(name, world, coordinator, member, login):
    for user in (coordinator, member):
        assert login(user).get(url_for(name, world)).status_code == 405


def test_language_link_goes_back_to_the_page(world, login):
    response = login(None).get(url_for("language", world))
    assert response["Location"] == "/publik/"


# The 404s of the showcase: nothing unpublished, nothing not meant to be public.


def persona_clients(request, login):
    return {persona: login(request.getfixturevalue(persona)) for persona in PERSONAS}


@pytest.mark.parametrize(
    "status",
    [Publication.Status.AWAITING_AUTHOR, Publication.Status.DECLINED, Publication.Status.WITHDRAWN],
)
@pytest.mark.parametrize("name", ["public", "photo", "thumbnail"])
def test_unpublished_publication_is_404_for_everyone(status, name, world, login, request):
    Publication.objects.filter(pk=world.showcased.pk).update(status=status)
    url = url_for(name, world)
    for persona, client in persona_clients(request, login).items():
        assert call(client, "get", url).status_code == 404, persona


@pytest.mark.parametrize("visibility", [Community.Visibility.SCHOOL, Community.Visibility.MEMBERS])
def test_public_page_of_a_community_that_is_not_public_is_404(visibility, world, login, request):
    Community.objects.filter(pk=world.public_community.pk).update(visibility=visibility)
    url = url_for("community", world)
    for persona, client in persona_clients(request, login).items():
        assert client.get(url).status_code == 404, persona
    # Its publications stay public, as published.
    assert login(None).get(url_for("public", world)).status_code == 200


def test_internal_community_has_no_public_page(world, login):
    url = reverse("publishing:community", args=[world.community.slug])
    assert login(None).get(url).status_code == 404


def test_unknown_school_is_404(world, login):
    assert login(None).get(reverse("publishing:school", args=["99999999"])).status_code == 404


def test_school_with_nothing_public_is_404(world, other_school, login):
    CommunityFactory(home_school=other_school, visibility="school")
    assert login(None).get(reverse("publishing:school", args=[other_school.npsn])).status_code == 404


def photo_urls(publication, photo):
    return [reverse(f"publishing:{name}", args=[publication.uid, photo.uid]) for name in ("photo", "thumbnail")]


def test_photo_not_in_the_publication_is_404(world, login, request):
    # Consented, of the same activity, but not chosen for the publication.
    left_out = DocumentFactory(activity=world.showcased.activity, shows_students=True, consent_confirmed=True)
    # Included in another publication.
    elsewhere = DocumentFactory(activity=world.published.activity)
    world.published.photos.add(elsewhere)
    clients = persona_clients(request, login)
    for photo in (left_out, elsewhere):
        for url in photo_urls(world.showcased, photo):
            for persona, client in clients.items():
                assert call(client, "get", url).status_code == 404, (url, persona)


def test_photo_of_students_without_consent_is_404(world, login, request):
    # Attached (say, by an admin) although the parents' consent was never confirmed.
    unconsented = DocumentFactory(activity=world.showcased.activity, shows_students=True, consent_confirmed=False)
    world.showcased.photos.add(unconsented)
    clients = persona_clients(request, login)
    for url in photo_urls(world.showcased, unconsented):
        for persona, client in clients.items():
            assert call(client, "get", url).status_code == 404, (url, persona)
    # The consented photo of the same publication is still served.
    assert call(clients["anonymous"], "get", photo_urls(world.showcased, world.photo)[0]).status_code == 200


def test_photo_without_students_needs_no_consent(world, login):
    plain = DocumentFactory(activity=world.showcased.activity, shows_students=False)
    world.showcased.photos.add(plain)
    for url in photo_urls(world.showcased, plain):
        assert call(login(None), "get", url).status_code == 200


def test_unknown_photo_and_publication_are_404(world, login):
    client = login(None)
    assert call(client, "get", photo_urls(world.showcased, world.held)[0]).status_code == 404
    assert call(client, "get", photo_urls(world.held, world.photo)[0]).status_code == 404
    assert client.get(reverse("publishing:public", args=[world.held.uid])).status_code == 404


def test_publishing_someone_elses_community_is_404(world, other_teacher, login):
    data = {"kegiatan": world.held.uid, "title": "Bukan milik saya", "summary": "Coba-coba."}
    url = reverse("publishing:new", args=[world.community.slug])
    assert login(other_teacher).post(url, data).status_code == 404
    assert login(other_teacher).get(f"{url}?kegiatan={world.held.uid}").status_code == 404
    assert not Publication.objects.filter(activity=world.held).exists()


def test_coordinator_of_another_community_cannot_publish_here(world, school, login):
    elsewhere = CommunityFactory(home_school=school, visibility="members")
    outsider = UserFactory(school=school)
    MembershipFactory(user=outsider, community=elsewhere, role=Membership.Role.COORDINATOR)
    data = {"kegiatan": world.held.uid, "title": "Bukan milik saya", "summary": "Coba-coba."}
    # Same school: they see the community, but do not run it.
    assert login(outsider).post(reverse("publishing:new", args=[world.community.slug]), data).status_code == 403
    # Naming this community's activity under their own community does not reach it.
    assert login(outsider).post(reverse("publishing:new", args=[elsewhere.slug]), data).status_code == 404
    assert not Publication.objects.filter(activity=world.held).exists()
