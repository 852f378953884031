"""Whole pages kept in the cache (kompra/ops/pagecache.py): the personal dashboard, the
community overview, an activity, a problem and the school dashboard are rendered once
and kept under everything they show. A kept page is never stale after a write, never
another person's, never carries another answer's CSRF token or nonce, and never keeps a
message; the access checks run on every request."""

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import CalendarToken
from communities.models import Community, Membership, ProblemComment
from kompra.ops import pagecache
from supervision.models import SchoolFeedback
from tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    held_activity,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("early_in_the_minute")]

NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def activity(community, coordinator, member, problem):
    activity = held_activity(community, problem=problem, title="Pertemuan berbagi", proposed_by=coordinator)
    AttendanceFactory(activity=activity, user=member)
    return activity


@pytest.fixture
def kept(community, activity, problem, coordinator, principal):
    """(address, who) for every page that is kept whole."""
    return {
        "personal dashboard": (reverse("dashboard"), coordinator),
        "community overview": (community.get_absolute_url(), coordinator),
        "activity": (activity.get_absolute_url(), coordinator),
        "problem": (reverse("communities:problem", args=[community.slug, problem.uid]), coordinator),
        "school dashboard": (reverse("schools:dashboard", args=[community.home_school.npsn]), principal),
    }


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(text):
    return NONCE.sub('nonce=""', TOKEN.sub('value=""', text))


def test_a_second_request_renders_nothing_and_shows_the_same(kept, login):
    for name, (path, who) in kept.items():
        client = login(who)
        first = client.get(path)
        second = client.get(path)
        assert first.templates, name
        assert second.templates == [], f"{name} was rendered again"
        assert without_tokens(html(second)) == without_tokens(html(first)), name


def test_each_answer_gets_its_own_csrf_token_and_nonce(kept, login):
    for name, (path, who) in kept.items():
        client = login(who)
        answers = [client.get(path) for _ in range(3)]
        nonces = [NONCE.findall(html(a)) for a in answers]
        tokens = [TOKEN.findall(html(a)) for a in answers]
        assert all(n and len(set(n)) == 1 for n in nonces), name  # one nonce a page, on every script
        assert len({n[0] for n in nonces}) == 3, f"{name} repeats a nonce"
        assert all(t for t in tokens), name
        assert len({t[0] for t in tokens}) == 3, f"{name} repeats a masked CSRF token"
        for answer, nonce in zip(answers, nonces, strict=True):
            assert f"'nonce-{nonce[0]}'" in answer["Content-Security-Policy"], name


