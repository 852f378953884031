"""What is cached about a community (communities/freshness.py) is never stale after a
write: the next request of every page that caches something shows it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.freshness import bump, cached, community_of
from communities.models import Community, Membership
from publishing.services import publication_withdraw_all
from tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    MembershipFactory,
    ProblemFactory,
    PublicationFactory,
    ReflectionFactory,
    UserFactory,
    held_activity,
)

pytestmark = pytest.mark.django_db

# Every page that shows cached facts, as the coordinator sees it.
CACHING_PAGES = {
    "community overview": lambda community: community.get_absolute_url(),
}


def version(community):
    return Community.objects.values_list("data_version", flat=True).get(pk=community.pk)


def pages(client, community):
    return {name: client.get(path(community)).content.decode() for name, path in CACHING_PAGES.items()}


@pytest.fixture
def focused(community, coordinator):
    return ProblemFactory(community=community, raised_by=coordinator, title="Membaca pemahaman", is_focus=True)


def test_a_second_request_reads_the_cached_facts(community, coordinator, focused, login):
    client = login(coordinator)
    held_activity(community, problem=focused, title="Pertemuan pertama")
    client.get(community.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(community.get_absolute_url())
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(community.get_absolute_url())
    assert len(first) < len(cold)


def test_a_new_activity_shows_on_the_next_request(community, coordinator, focused, login):
    client = login(coordinator)
    before = pages(client, community)
    start = timezone.now() + timedelta(days=3)
    ActivityFactory(
        community=community, title="Kelas terbuka membaca", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    for name, html in pages(client, community).items():
        assert "Kelas terbuka membaca" not in before[name]
        assert "Kelas terbuka membaca" in html, name


def test_a_held_activity_and_a_reflection_move_the_cycle_on_the_next_request(
    community, coordinator, member, focused, login
):
    client = login(coordinator)
    activity = held_activity(community, problem=focused, title="Pertemuan berbagi")
    pages(client, community)
    done = client.get(community.get_absolute_url()).content.decode().count("bg-success-subtle")
    ReflectionFactory(activity=activity, author=member)
    assert client.get(community.get_absolute_url()).content.decode().count("bg-success-subtle") == done + 1


def test_a_new_member_and_a_new_publication_raise_the_version(community, coordinator, focused, login):
    client = login(coordinator)
    activity = held_activity(community, problem=focused)
    pages(client, community)
    start = version(community)
    MembershipFactory(community=community, user=UserFactory(school=community.home_school))
    assert version(community) > start
    start = version(community)
    steps_before = client.get(community.get_absolute_url()).content.decode().count("bg-success-subtle")
    PublicationFactory(activity=activity, published_by=coordinator)
    assert version(community) > start
    # "Publication" is a step of the cycle: it is done on the very next request.
    assert client.get(community.get_absolute_url()).content.decode().count("bg-success-subtle") == steps_before + 1


def test_writes_through_a_parent_and_bulk_updates_raise_the_version(community, coordinator, member):
    activity = held_activity(community)
    start = version(community)
    AttendanceFactory(activity=activity, user=member)
    assert version(community) == start + 1
    PublicationFactory(activity=activity, published_by=coordinator)
    start = version(community)
    publication_withdraw_all(community=community, by=coordinator)
    assert version(community) > start
    start = version(community)
    Membership.objects.filter(community=community, user=member).delete()
    assert version(community) > start


def test_saving_an_older_copy_of_the_community_keeps_the_newer_version(community):
    stale = Community.objects.get(pk=community.pk)
    bump(community.pk)
    bump(community.pk)
    stale.name = "Nama baru"
    stale.save()
    assert version(community) >= 2
    assert Community.objects.get(pk=community.pk).name == "Nama baru"


def test_saving_a_partly_loaded_community_writes_only_what_it_loaded(community):
    partial = Community.objects.only("name").get(pk=community.pk)
    bump(community.pk)
    partial.name = "Nama lain"
    partial.save()
    fresh = Community.objects.get(pk=community.pk)
    assert fresh.name == "Nama lain"
    assert fresh.concern == community.concern
    assert fresh.data_version >= 1


def test_cached_facts_are_keyed_by_version_language_and_minute(community):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached(community, "x", compute) == 1
    assert cached(community, "x", compute) == 1
    bump(community.pk)
    community.refresh_from_db()
    assert cached(community, "x", compute) == 2


def test_rows_know_their_community(community, coordinator, member):
    activity = held_activity(community)
    attendance = AttendanceFactory(activity=activity, user=member)
    assert community_of(attendance) == community.pk
    assert community_of(activity) == community.pk
    assert community_of(community) == community.pk
    assert community_of(coordinator) is None


def test_a_new_name_or_an_erasure_raises_the_versions_of_the_persons_communities(community, member, login):
    elsewhere = MembershipFactory(user=UserFactory()).community
    before, other = version(community), version(elsewhere)
    login(member)  # signing in saves only the last login: nothing shown changes
    assert version(community) == before
    member.full_name = "Ani Rahmawati"
    member.save()
    assert version(community) == before + 1
    member.short_name = "Ani R."
    member.save(update_fields=["short_name"])
    assert version(community) == before + 2
    assert version(elsewhere) == other
