"""What browsers and caches on the way may keep: nothing of a page answered to a
signed-in person (Cache-Control: private, no-store), unless the view chose its own
caching, as the public showcase pages and files do."""

import pytest
from django.urls import reverse

from communities.models import Community, Invitation
from tests.matrix import PERSONAS
from tests.test_activities_access import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(community, coordinator, member, problem, teacher, other_teacher, principal, other_principal, staff, school):
    world = build_world(community, coordinator, member, problem)
    Community.objects.filter(pk=community.pk).update(visibility=Community.Visibility.PUBLIC)
    return world


def private_pages(world):
    """A sample of what a signed-in person opens: their own pages, a community's pages,
    pages that answer 403 or 404 to some, and a form."""
    slug = world.community.slug
    return [
        reverse("dashboard"),
        reverse("profile"),
        reverse("communities:mine"),
        reverse("communities:directory"),
        world.community.get_absolute_url(),
        reverse("communities:members", args=[slug]),
        reverse("communities:problems", args=[slug]),
        world.problem.get_absolute_url(),
        reverse("activities:list", args=[slug]),
        world.activity.get_absolute_url(),
        reverse("activities:attendance", args=[slug, world.activity.uid]),
        reverse("activities:gallery", args=[slug]),
        reverse("activities:reflections", args=[slug]),
        reverse("activities:member_profile", args=[slug, world.membership.uid]),
        reverse("activities:new", args=[slug]),
        reverse("activities:calendar"),
        reverse("schools:mine"),
        reverse("schools:dashboard", args=[world.community.home_school.npsn]),
        reverse("reports:portfolio", args=[slug]),
        reverse("admin:index"),
        "/halaman-yang-tidak-ada/",
    ]


def public_pages(world):
    return [
        reverse("publishing:showcase"),
        reverse("publishing:school", args=[world.community.home_school.npsn]),
        reverse("publishing:community", args=[world.community.slug]),
    ]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_nothing_answered_to_a_signed_in_person_is_stored(persona, world, login, request):
    client = login(request.getfixturevalue(persona))
    seen = set()
    for url in private_pages(world):
        response = client.get(url)
        seen.add(response.status_code)
        directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, (url, response.status_code, response.get("Cache-Control"))
        assert "public" not in directives, url
    assert 200 in seen


def test_the_sample_covers_every_answer(world, login, teacher, other_teacher):
    statuses = {login(user).get(url).status_code for user in (teacher, other_teacher) for url in private_pages(world)}
    assert {200, 302, 403, 404} <= statuses


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_keep_their_own_shared_caching(persona, world, login, request):
    client = login(request.getfixturevalue(persona))
    for url in public_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"], url
        assert "no-store" not in response["Cache-Control"], url
        assert "Cookie" in response["Vary"], url


def test_files_keep_their_own_private_caching(world, member, login):
    response = login(member).get(reverse("activities:thumbnail", args=[world.community.slug, world.document.uid]))
    b"".join(response.streaming_content)
    assert response["Cache-Control"] == "private, max-age=3600"


def test_the_home_page_of_anonymous_visitors_may_be_kept(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_an_invitation_page_is_not_stored(community, coordinator, client):
    invitation = Invitation.objects.create(
        community=community, school=community.home_school, email="baru@smpn1.sch.id", invited_by=coordinator
    )
    response = client.get(reverse("communities:invitation", args=[invitation.token]))
    assert response.status_code == 200
    assert "baru@smpn1.sch.id" in response.content.decode()
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