def test_a_form_on_a_kept_page_is_accepted(community, problem, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    path = reverse("communities:problem", args=[community.slug, problem.uid])
    client.get(path)
    kept = client.get(path)
    assert kept.templates == []
    token = TOKEN.search(html(kept)).group(1)
    response = client.post(
        reverse("communities:problem_comment", args=[community.slug, problem.uid]),
        {"csrfmiddlewaretoken": token, "body": "Kami coba membaca berpasangan."},
    )
    assert response.status_code == 302
    assert ProblemComment.objects.filter(problem=problem, body="Kami coba membaca berpasangan.").exists()
    assert "Kami coba membaca berpasangan." in html(client.get(path))


def test_what_is_kept_holds_markers_not_tokens_or_nonces(kept, login, monkeypatch):
    stored = {}
    real_set = cache.set

    def spy(key, value, *args, **kwargs):
        if key.startswith("page:"):
            stored[key] = value
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    for name, (path, who) in kept.items():
        stored.clear()
        answer = html(login(who).get(path))
        _, (content_type, body) = stored.popitem()
        assert content_type.startswith("text/html"), name
        for token in TOKEN.findall(answer):
            assert token not in body, name
        for nonce in NONCE.findall(answer):
            assert nonce not in body, name
        assert pagecache._marker("csrf") in body and pagecache._marker("nonce") in body, name


def test_a_message_is_shown_once_and_never_kept(community, coordinator, login):
    client = login(coordinator)
    mute = reverse("communities:mute", args=[community.slug])
    client.post(mute, {"muted": "1"})
    assert "Dibisukan: " in html(client.get(community.get_absolute_url()))
    quiet = html(client.get(community.get_absolute_url()))
    assert "Dibisukan: " not in quiet
    assert 'name="muted" value="0"' in quiet  # the muted state is part of what the page shows
    assert client.get(community.get_absolute_url()).templates == []  # kept now
    # Muting again changes nothing the page shows: the kept page's key, with a message waiting.
    shown = html(client.post(mute, {"muted": "1"}, follow=True))
    assert "Dibisukan: " in shown
    assert "Dibisukan: " not in html(client.get(community.get_absolute_url()))


def test_a_person_in_no_community_is_greeted_by_a_new_name_at_once(teacher, login):
    client = login(teacher)
    html(client.get(reverse("dashboard")))
    assert client.get(reverse("dashboard")).templates == []
    teacher.short_name = "Bu Tari"
    teacher.save()
    assert "Bu Tari" in html(client.get(reverse("dashboard")))


def test_a_kept_page_follows_the_persons_name_and_language(kept, login):
    for name, (path, who) in kept.items():
        client = login(who)
        before = html(client.get(path))
        old = who.get_short_name()
        who.short_name = "Nama Baru"
        who.save()
        after = html(client.get(path))
        if old in before:
            assert "Nama Baru" in after, name
        who.language = "en"
        who.save()
        assert '<html lang="en"' in html(client.get(path)), name
    assert "Nama Baru" in html(login(kept["personal dashboard"][1]).get(reverse("dashboard")))


def test_personas_never_share_a_kept_page(community, activity, coordinator, member, principal, teacher, login):
    path = activity.get_absolute_url()
    edit = reverse("activities:edit", args=[community.slug, activity.uid])
    pages = {}
    for who in (coordinator, member, principal, teacher):
        client = login(who)
        client.get(path)
        pages[who.pk] = html(client.get(path))
    assert edit in pages[coordinator.pk]
    assert edit not in pages[member.pk]
    assert edit not in pages[principal.pk]
    assert edit not in pages[teacher.pk]
    assert len(set(pages.values())) == 4


@pytest.mark.parametrize("visibility", list(Community.Visibility.values))
def test_access_is_checked_on_every_request(community, activity, problem, member, teacher, login, visibility):
    community.visibility = visibility
    community.save()
    paths = [
        community.get_absolute_url(),
        activity.get_absolute_url(),
        reverse("communities:problem", args=[community.slug, problem.uid]),
    ]
    client = login(member)
    for path in paths:
        html(client.get(path))
        html(client.get(path))
    Membership.objects.filter(community=community, user=member).update(status=Membership.Status.LEFT)
    for path in paths:
        # A teacher of the school who is no member: what the visibility lets them open.
        expected = login(teacher).get(path).status_code
        assert client.get(path).status_code == expected
        assert expected == (404 if visibility == Community.Visibility.MEMBERS else 200)


def test_a_renamed_school_shows_at_once(kept, school, login):
    shown = 0
    for name, (path, who) in kept.items():
        client = login(who)
        before = html(client.get(path))
        old = school.name
        school.name = f"SMP Negeri Baru {name}"
        school.save()
        if old in before:
            assert school.name in html(client.get(path)), name
            shown += 1
    assert shown >= 3  # the dashboards and the overview at least


def test_the_dashboard_follows_the_calendar_address_and_supervisors_feedback(principal, pengawas, login):
    client = login(principal)
    html(client.get(reverse("dashboard")))
    CalendarToken.objects.create(user=principal)
    token = CalendarToken.objects.get(user=principal).token
    assert token in html(client.get(reverse("dashboard")))
    SchoolFeedback.objects.create(school=principal.school, author=pengawas, body="Mohon ceritakan kemajuan literasi.")
    assert "Mohon ceritakan kemajuan literasi." in html(client.get(reverse("dashboard")))


def test_the_school_dashboard_shows_a_new_community_and_its_activity(school, principal, login):
    client = login(principal)
    path = reverse("schools:dashboard", args=[school.npsn])
    html(client.get(path))
    fresh = CommunityFactory(home_school=school, name="Numerasi Bermakna")
    assert "Numerasi Bermakna" in html(client.get(path))
    before = html(client.get(path))
    ActivityFactory(community=fresh, title="Pertemuan numerasi", starts_at=timezone.now() - timedelta(days=1))
    assert html(client.get(path)) != before


def test_a_removed_activity_or_problem_is_gone_on_the_next_request(community, activity, problem, coordinator, login):
    client = login(coordinator)
    pages = {
        activity: activity.get_absolute_url(),
        problem: reverse("communities:problem", args=[community.slug, problem.uid]),
    }
    for row, path in pages.items():
        html(client.get(path))
        assert client.get(path).templates == []  # served as kept
        row.delete()
        assert client.get(path).status_code == 404
    # An address in another community, or one that never existed: 404, never a kept page.
    other = CommunityFactory(home_school=community.home_school)
    elsewhere = ActivityFactory(community=other, proposed_by=coordinator)
    assert client.get(reverse("activities:detail", args=[community.slug, elsewhere.uid])).status_code == 404
    assert client.get(reverse("activities:detail", args=[community.slug, uuid.uuid4()])).status_code == 404


def test_the_minute_is_part_of_the_key(kept, login, monkeypatch):
    path, who = kept["activity"]
    client = login(who)
    client.get(path)
    assert client.get(path).templates == []
    later = timezone.now() + timedelta(minutes=1)
    monkeypatch.setattr(pagecache.timezone, "now", lambda: later)
    assert client.get(path).templates


def test_with_the_cache_down_every_page_is_rendered(kept, login, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    for name, (path, who) in kept.items():
        client = login(who)
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200, name
            assert response.templates, name


def test_only_answers_to_a_signed_in_get_are_kept(community, coordinator, login):
    assert settings.CACHES  # the test settings' local-memory cache
    client = login(coordinator)
    # A page that is not found is not kept: the next request answers it afresh.
    missing = reverse("communities:problem", args=[community.slug, "00000000-0000-0000-0000-000000000000"])
    assert client.get(missing).status_code == 404
    assert client.get(missing).status_code == 404
    assert Client().get(community.get_absolute_url()).status_code == 302  # to the sign-in


def test_may_open_is_visible_to_for_one_community(school, other_school, staff, principal, other_principal, pengawas):
    statuses = [None, *Membership.Status.values]
    people = [
        UserFactory(school=school),
        UserFactory(school=other_school),
        principal,
        other_principal,
        staff,
        pengawas,
    ]
    checked = 0
    for visibility in Community.Visibility.values:
        community = CommunityFactory(home_school=school, visibility=visibility)
        for person in people:
            for status in statuses:
                Membership.objects.filter(community=community, user=person).delete()
                if status is not None:
                    MembershipFactory(community=community, user=person, status=status)
                opens = community.access_for(person).may_open
                listed = Community.objects.visible_to(person).filter(pk=community.pk).exists()
                assert opens == listed, (visibility, person.role, person.is_staff, status)
                checked += 1
    assert checked == 3 * 6 * 6


# Queries of a kept page: the session with its person (1), then what its access check and
# key read.
KEPT_QUERIES = {
    "personal dashboard": 4,  # the school, the person's communities, the calendar address
    "community overview": 3,  # the community with its school and the membership; the mute
    "activity": 2,  # the community with its school and the membership (the address and the
    "problem": 2,  # community's data version key the activity or problem: no read of it)
    "school dashboard": 3,  # the school, the versions of its communities
}


def test_a_kept_page_reads_a_fixed_number_of_queries_whatever_the_size(
    kept, community, coordinator, login, django_assert_max_num_queries
):
    counts = []
    for size in (1, 40):
        for _ in range(size):
            held_activity(community, proposed_by=coordinator)
            MembershipFactory(community=community, user=UserFactory(school=community.home_school))
        row = {}
        for name, (path, who) in kept.items():
            client = login(who)
            html(client.get(path))
            with django_assert_max_num_queries(KEPT_QUERIES[name]) as captured:
                assert client.get(path).templates == [], name
            row[name] = len(captured)
        counts.append(row)
    assert counts[0] == counts[1]
