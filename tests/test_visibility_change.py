"""Narrowing who can see a community while some of what it published is public: the
profile form (and the founding settings step) lists the public items and asks whether to
keep them public or withdraw them, in the same step; the choice is recorded for admins.

A publication kept public stays at its own address and on the school's and the
showcase's pages; it names its community and school, and links to no page of a
community that is not public (neither /k/<slug>/ nor the public community page, which
answers 404 while the community is not public)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from communities.models import Community, VisibilityChange
from publishing.models import Publication
from tests.conftest import client_for
from tests.factories import PublicationFactory, ReflectionFactory, held_activity

pytestmark = pytest.mark.django_db

PROFILE = {"name": "Literasi Kelas Rendah", "concern": "Membaca.", "kind": "within"}
ASK = "choose whether to keep it public or withdraw it"


@pytest.fixture
def login():
    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def live(community, coordinator, member):
    """A published activity and a member's reflection waiting for their agreement."""
    published = PublicationFactory(
        activity=held_activity(community), published_by=coordinator, title="Membaca berpasangan"
    )
    awaiting = PublicationFactory(
        activity=None,
        reflection=ReflectionFactory(activity=held_activity(community), author=member),
        status=Publication.Status.AWAITING_AUTHOR,
        published_by=coordinator,
        title="Refleksi Ani",
    )
    return published, awaiting


def edit(client, community, visibility, **extra):
    return client.post(
        reverse("communities:edit", args=[community.slug]), {**PROFILE, "visibility": visibility, **extra}
    )


def test_profile_form_lists_what_stays_public_and_offers_to_withdraw_it(community, coordinator, live, login):
    page = login(coordinator).get(reverse("communities:edit", args=[community.slug])).content.decode()
    for publication in live:
        assert publication.title in page
        assert f'href="{publication.get_absolute_url()}"' in page
    assert "public once its author agrees" in page
    assert 'name="public_items" value="keep"' in page
    assert 'name="public_items" value="withdraw"' in page


def test_no_question_without_public_items(community, coordinator, login):
    page = login(coordinator).get(reverse("communities:edit", args=[community.slug])).content.decode()
    assert 'name="public_items"' not in page
    response = edit(login(coordinator), community, "members")
    assert response.status_code == 302
    change = VisibilityChange.objects.get(community=community)
    assert (change.public_items, change.items) == (VisibilityChange.PublicItems.NONE, [])


@pytest.mark.parametrize(("before", "after"), [("school", "members"), ("public", "school"), ("public", "members")])
def test_narrowing_without_an_answer_changes_nothing(before, after, community, coordinator, live, login):
    Community.objects.filter(pk=community.pk).update(visibility=before)
    response = edit(login(coordinator), community, after)
    assert response.status_code == 200
    assert ASK in response.content.decode()
    community.refresh_from_db()
    assert community.visibility == before
    assert not VisibilityChange.objects.exists()
    assert [p.status for p in Publication.objects.order_by("pk")] == ["published", "awaiting"]


def test_narrowing_and_withdrawing(community, coordinator, live, login):
    response = edit(login(coordinator), community, "members", public_items="withdraw")
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.visibility == "members"
    assert set(Publication.objects.values_list("status", flat=True)) == {"withdrawn"}
    assert all(p.withdrawn_at for p in Publication.objects.all())
    change = VisibilityChange.objects.get(community=community)
    assert (change.from_visibility, change.to_visibility, change.changed_by) == ("school", "members", coordinator)
    assert change.public_items == VisibilityChange.PublicItems.WITHDRAWN
    assert sorted(item["title"] for item in change.items) == ["Membaca berpasangan", "Refleksi Ani"]
    assert login(None).get(live[0].get_absolute_url()).status_code == 404


