"""Calendar feeds (activities/calendar.py): what calendar apps receive, in which zone,
and who sees which activities."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, CalendarToken
from communities.models import Community
from tests.factories import ActivityFactory, CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

WIT = zoneinfo.ZoneInfo("Asia/Jayapura")
DASH = "\u2013"  # between start and end times on the activity page


def token_of(user):
    return CalendarToken.objects.get_or_create(user=user)[0].token


def person_feed(token):
    return reverse("activities:calendar_person", args=[token])


def community_feed(token, community):
    return reverse("activities:calendar_community", args=[token, community.slug])


def events(address):
    """{UID: VEVENT} of the feed at `address`, fetched as a calendar app would: no session."""
    response = Client().get(address)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "private" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar.get("version") == "2.0"
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def uid(activity):
    return f"{activity.uid}@kompra"


def test_events_match_the_activities(community, member):
    start = datetime(2030, 3, 4, 2, 30, tzinfo=UTC)
    planned = ActivityFactory(
        community=community,
        title="Berbagi praktik baik",
        starts_at=timezone.now() + timedelta(days=3),
        place="Perpustakaan",
        agenda="1. Cerita\n2. Diskusi",
    )
    online = ActivityFactory(
        community=community,
        title="Pertemuan daring",
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        place="",
        online_url="https://meet.example.org/abc-defg-hij",
    )
    cancelled = ActivityFactory(community=community, title="Rapat yang batal", status=Activity.Status.CANCELLED)
    held = ActivityFactory(
        community=community,
        title="Lesson study",
        status=Activity.Status.HELD,
        starts_at=timezone.now() - timedelta(days=10),
        ends_at=timezone.now() - timedelta(days=10) + timedelta(hours=2),
    )
    feed = events(community_feed(token_of(member), community))
    assert set(feed) == {uid(a) for a in (planned, online, cancelled, held)}
    for activity in (planned, online, cancelled, held):
        event = feed[uid(activity)]
        assert activity.title in str(event["summary"])
        assert community.name in str(event["summary"])
        for field, value in (("dtstart", activity.starts_at), ("dtend", activity.ends_at)):
            decoded = event.decoded(field)
            assert decoded == value.replace(microsecond=0)  # iCalendar counts whole seconds
            assert decoded.utcoffset() == timedelta(0)
            assert event[field].to_ical().endswith(b"Z")
        expected_status = "CANCELLED" if activity.status == Activity.Status.CANCELLED else "CONFIRMED"
        assert str(event["status"]) == expected_status
    assert str(feed[uid(planned)]["location"]) == "Perpustakaan"
    assert str(feed[uid(planned)]["url"]) == f"http://testserver{planned.get_absolute_url()}"
    assert "1. Cerita" in str(feed[uid(planned)]["description"])
    assert str(feed[uid(online)]["url"]) == "https://meet.example.org/abc-defg-hij"
    assert str(feed[uid(online)]["location"]) == "https://meet.example.org/abc-defg-hij"
    assert feed[uid(online)].decoded("dtstart") == start
    assert feed[uid(online)]["dtstart"].to_ical() == b"20300304T023000Z"


def test_feed_reaches_back_90_days(community, member):
    long_ago = timezone.now() - timedelta(days=91)
    old = ActivityFactory(community=community, starts_at=long_ago, ends_at=long_ago + timedelta(hours=1))
    recent = ActivityFactory(community=community, starts_at=timezone.now() - timedelta(days=89))
    feed = events(community_feed(token_of(member), community))
    assert uid(recent) in feed
    assert uid(old) not in feed


@pytest.mark.parametrize(
    ("zone", "utc_start", "shown"),
    [
        ("Asia/Jayapura", datetime(2030, 3, 4, 0, 0, tzinfo=UTC), "09:00"),  # WIT, UTC+9
        ("Asia/Makassar", datetime(2030, 3, 4, 1, 0, tzinfo=UTC), "09:00"),  # WITA, UTC+8
        ("Asia/Jakarta", datetime(2030, 3, 4, 2, 0, tzinfo=UTC), "09:00"),  # WIB, UTC+7
    ],
)
def test_times_are_read_in_the_persons_own_zone(zone, utc_start, shown, community, member, login):
    member.time_zone = zone
    member.save(update_fields=["time_zone"])
    response = login(member).post(
        reverse("activities:new", args=[community.slug]),
        {"kind": "meeting", "title": "Rapat pagi", "starts_at": "2030-03-04T09:00", "ends_at": "2030-03-04T11:00"},
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.starts_at == utc_start
    assert activity.ends_at == utc_start + timedelta(hours=2)
    assert f"{shown}{DASH}11:00" in login(member).get(activity.get_absolute_url()).content.decode()
    event = events(community_feed(token_of(member), community))[uid(activity)]
    assert event.decoded("dtstart") == utc_start
    assert event["dtstart"].to_ical() == utc_start.strftime("%Y%m%dT%H%M%SZ").encode()


def test_wit_time_shows_as_wib_to_someone_in_jakarta(community, member, coordinator, login):
    member.time_zone = "Asia/Jayapura"
    member.save(update_fields=["time_zone"])
    login(member).post(
        reverse("activities:new", args=[community.slug]),
        {"kind": "meeting", "title": "Rapat pagi", "starts_at": "2030-03-04T09:00", "ends_at": "2030-03-04T11:00"},
    )
    activity = Activity.objects.get()
    assert activity.starts_at.astimezone(WIT).hour == 9
    assert f"07:00{DASH}09:00" in login(coordinator).get(activity.get_absolute_url()).content.decode()


def test_person_feed_holds_only_their_communities(community, member, school, other_school):
    mine = ActivityFactory(community=community, title="Kegiatan komunitas saya")
    second = CommunityFactory(name="Komunitas Kedua", home_school=school)
    MembershipFactory(user=member, community=second)
    also_mine = ActivityFactory(community=second, title="Kegiatan komunitas kedua")
    # Visible to the member (same school), but not theirs; and another school's.
    visible = ActivityFactory(community=CommunityFactory(home_school=school), title="Bisa dilihat, bukan milik saya")
    public = CommunityFactory(home_school=other_school, visibility=Community.Visibility.PUBLIC)
    elsewhere = ActivityFactory(community=public, title="Sekolah lain")
    left = CommunityFactory(home_school=school)
    MembershipFactory(user=member, community=left, status="left")
    gone = ActivityFactory(community=left, title="Komunitas yang sudah saya tinggalkan")
    feed = events(person_feed(token_of(member)))
    assert set(feed) == {uid(mine), uid(also_mine)}
    for activity in (visible, elsewhere, gone):
        assert uid(activity) not in feed


def test_community_feed_never_shows_another_communitys_activities(community, member, school):
    ours = ActivityFactory(community=community)
    other = CommunityFactory(home_school=school)
    MembershipFactory(user=member, community=other)
    theirs = ActivityFactory(community=other)
    assert set(events(community_feed(token_of(member), community))) == {uid(ours)}
    assert set(events(community_feed(token_of(member), other))) == {uid(theirs)}


def test_community_feed_follows_what_the_token_owner_may_see(community, teacher, other_teacher):
    activity = ActivityFactory(community=community)
    # A teacher of the school sees a school-visible community, so may subscribe to it.
    assert set(events(community_feed(token_of(teacher), community))) == {uid(activity)}
    assert Client().get(community_feed(token_of(other_teacher), community)).status_code == 404
    Community.objects.filter(pk=community.pk).update(visibility=Community.Visibility.MEMBERS)
    assert Client().get(community_feed(token_of(teacher), community)).status_code == 404


def test_calendar_page_lists_the_private_addresses(community, member, login):
    page = login(member).get(reverse("activities:calendar")).content.decode()
    token = CalendarToken.objects.get(user=member).token
    assert f"http://testserver{person_feed(token)}" in page
    assert f"http://testserver{community_feed(token, community)}" in page


def test_reset_cuts_off_the_old_addresses(community, member, login):
    ActivityFactory(community=community)
    old = token_of(member)
    response = login(member).post(reverse("activities:calendar_reset"))
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:calendar")
    new = CalendarToken.objects.get(user=member).token
    assert new != old
    assert len(new) >= 32
    for address in (person_feed(old), community_feed(old, community)):
        assert Client().get(address).status_code == 404
    for address in (person_feed(new), community_feed(new, community)):
        assert Client().get(address).status_code == 200
    assert login(member).get(reverse("activities:calendar_reset")).status_code == 405


def test_tokens_are_unguessable_and_personal(member, coordinator):
    tokens = {token_of(member), token_of(coordinator)}
    assert len(tokens) == 2
    assert all(len(token) >= 32 for token in tokens)
