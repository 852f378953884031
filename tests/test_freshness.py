"""What is cached about a community (communities/freshness.py) is never stale after a
write: the next request of every page that caches something shows it."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from communities.freshness import bump, cached, community_of
from communities.models import Community, Membership, ProblemComment
from publishing.services import publication_withdraw_all
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    FeedbackFactory,
    MembershipFactory,
    ProblemFactory,
    ProductFactory,
    PublicationFactory,
    ReflectionFactory,
    StageChangeFactory,
    UserFactory,
    held_activity,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("early_in_the_minute")]

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


# Every page that keeps something across requests (the community overview above; the
# personal dashboard, the activity and problem pages, the school dashboard and the
# feedback threads): a write is visible on the very next request, whoever asks, and what
# one persona may see is never served to another from the cache.


def school_page(community):
    return reverse("schools:dashboard", args=[community.home_school.npsn])


def problem_page(problem):
    return reverse("communities:problem", args=[problem.community.slug, problem.uid])


def text(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_dashboard_shows_a_new_activity_on_the_next_request(community, coordinator, member, login):
    client = login(member)
    text(client, reverse("dashboard"))
    ActivityFactory(community=community, title="Kelas terbuka membaca", proposed_by=coordinator)
    assert "Kelas terbuka membaca" in text(client, reverse("dashboard"))


def test_the_dashboard_shows_a_community_joined_since(community, school, member, login):
    client = login(member)
    text(client, reverse("dashboard"))
    other = CommunityFactory(name="Numerasi Bermakna", home_school=school)
    MembershipFactory(community=other, user=member)
    assert "Numerasi Bermakna" in text(client, reverse("dashboard"))


def test_the_dashboard_is_each_persons_own(community, coordinator, member, login):
    activity = held_activity(community, title="Refleksi milik Ani")
    AttendanceFactory(activity=activity, user=member)
    member_client, coordinator_client = login(member), login(coordinator)
    assert "Refleksi milik Ani" in text(member_client, reverse("dashboard"))
    # The coordinator was not there: nothing of Ani's to-dos reaches their dashboard.
    assert "Refleksi milik Ani" not in text(coordinator_client, reverse("dashboard"))
    ReflectionFactory(activity=activity, author=member)
    assert "Refleksi milik Ani" not in text(member_client, reverse("dashboard"))


def test_a_warm_cache_saves_the_dashboards_queries(community, coordinator, member, login):
    client = login(member)
    ActivityFactory(community=community, proposed_by=coordinator)
    with CaptureQueriesContext(connection) as cold:
        client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as warm:
        client.get(reverse("dashboard"))
    assert len(warm) <= len(cold) - 8


def test_the_activity_page_shows_writes_on_the_next_request(community, coordinator, member, login):
    activity = held_activity(community, title="Pertemuan berbagi", proposed_by=coordinator)
    client = login(coordinator)
    text(client, activity.get_absolute_url())
    newcomer = UserFactory(school=community.home_school, full_name="Sinta Pendatang")
    MembershipFactory(community=community, user=newcomer)
    AttendanceFactory(activity=activity, user=newcomer)
    html = text(client, activity.get_absolute_url())
    assert "Sinta Pendatang" in html
    reflection = ReflectionFactory(activity=activity, author=member)
    assert str(reflection.uid) in text(client, activity.get_absolute_url())
    document = DocumentFactory(activity=activity, uploaded_by=member, caption="Foto kelas membaca")
    assert str(document.uid) in text(client, activity.get_absolute_url())


def test_a_renamed_person_shows_under_the_new_name_at_once(community, coordinator, member, focused, login):
    activity = held_activity(community, problem=focused, proposed_by=coordinator)
    AttendanceFactory(activity=activity, user=member)
    ReflectionFactory(activity=activity, author=member)
    client = login(coordinator)
    assert "Ani Anggota" in text(client, activity.get_absolute_url())
    assert "Ani Anggota" in text(client, problem_page(focused))
    member.full_name = "Ani Rahmawati"
    member.save()
    for path in (activity.get_absolute_url(), problem_page(focused)):
        html = text(client, path)
        assert "Ani Rahmawati" in html, path
        assert "Ani Anggota" not in html, path


def test_signing_in_raises_no_version(community, member):
    start = version(community)
    member.last_login = timezone.now()
    member.save(update_fields=["last_login"])
    assert version(community) == start


def test_the_problem_timeline_shows_writes_on_the_next_request(community, coordinator, focused, login):
    client = login(coordinator)
    text(client, problem_page(focused))
    ActionPlanFactory(problem=focused, owner=coordinator, what="Membaca berpasangan tiap Senin")
    assert "Membaca berpasangan tiap Senin" in text(client, problem_page(focused))
    activity = held_activity(community, problem=focused, title="Uji coba membaca berpasangan")
    assert "Uji coba membaca berpasangan" in text(client, problem_page(focused))
    reflection = ReflectionFactory(activity=activity, author=coordinator)
    assert str(reflection.uid) in text(client, problem_page(focused))


@pytest.fixture
def private_reflection(community, member, focused):
    """A reflection its author kept out of reports, on a held activity of the focus problem."""
    activity = held_activity(community, problem=focused)
    return ReflectionFactory(activity=activity, author=member, in_reports=False)


@pytest.mark.parametrize("member_first", [True, False])
def test_the_cache_never_shows_private_content_to_a_visitor(
    community, member, principal, focused, private_reflection, login, member_first
):
    """Members see a reflection kept out of reports on the activity and problem pages;
    the principal (who sees the community, not its private content) never does, whoever
    filled the cache first."""
    paths = [private_reflection.activity.get_absolute_url(), problem_page(focused)]
    member_client, principal_client = login(member), login(principal)
    order = [(member_client, True), (principal_client, False)]
    for client, sees in order if member_first else reversed(order):
        for path in paths:
            assert (str(private_reflection.uid) in text(client, path)) is sees, (path, sees)


def test_the_school_dashboard_shows_writes_on_the_next_request(community, coordinator, principal, login):
    client = login(principal)
    html = text(client, school_page(community))
    assert '<dd class="active-members">1</dd>' in html
    assert "tanpa-pertemuan" in html
    MembershipFactory(community=community, user=UserFactory(school=community.home_school))
    html = text(client, school_page(community))
    assert '<dd class="active-members">2</dd>' in html
    held_activity(community)
    html = text(client, school_page(community))
    assert 'data-flag="tanpa-pertemuan"' not in html


@pytest.mark.parametrize("principal_first", [True, False])
def test_the_school_dashboard_cache_keeps_each_personas_view(
    community, coordinator, principal, pengawas, login, principal_first
):
    """The principal's cards link to the community's pages; a supervisor's (figures only)
    never do, whoever filled the cache first."""
    link = f'href="{community.get_absolute_url()}"'
    order = [(login(principal), True), (login(pengawas), False)]
    for client, links in order if principal_first else reversed(order):
        assert (link in text(client, school_page(community))) is links


def test_the_endorse_form_is_never_cached(community, coordinator, principal, login):
    StageChangeFactory(community=community, changed_by=coordinator)
    first = text(login(principal), school_page(community))
    second = text(login(principal), school_page(community))
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    # Each request gets its own form, with its own (masked) token.
    assert token.findall(first) and token.findall(second)
    assert set(token.findall(first)).isdisjoint(token.findall(second))


def test_a_fragment_holding_a_csrf_token_is_not_stored():
    template = Template("{% load kompra %}{% fragment 'probe' 1 %}{% csrf_token %}{% endfragment %}")
    assert "first-token" in template.render(Context({"csrf_token": "first-token"}))
    assert "second-token" in template.render(Context({"csrf_token": "second-token"}))


def test_fragments_are_keyed_on_their_values_and_the_language():
    template = Template("{% load kompra %}{% fragment 'probe' key %}{{ shown }}{% endfragment %}")
    assert template.render(Context({"key": 1, "shown": "satu"})) == "satu"
    assert template.render(Context({"key": 1, "shown": "dua"})) == "satu"
    assert template.render(Context({"key": 2, "shown": "dua"})) == "dua"
    with translation.override("en"):
        assert template.render(Context({"key": 1, "shown": "one"})) == "one"


def test_feedback_shows_on_the_next_request(community, coordinator, principal, login):
    client = login(coordinator)
    text(client, community.get_absolute_url())
    FeedbackFactory(community=community, author=principal, body="Bagus sekali, lanjutkan membaca berpasangan.")
    assert "Bagus sekali, lanjutkan membaca berpasangan." in text(client, community.get_absolute_url())


def test_the_overview_counts_a_new_member_on_the_next_request(community, coordinator, login):
    client = login(coordinator)
    assert "<strong>1</strong>" in text(client, community.get_absolute_url())
    MembershipFactory(community=community, user=UserFactory(school=community.home_school))
    assert "<strong>2</strong>" in text(client, community.get_absolute_url())


def test_every_caching_page_answers_while_the_cache_is_down(
    community, coordinator, principal, focused, login, settings
):
    activity = held_activity(community, problem=focused, proposed_by=coordinator)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    client = login(coordinator)
    for path in (
        reverse("dashboard"),
        community.get_absolute_url(),
        activity.get_absolute_url(),
        problem_page(focused),
    ):
        assert client.get(path).status_code == 200, path
    assert login(principal).get(school_page(community)).status_code == 200


def cycle_section(html):
    return re.search(r'aria-labelledby="cycle-heading">.*?</section>', html, re.DOTALL).group(0)


@pytest.mark.parametrize("member_first", [True, False])
def test_the_overviews_cycle_keeps_each_personas_view(community, coordinator, principal, login, member_first):
    """Members may plan an activity from the overview's cycle; the principal may not,
    whoever filled the cache first."""
    plan = reverse("activities:new", args=[community.slug])
    order = [(login(coordinator), True), (login(principal), False)]
    for client, may_plan in order if member_first else reversed(order):
        assert (plan in cycle_section(text(client, community.get_absolute_url()))) is may_plan


def test_the_cache_holds_no_password_hash(community, coordinator, member, principal, focused, login):
    """What is kept names people (authors, attendees), never with their password hash."""
    activity = held_activity(community, problem=focused, proposed_by=coordinator)
    AttendanceFactory(activity=activity, user=member)
    ReflectionFactory(activity=activity, author=member)
    DocumentFactory(activity=activity, uploaded_by=member)
    ProductFactory(community=community, activity=activity, created_by=member)
    FeedbackFactory(community=community, author=principal)
    MembershipFactory(community=community, user=UserFactory(school=community.home_school), status="requested")
    for user, path in [
        (coordinator, reverse("dashboard")),
        (member, reverse("dashboard")),
        (coordinator, community.get_absolute_url()),
        (coordinator, activity.get_absolute_url()),
        (coordinator, problem_page(focused)),
        (principal, school_page(community)),
    ]:
        assert login(user).get(path).status_code == 200
    from django.core.cache import cache

    stored = list(cache._cache.values())
    assert stored
    for user in (coordinator, member, principal):
        hash_ = user.password.encode()
        assert not any(hash_ in value for value in stored), [k for k, v in cache._cache.items() if hash_ in v]


def test_the_problem_page_shows_comments_supporters_and_edits_on_the_next_request(
    community, coordinator, member, focused, login
):
    client = login(coordinator)
    text(client, problem_page(focused))
    ProblemComment.objects.create(problem=focused, author=member, body="Kami coba **membaca berpasangan**.")
    assert "<strong>membaca berpasangan</strong>" in text(client, problem_page(focused))
    focused.supporters.add(member)
    assert "Ani Anggota" in text(client, problem_page(focused)).split("support-count")[1].split("</p>")[0]
    focused.description = "Banyak siswa kelas 2 belum lancar membaca teks pendek."
    focused.save()
    assert "Banyak siswa kelas 2 belum lancar" in text(client, problem_page(focused))


def test_the_activity_pages_agenda_and_minutes_show_edits_on_the_next_request(community, coordinator, login):
    activity = held_activity(
        community, proposed_by=coordinator, agenda="Membaca *berpasangan*", minutes="Hadir 6 guru."
    )
    client = login(coordinator)
    text(client, activity.get_absolute_url())
    activity.agenda = "Membaca **nyaring**"
    activity.minutes = "Hadir 8 guru; sepakat mencoba lagi."
    activity.save()
    html = text(client, activity.get_absolute_url())
    assert "<strong>nyaring</strong>" in html
    assert "Hadir 8 guru; sepakat mencoba lagi." in html