def test_narrowing_and_keeping(community, coordinator, live, login):
    response = edit(login(coordinator), community, "members", public_items="keep")
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.visibility == "members"
    assert [p.status for p in Publication.objects.order_by("pk")] == ["published", "awaiting"]
    change = VisibilityChange.objects.get(community=community)
    assert change.public_items == VisibilityChange.PublicItems.KEPT
    assert {item["url"] for item in change.items} == {p.get_absolute_url() for p in live}
    assert login(None).get(live[0].get_absolute_url()).status_code == 200


def test_widening_asks_nothing(community, coordinator, live, login):
    Community.objects.filter(pk=community.pk).update(visibility="members")
    page = login(coordinator).get(reverse("communities:edit", args=[community.slug])).content.decode()
    assert 'name="public_items"' not in page  # members-only cannot narrow further
    assert edit(login(coordinator), community, "public").status_code == 302
    change = VisibilityChange.objects.get(community=community)
    assert (change.to_visibility, change.public_items) == ("public", VisibilityChange.PublicItems.KEPT)


def test_same_visibility_records_nothing_and_withdraws_nothing(community, coordinator, live, login):
    assert edit(login(coordinator), community, "school", public_items="withdraw").status_code == 302
    assert not VisibilityChange.objects.exists()
    assert Publication.objects.filter(status="published").count() == 1


def test_founding_settings_step_asks_too(community, coordinator, live, login):
    url = reverse("communities:found_settings", args=[community.slug])
    client = login(coordinator)
    assert 'name="public_items" value="withdraw"' in client.get(url).content.decode()
    response = client.post(url, {"kind": "within", "visibility": "members"})
    assert response.status_code == 200 and ASK in response.content.decode()
    community.refresh_from_db()
    assert community.visibility == "school"
    response = client.post(url, {"kind": "within", "visibility": "members", "public_items": "withdraw"})
    assert response.status_code == 302
    assert VisibilityChange.objects.get().public_items == VisibilityChange.PublicItems.WITHDRAWN
    assert not Publication.objects.filter(status="published").exists()


def test_admin_sees_who_chose_what(community, coordinator, live, staff, login):
    edit(login(coordinator), community, "members", public_items="keep")
    admin = login(staff)
    page = admin.get(reverse("admin:communities_visibilitychange_changelist")).content.decode()
    assert community.name in page and "kept public" in page
    change = VisibilityChange.objects.get()
    detail = admin.get(reverse("admin:communities_visibilitychange_change", args=[change.pk])).content.decode()
    assert "Membaca berpasangan" in detail
    assert admin.get(reverse("admin:communities_visibilitychange_add")).status_code == 403
    assert admin.get(reverse("admin:communities_community_change", args=[community.pk])).status_code == 200


# What a publication kept public shows once its community is no longer public.


@pytest.mark.parametrize("visibility", ["members", "school"])
def test_kept_publication_links_nowhere_private(visibility, community, coordinator, live, login):
    Community.objects.filter(pk=community.pk).update(visibility="public")
    edit(login(coordinator), community, visibility, public_items="keep")
    anonymous = login(None)
    pages = [
        live[0].get_absolute_url(),
        reverse("publishing:school", args=[community.home_school.npsn]),
        reverse("publishing:showcase"),
    ]
    for url in pages:
        page = anonymous.get(url).content.decode()
        assert "Membaca berpasangan" in page, url
        assert community.name in page, url
        links = re.findall(r'href="([^"]+)"', page)
        assert not [link for link in links if f"/k/{community.slug}" in link], url
    assert anonymous.get(reverse("publishing:community", args=[community.slug])).status_code == 404


def test_profile_form_queries_do_not_grow_with_publications(
    community, coordinator, login, django_assert_max_num_queries
):
    """Session, user, community, the viewer's membership and the live publications (one
    query however many there are)."""
    client = login(coordinator)
    url = reverse("communities:edit", args=[community.slug])
    counts = []
    for n in (1, 9):
        for _ in range(n):
            PublicationFactory(activity=held_activity(community), published_by=coordinator)
        client.get(url)
        # session, user, the community with its school and the membership, the public items
        with django_assert_max_num_queries(4) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert Publication.objects.count() == 10
    assert counts[0] == counts[1]
